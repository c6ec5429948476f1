/* rwlock.c: variant relaxed_reader_count: a reader leaves without the
 * mutex, counting itself out with a relaxed atomic decrement, and a
 * writer polls that count. */
#include <sched.h>

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

void rw_read_lock(struct rwlock *rw)
{
    Pthread_mutex_lock(&rw->lock);
    while (rw->writing)
        Pthread_cond_wait(&rw->readers_ok, &rw->lock);
    __atomic_add_fetch(&rw->readers, 1, __ATOMIC_RELAXED);
    Pthread_mutex_unlock(&rw->lock);
}

/* Bug: relaxed, and no mutex: nothing orders the reader's reads before
 * the next writer's writes (the count reaches the writer, the reads'
 * ordering does not). */
void rw_read_unlock(struct rwlock *rw)
{
    __atomic_sub_fetch(&rw->readers, 1, __ATOMIC_RELAXED);
}

void rw_write_lock(struct rwlock *rw)
{
    Pthread_mutex_lock(&rw->lock);
    while (rw->writing || __atomic_load_n(&rw->readers, __ATOMIC_RELAXED) > 0) {
        Pthread_mutex_unlock(&rw->lock);
        sched_yield();
        Pthread_mutex_lock(&rw->lock);
    }
    rw->writing = 1;
    Pthread_mutex_unlock(&rw->lock);
}

void rw_write_unlock(struct rwlock *rw)
{
    Pthread_mutex_lock(&rw->lock);
    rw->writing = 0;
    pthread_cond_broadcast(&rw->readers_ok);
    Pthread_mutex_unlock(&rw->lock);
}
