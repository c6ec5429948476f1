// livelock_trylock.c: two polite threads back off in lockstep forever.
// EXPECT: livelock
// SAYS: livelock: puts them back in step at every round
// SAYS: livelock: Break the symmetry instead of retrying
// NEVER-SAYS: back off for a random time
// Each thread takes its first lock, then try-locks the other one.  The other
// thread holds it, so the trylock fails; the thread lets go of its own lock,
// backs off for the same time as its twin and tries again.  Barriers keep
// the two in step, so every try fails: both threads stay busy and neither
// ever gets both locks.  Fix: one global lock order (no trylock dance at
// all); a random back-off would not help, the barriers re-align them.
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t b = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t step; /* keeps the twins in lockstep */

struct twin {
    pthread_mutex_t *first, *second;
};

/* Spin (not sleep) for the back-off: a livelocked thread keeps busy. */
static void back_off(void)
{
    struct timespec t0, t;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    do
        clock_gettime(CLOCK_MONOTONIC, &t);
    while ((t.tv_sec - t0.tv_sec) * 1000000000L + t.tv_nsec - t0.tv_nsec <
           1000000L);
}

static void *polite(void *arg)
{
    struct twin *me = arg;

    for (;;) {
        pthread_mutex_lock(me->first);
        pthread_barrier_wait(&step); /* both hold their first lock */
        if (pthread_mutex_trylock(me->second) == 0)
            break;                   /* never happens: the twin holds it */
        pthread_barrier_wait(&step); /* both have failed */
        pthread_mutex_unlock(me->first);
        back_off();
    }
    printf("got both locks\n");
    pthread_mutex_unlock(me->second);
    pthread_mutex_unlock(me->first);
    return NULL;
}

int main(void)
{
    struct twin one = {&a, &b}, two = {&b, &a};
    pthread_t t1, t2;

    pthread_barrier_init(&step, NULL, 2);
    pthread_create(&t1, NULL, polite, &one);
    pthread_create(&t2, NULL, polite, &two);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    return 0;
}
