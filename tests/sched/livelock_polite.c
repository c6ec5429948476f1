/* livelock_polite.c: two threads back off from each other's lock forever. */
// EXPECT: livelock (racelab check --schedules 200)
// Each thread holds its own lock and only tries the other's; a barrier
// keeps the two in step, so every try fails and both give way together.
#include <pthread.h>
#include <sched.h>
#include <stdio.h>

static pthread_mutex_t left = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t right = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t in_step; /* both hold one lock, both fail */

struct twin {
    pthread_mutex_t *mine, *other;
};

static void *polite(void *arg)
{
    struct twin *me = arg;
    for (;;) {
        pthread_mutex_lock(me->mine);
        pthread_barrier_wait(&in_step); /* both hold their own lock */
        if (pthread_mutex_trylock(me->other) == 0)
            break;
        pthread_barrier_wait(&in_step); /* both have failed */
        pthread_mutex_unlock(me->mine); /* give way, then try again */
        sched_yield();
    }
    pthread_mutex_unlock(me->other);
    pthread_mutex_unlock(me->mine);
    return NULL;
}

int main(void)
{
    struct twin one = {&left, &right}, two = {&right, &left};
    pthread_t t1, t2;
    pthread_barrier_init(&in_step, NULL, 2);
    pthread_create(&t1, NULL, polite, &one);
    pthread_create(&t2, NULL, polite, &two);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    printf("both done\n");
    return 0;
}
