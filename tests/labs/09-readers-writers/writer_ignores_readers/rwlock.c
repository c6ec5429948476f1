/* rwlock.c: variant writer_ignores_readers: the solution, but a writer
 * waits only for another writer, not for the readers inside. */
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
    rw->turn = 0; /* writers done so far */
}

void rw_destroy(struct rwlock *rw)
{
    pthread_cond_destroy(&rw->writer_ok);
    pthread_cond_destroy(&rw->readers_ok);
    Pthread_mutex_destroy(&rw->lock);
}

/*
 * Turns alternate.  A new reader does not overtake a writer that is
 * inside or waiting: it queues, and the next writer to leave lets every
 * queued reader in at once (they share), before any other writer.  So a
 * waiting writer gets in once the readers inside when it arrived are out,
 * and a queued reader gets in as soon as the writer inside (or the one
 * it queued behind) is done: a stream of readers cannot starve a writer,
 * nor a stream of writers a reader.  Without writers, readers share
 * freely.
 */
void rw_read_lock(struct rwlock *rw)
{
    Pthread_mutex_lock(&rw->lock); /* guards every field */
    if (rw->writing || rw->writers_waiting > 0) {
        unsigned long my_turn = rw->turn;

        rw->readers_waiting++;
        while (rw->turn == my_turn) /* until a writer lets us in */
            Pthread_cond_wait(&rw->readers_ok, &rw->lock);
        /* that writer already counted us in rw->readers */
    } else {
        rw->readers++;
    }
    Pthread_mutex_unlock(&rw->lock);
}

void rw_read_unlock(struct rwlock *rw)
{
    Pthread_mutex_lock(&rw->lock);
    if (--rw->readers == 0 && rw->writers_waiting > 0)
        Pthread_cond_signal(&rw->writer_ok); /* the room is empty */
    Pthread_mutex_unlock(&rw->lock);
}

void rw_write_lock(struct rwlock *rw)
{
    Pthread_mutex_lock(&rw->lock);
    rw->writers_waiting++;                 /* from now on, new readers queue */
    /* Bug: readers may still be inside; the writer goes in with them. */
    while (rw->writing)
        Pthread_cond_wait(&rw->writer_ok, &rw->lock);
    rw->writers_waiting--;
    rw->writing = 1;
    Pthread_mutex_unlock(&rw->lock);
}

/*
 * Queued readers go first, all together: they are counted in before
 * anyone else can take the mutex, so a waiting writer cannot slip in
 * ahead of them (it waits until they are out).  With no reader queued,
 * the next writer goes.
 */
void rw_write_unlock(struct rwlock *rw)
{
    Pthread_mutex_lock(&rw->lock);
    rw->writing = 0;
    rw->turn++;
    if (rw->readers_waiting > 0) {
        rw->readers += rw->readers_waiting;
        rw->readers_waiting = 0;
        Pthread_cond_broadcast(&rw->readers_ok);
    } else if (rw->writers_waiting > 0) {
        Pthread_cond_signal(&rw->writer_ok);
    }
    Pthread_mutex_unlock(&rw->lock);
}
