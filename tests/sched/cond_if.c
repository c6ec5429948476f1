/* cond_if.c: consumers wait on a condition with `if` instead of `while`. */
// EXPECT: data-race (racelab check --schedules 200; a spurious or stolen
// wakeup lets a consumer go on with an empty queue)
#include <assert.h>
#include <pthread.h>
#include <stdio.h>

static int count; /* items ready; guarded by lock */
static int taken; /* guarded by lock */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ready = PTHREAD_COND_INITIALIZER;

static void *consumer(void *arg)
{
    pthread_mutex_lock(&lock);
    if (count == 0) /* the bug: `while` re-checks, `if` not */
        pthread_cond_wait(&ready, &lock);
    assert(count > 0);
    count--;
    taken++;
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(void)
{
    pthread_t c1, c2;
    pthread_create(&c1, NULL, consumer, NULL);
    pthread_create(&c2, NULL, consumer, NULL);
    for (int i = 0; i < 2; i++) {
        pthread_mutex_lock(&lock);
        count++;
        pthread_cond_signal(&ready);
        pthread_mutex_unlock(&lock);
    }
    pthread_join(c1, NULL);
    pthread_join(c2, NULL);
    printf("taken = %d\n", taken);
    return 0;
}
