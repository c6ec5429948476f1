/* rwlock.c: lab 09 part 1, a readers-writers lock (starter: the first,
 * reader-preferring version: writers can starve). */
#include "rwlock.h"
#include "../sync-common/sync.h"

void rw_init(struct rwlock *rw)
{
    Pthread_mutex_init(&rw->lock);
    Pthread_cond_init(&rw->readers_ok);
    Pthread_cond_init(&rw->writer_ok);
    rw->readers = 0;
    rw->writing = 0;
    rw->writers_waiting = 0; /* unused in this version */
    rw->readers_waiting = 0; /* unused in this version */
    rw->turn = 0;            /* unused in this version */
}

void rw_destroy(struct rwlock *rw)
{
    pthread_cond_destroy(&rw->writer_ok);
    pthread_cond_destroy(&rw->readers_ok);
    Pthread_mutex_destroy(&rw->lock);
}

/* excerpt: read_lock */
void rw_read_lock(struct rwlock *rw)
{
    Pthread_mutex_lock(&rw->lock);
    while (rw->writing) /* only a writer INSIDE keeps a reader out */
        Pthread_cond_wait(&rw->readers_ok, &rw->lock);
    rw->readers++;
    Pthread_mutex_unlock(&rw->lock);
}

void rw_read_unlock(struct rwlock *rw)
{
    Pthread_mutex_lock(&rw->lock);
    rw->readers--;
    Pthread_cond_signal(&rw->writer_ok); /* a waiting writer checks again */
    Pthread_mutex_unlock(&rw->lock);
}
/* end excerpt */

/* excerpt: write_lock */
void rw_write_lock(struct rwlock *rw)
{
    Pthread_mutex_lock(&rw->lock);
    while (rw->writing || rw->readers > 0) /* wait for an empty room */
        Pthread_cond_wait(&rw->writer_ok, &rw->lock);
    rw->writing = 1;
    Pthread_mutex_unlock(&rw->lock);
}
/* end excerpt */

void rw_write_unlock(struct rwlock *rw)
{
    Pthread_mutex_lock(&rw->lock);
    rw->writing = 0;
    Pthread_cond_broadcast(&rw->readers_ok); /* all waiting readers */
    Pthread_cond_signal(&rw->writer_ok);     /* or one waiting writer */
    Pthread_mutex_unlock(&rw->lock);
}
