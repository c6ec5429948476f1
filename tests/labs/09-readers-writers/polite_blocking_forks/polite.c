/* polite.c: variant polite_blocking_forks: no more trylock, each diner
 * waits for the other fork while holding its own: a deadlock. */

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

/* Bug: "hold and wait" with opposite orders: diner 0 holds fork 0 and
 * waits for fork 1, diner 1 holds fork 1 and waits for fork 0.  The
 * barrier makes both hold their first fork before either asks for the
 * second, so it hangs every time. */
void dine(struct table *t, int me, int n)
{
    pthread_mutex_t *mine = &t->fork[me], *other = &t->fork[1 - me];

    for (int meal = 0; meal < n; meal++) {
        Pthread_mutex_lock(mine);
        pthread_barrier_wait(&t->pace); /* both hold one fork */
        Pthread_mutex_lock(other);
        t->meals++;
        Pthread_mutex_unlock(other);
        Pthread_mutex_unlock(mine);
    }
}
