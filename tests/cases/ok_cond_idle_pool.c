// ok_cond_idle_pool.c: an idle worker pool while main uses the same mutex
// EXPECT: none
// Three workers wait on `work` for a job that only comes after 2.5 s.
// Meanwhile main locks the pool's mutex thousands of times to update
// statistics, without signalling anyone.  The workers are idle, not
// starved: nobody woke them, so they never wanted in and were refused.
// (A starved waiter is woken and finds it still may not go in.)
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define WORKERS 3
#define IDLE_SECONDS 2.5

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work = PTHREAD_COND_INITIALIZER;
static int jobs, stopping; /* guarded by pool_lock */
static long done, stats;   /* guarded by pool_lock */

static void *worker(void *arg)
{
    pthread_mutex_lock(&pool_lock);
    for (;;) {
        while (jobs == 0 && !stopping)
            pthread_cond_wait(&work, &pool_lock);
        if (jobs == 0)
            break; /* stopping and nothing left */
        jobs--;
        pthread_mutex_unlock(&pool_lock);
        usleep(1000); /* the job, outside the lock */
        pthread_mutex_lock(&pool_lock);
        done++;
    }
    pthread_mutex_unlock(&pool_lock);
    return NULL;
}

static double now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(void)
{
    pthread_t t[WORKERS];
    double until = now() + IDLE_SECONDS;

    for (int i = 0; i < WORKERS; i++)
        pthread_create(&t[i], NULL, worker, NULL);
    while (now() < until) { /* unrelated work under the same mutex */
        pthread_mutex_lock(&pool_lock);
        stats++;
        pthread_mutex_unlock(&pool_lock);
        usleep(500);
    }
    pthread_mutex_lock(&pool_lock);
    jobs = 6;
    pthread_cond_broadcast(&work);
    pthread_mutex_unlock(&pool_lock);
    pthread_mutex_lock(&pool_lock);
    stopping = 1;
    pthread_cond_broadcast(&work);
    pthread_mutex_unlock(&pool_lock);
    for (int i = 0; i < WORKERS; i++)
        pthread_join(t[i], NULL);
    if (done != 6 || stats == 0)
        return 1;
    printf("DONE\n");
    return 0;
}
