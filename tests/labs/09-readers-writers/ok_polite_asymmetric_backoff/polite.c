/* polite.c: variant ok_polite_asymmetric_backoff (correct): still
 * trylock and back off, but diner 1 backs off ten times longer. */
#include <time.h>

#include "polite.h"
#include "../sync-common/sync.h"

void table_init(struct table *t)
{
    Pthread_mutex_init(&t->fork[0]);
    Pthread_mutex_init(&t->fork[1]);
    pthread_barrier_init(&t->pace, NULL, 2);
    t->meals = 0;
}

void table_destroy(struct table *t)
{
    pthread_barrier_destroy(&t->pace);
    Pthread_mutex_destroy(&t->fork[1]);
    Pthread_mutex_destroy(&t->fork[0]);
}

/* Waits ms milliseconds, busily. */
static void back_off(long ms)
{
    struct timespec t0, t;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    do
        clock_gettime(CLOCK_MONOTONIC, &t);
    while ((t.tv_sec - t0.tv_sec) * 1000000000L + t.tv_nsec - t0.tv_nsec <
           ms * 1000000L);
}

/* Not a bug: the diners no longer move in step (no barrier), and when
 * both fail, diner 0 retries after 1 ms while diner 1 waits 10 ms, so
 * diner 0 finds the other fork free on its next try. */
void dine(struct table *t, int me, int n)
{
    pthread_mutex_t *mine = &t->fork[me], *other = &t->fork[1 - me];

    for (int meal = 0; meal < n; meal++) {
        for (;;) {
            Pthread_mutex_lock(mine);
            if (pthread_mutex_trylock(other) == 0)
                break;
            Pthread_mutex_unlock(mine);
            back_off(me == 0 ? 1 : 10);
        }
        t->meals++;
        Pthread_mutex_unlock(other);
        Pthread_mutex_unlock(mine);
    }
}
