/* livelock_polite_ok.c: the same give-way loop, both in one lock order. */
// EXPECT: no finding (racelab check --schedules 1000)
// Both threads take left before right: the trylock can only fail while
// the other thread holds both, and then it gives them back for good.
#include <pthread.h>
#include <sched.h>
#include <stdio.h>

static pthread_mutex_t left = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t right = PTHREAD_MUTEX_INITIALIZER;
static int meals; /* guarded by left and right */

static void *polite(void *arg)
{
    for (;;) {
        pthread_mutex_lock(&left); /* left, then right, always */
        if (pthread_mutex_trylock(&right) == 0)
            break;
        pthread_mutex_unlock(&left); /* give way, then try again */
        sched_yield();
    }
    meals++;
    pthread_mutex_unlock(&right);
    pthread_mutex_unlock(&left);
    return NULL;
}

int main(void)
{
    pthread_t t1, t2;
    pthread_create(&t1, NULL, polite, NULL);
    pthread_create(&t2, NULL, polite, NULL);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    printf("meals = %d\n", meals);
    return meals == 2 ? 0 : 1;
}
