// ok_cond_broadcast_pool.c: one condition, two kinds of waiters, broadcasts
// EXPECT: none
// For 2.5 s main queues a job every 2 ms and broadcasts `work`.  Three
// workers wake up and race for each job; a reporter thread waits on the
// same condition for the final report, so every broadcast wakes it too and
// it goes back to waiting, 1000 times.  It is waiting for an event that
// has not come yet, not starving: the workers that wait on the same
// condition keep getting past it, so the condition does hand out what it
// guards.  (A starved waiter is the only kind that waits there, and none
// of them ever gets past.)
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define WORKERS 3
#define RUN_SECONDS 2.5

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work = PTHREAD_COND_INITIALIZER;
static int jobs, stopping;      /* guarded by pool_lock */
static long given, done, total; /* guarded by pool_lock */

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
        usleep(200); /* the job, outside the lock */
        pthread_mutex_lock(&pool_lock);
        done++;
    }
    pthread_mutex_unlock(&pool_lock);
    return NULL;
}

static void *reporter(void *arg)
{
    pthread_mutex_lock(&pool_lock);
    while (!stopping) /* woken by every job's broadcast */
        pthread_cond_wait(&work, &pool_lock);
    total = given;
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
    pthread_t t[WORKERS], r;
    double until = now() + RUN_SECONDS;

    pthread_create(&r, NULL, reporter, NULL);
    for (int i = 0; i < WORKERS; i++)
        pthread_create(&t[i], NULL, worker, NULL);
    while (now() < until) {
        pthread_mutex_lock(&pool_lock);
        jobs++;
        given++;
        pthread_cond_broadcast(&work); /* wakes every idle waiter */
        pthread_mutex_unlock(&pool_lock);
        usleep(2000);
    }
    pthread_mutex_lock(&pool_lock);
    stopping = 1;
    pthread_cond_broadcast(&work);
    pthread_mutex_unlock(&pool_lock);
    for (int i = 0; i < WORKERS; i++)
        pthread_join(t[i], NULL);
    pthread_join(r, NULL);
    if (done != given || total != given)
        return 1;
    printf("DONE\n");
    return 0;
}
