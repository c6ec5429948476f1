/* rwlock.c: variant ok_own_spinlock (correct): the solution's fair turns,
 * its fields guarded by the student's own spin lock (acquire and release
 * atomics); the mutex and a condition serve only to sleep. */
#include <sched.h>

#include "rwlock.h"
#include "../sync-common/sync.h"

/*
 * The header is fixed, so the spin lock and the count of wake-ups live
 * here: one lock at a time, as the tests use it.  A thread holds `guard`
 * for a few instructions; one that must wait sleeps on `readers_ok`
 * until `wakes` moves, then checks again.
 */
static int guard;
static unsigned wakes;

static void guard_lock(void)
{
    while (__atomic_exchange_n(&guard, 1, __ATOMIC_ACQUIRE))
        sched_yield();
}

static void guard_unlock(void)
{
    __atomic_store_n(&guard, 0, __ATOMIC_RELEASE);
}

/* Called holding guard, which it lets go: sleeps until a wake_all after
 * the caller decided to wait (none is lost: `seen` is read first). */
static void sleep_on(struct rwlock *rw)
{
    unsigned seen = __atomic_load_n(&wakes, __ATOMIC_RELAXED);

    guard_unlock();
    Pthread_mutex_lock(&rw->lock);
    while (__atomic_load_n(&wakes, __ATOMIC_RELAXED) == seen)
        Pthread_cond_wait(&rw->readers_ok, &rw->lock);
    Pthread_mutex_unlock(&rw->lock);
    guard_lock();
}

static void wake_all(struct rwlock *rw)
{
    Pthread_mutex_lock(&rw->lock);
    __atomic_add_fetch(&wakes, 1, __ATOMIC_RELAXED);
    Pthread_cond_broadcast(&rw->readers_ok);
    Pthread_mutex_unlock(&rw->lock);
}

void rw_init(struct rwlock *rw)
{
    Pthread_mutex_init(&rw->lock);
    Pthread_cond_init(&rw->readers_ok);
    Pthread_cond_init(&rw->writer_ok); /* unused: one condition for all */
    rw->readers = 0;
    rw->writing = 0;
    rw->writers_waiting = 0;
    rw->readers_waiting = 0;
    rw->turn = 0;
    guard = 0;
}

void rw_destroy(struct rwlock *rw)
{
    pthread_cond_destroy(&rw->writer_ok);
    pthread_cond_destroy(&rw->readers_ok);
    Pthread_mutex_destroy(&rw->lock);
}

/* The solution's turns: a new reader queues behind a writer inside or
 * waiting; a leaving writer lets every queued reader in at once. */
void rw_read_lock(struct rwlock *rw)
{
    guard_lock();
    if (rw->writing || rw->writers_waiting > 0) {
        unsigned long my_turn = rw->turn;

        rw->readers_waiting++;
        while (rw->turn == my_turn)
            sleep_on(rw);
    } else {
        rw->readers++;
    }
    guard_unlock();
}

void rw_read_unlock(struct rwlock *rw)
{
    guard_lock();
    int wake = --rw->readers == 0 && rw->writers_waiting > 0;
    guard_unlock();
    if (wake)
        wake_all(rw);
}

void rw_write_lock(struct rwlock *rw)
{
    guard_lock();
    rw->writers_waiting++;
    while (rw->writing || rw->readers > 0)
        sleep_on(rw);
    rw->writers_waiting--;
    rw->writing = 1;
    guard_unlock();
}

void rw_write_unlock(struct rwlock *rw)
{
    guard_lock();
    int wake = rw->readers_waiting > 0 || rw->writers_waiting > 0;
    rw->writing = 0;
    rw->turn++;
    rw->readers += rw->readers_waiting;
    rw->readers_waiting = 0;
    guard_unlock();
    if (wake)
        wake_all(rw);
}
