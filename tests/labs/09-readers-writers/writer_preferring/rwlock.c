/* rwlock.c: variant writer_preferring: writers first, always; a stream
 * of writers starves the readers. */
#include "rwlock.h"
#include "../sync-common/sync.h"

void rw_init(struct rwlock *rw)
{
    Pthread_mutex_init(&rw->lock);
    Pthread_cond_init(&rw->readers_ok);
    Pthread_cond_init(&rw->writer_ok);
    rw->readers = 0;
    rw->writing = 0;
    rw->writers_waiting = 0;
    rw->readers_waiting = 0;
    rw->turn = 0;
}

void rw_destroy(struct rwlock *rw)
{
    pthread_cond_destroy(&rw->writer_ok);
    pthread_cond_destroy(&rw->readers_ok);
    Pthread_mutex_destroy(&rw->lock);
}

/* Bug: a reader waits while any writer waits, and writers never stop
 * coming, so the reader is woken by every writer that leaves, finds the
 * next writer waiting and goes back to sleep, forever. */
void rw_read_lock(struct rwlock *rw)
{
    Pthread_mutex_lock(&rw->lock);
    while (rw->writing || rw->writers_waiting > 0)
        Pthread_cond_wait(&rw->readers_ok, &rw->lock);
    rw->readers++;
    Pthread_mutex_unlock(&rw->lock);
}

void rw_read_unlock(struct rwlock *rw)
{
    Pthread_mutex_lock(&rw->lock);
    if (--rw->readers == 0)
        Pthread_cond_signal(&rw->writer_ok);
    Pthread_mutex_unlock(&rw->lock);
}

void rw_write_lock(struct rwlock *rw)
{
    Pthread_mutex_lock(&rw->lock);
    rw->writers_waiting++;
    while (rw->writing || rw->readers > 0)
        Pthread_cond_wait(&rw->writer_ok, &rw->lock);
    rw->writers_waiting--;
    rw->writing = 1;
    Pthread_mutex_unlock(&rw->lock);
}

void rw_write_unlock(struct rwlock *rw)
{
    Pthread_mutex_lock(&rw->lock);
    rw->writing = 0;
    Pthread_cond_broadcast(&rw->readers_ok); /* readers check again */
    Pthread_cond_signal(&rw->writer_ok);
    Pthread_mutex_unlock(&rw->lock);
}
