// leak_thread_never_joined.c: finished workers never joined nor detached
// EXPECT: thread-leak
// Main waits for the workers with a barrier instead of pthread_join, so the
// workers finish but stay joinable: their stacks and exit status are never
// reclaimed (in a long-running server this piles up until pthread_create
// fails).  Fix: pthread_join each thread, or create it detached.
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#define WORKERS 3

static pthread_barrier_t all_done;
static int results[WORKERS]; /* each worker writes its own slot */

static void *worker(void *arg)
{
    int *slot = arg;

    *slot = 42;
    pthread_barrier_wait(&all_done);
    return NULL;
}

int main(void)
{
    pthread_t t[WORKERS];
    int sum = 0;

    pthread_barrier_init(&all_done, NULL, WORKERS + 1);
    for (int i = 0; i < WORKERS; i++)
        pthread_create(&t[i], NULL, worker, &results[i]);
    pthread_barrier_wait(&all_done); /* the bug: no pthread_join */
    for (int i = 0; i < WORKERS; i++)
        sum += results[i];
    usleep(100000); /* the workers have returned by now: leaked, not running */
    printf("sum = %d\n", sum);
    return 0;
}
