// ok_trylock_reverse_order.c: the reverse lock order is taken with trylock
// EXPECT: none
// Thread one takes a, then b.  Thread two needs them the other way round,
// so it takes b and only *tries* a; on failure it lets b go and starts
// again.  A trylock never waits, so no cycle of waiting threads can form:
// this cannot deadlock, and it cannot livelock either, because thread one
// blocks normally and always gets through.
#include <pthread.h>
#include <sched.h>
#include <stdio.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER; /* lock order: a, b */
static pthread_mutex_t b = PTHREAD_MUTEX_INITIALIZER;
static long moved; /* guarded by a and b together */

static void *in_order(void *arg)
{
    for (int i = 0; i < 1000; i++) {
        pthread_mutex_lock(&a);
        pthread_mutex_lock(&b);
        moved++;
        pthread_mutex_unlock(&b);
        pthread_mutex_unlock(&a);
    }
    return NULL;
}

static void *reverse_with_trylock(void *arg)
{
    for (int i = 0; i < 1000; i++) {
        for (;;) {
            pthread_mutex_lock(&b);
            if (pthread_mutex_trylock(&a) == 0)
                break;
            pthread_mutex_unlock(&b); /* back off: let in_order finish */
            sched_yield();
        }
        moved++;
        pthread_mutex_unlock(&a);
        pthread_mutex_unlock(&b);
    }
    return NULL;
}

int main(void)
{
    pthread_t t1, t2;

    pthread_create(&t1, NULL, in_order, NULL);
    pthread_create(&t2, NULL, reverse_with_trylock, NULL);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    if (moved != 2000)
        return 1;
    printf("DONE\n");
    return 0;
}
