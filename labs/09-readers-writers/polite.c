/* polite.c: lab 09 part 2, two polite diners (starter: livelocks). */
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

/* Waits 1 ms, busily, the same time for both diners. */
static void back_off(void)
{
    struct timespec t0, t;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    do
        clock_gettime(CLOCK_MONOTONIC, &t);
    while ((t.tv_sec - t0.tv_sec) * 1000000000L + t.tv_nsec - t0.tv_nsec <
           1000000L);
}

/*
 * The barrier `pace` stands for two diners who move at exactly the same
 * speed: both have their first fork when they look for the second, and
 * both have given up when they put the first one down.  Real threads
 * drift apart sooner or later; these never do, so the bug shows at once.
 */
/* excerpt: dine */
void dine(struct table *t, int me, int n)
{
    pthread_mutex_t *mine = &t->fork[me], *other = &t->fork[1 - me];

    for (int meal = 0; meal < n; meal++) {
        for (;;) {
            Pthread_mutex_lock(mine);       /* pick up my fork */
            pthread_barrier_wait(&t->pace); /* both hold one fork */
            if (pthread_mutex_trylock(other) == 0)
                break;                      /* got both: eat */
            pthread_barrier_wait(&t->pace); /* both have failed */
            Pthread_mutex_unlock(mine);     /* be polite: put it down */
            back_off();                     /* and try again later */
        }
        t->meals++;
        Pthread_mutex_unlock(other);
        Pthread_mutex_unlock(mine);
    }
}
/* end excerpt */
