/* rwlock.c: lab 09 part 1, a readers-writers lock in which a waiting
 * writer gets in within bounded time (solution). */
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
}

void rw_destroy(struct rwlock *rw)
{
    pthread_cond_destroy(&rw->writer_ok);
    pthread_cond_destroy(&rw->readers_ok);
    Pthread_mutex_destroy(&rw->lock);
}

/*
 * A new reader stays out not only while a writer is inside but also
 * while a writer WAITS.  The readers already inside finish, the count
 * drops to zero and the writer goes in: its wait is bounded by the
 * longest read that was in progress when it arrived.  Readers still share
 * the lock whenever no writer is inside or waiting.
 */
void rw_read_lock(struct rwlock *rw)
{
    Pthread_mutex_lock(&rw->lock); /* guards readers, writing, ... */
    while (rw->writing || rw->writers_waiting > 0)
        Pthread_cond_wait(&rw->readers_ok, &rw->lock); /* writers first */
    rw->readers++;
    Pthread_mutex_unlock(&rw->lock);
}

void rw_read_unlock(struct rwlock *rw)
{
    Pthread_mutex_lock(&rw->lock);
    if (--rw->readers == 0)                  /* the room is empty: */
        Pthread_cond_signal(&rw->writer_ok); /* a waiting writer may go */
    Pthread_mutex_unlock(&rw->lock);
}

void rw_write_lock(struct rwlock *rw)
{
    Pthread_mutex_lock(&rw->lock);
    rw->writers_waiting++; /* from now on, new readers wait for us */
    while (rw->writing || rw->readers > 0) /* wait for an empty room */
        Pthread_cond_wait(&rw->writer_ok, &rw->lock);
    rw->writers_waiting--;
    rw->writing = 1;
    Pthread_mutex_unlock(&rw->lock);
}

/*
 * Another waiting writer goes next if there is one (readers would only
 * wait for it again); otherwise every waiting reader goes in together.
 * Waiting readers wake up and re-check the condition either way.
 */
void rw_write_unlock(struct rwlock *rw)
{
    Pthread_mutex_lock(&rw->lock);
    rw->writing = 0;
    if (rw->writers_waiting > 0)
        Pthread_cond_signal(&rw->writer_ok);
    else
        Pthread_cond_broadcast(&rw->readers_ok);
    Pthread_mutex_unlock(&rw->lock);
}
