// ok_detached_threads.c: detached workers report back through a condvar
// EXPECT: none
// Detached threads are never joined, and need not be: their resources are
// reclaimed when they exit.  Main waits until all have signalled, then gives
// them a moment to return before it exits.
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#define WORKERS 3

static pthread_mutex_t done_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cond = PTHREAD_COND_INITIALIZER;
static int done; /* guarded by done_lock */

static void *worker(void *arg)
{
    pthread_mutex_lock(&done_lock);
    done++;
    pthread_cond_signal(&done_cond);
    pthread_mutex_unlock(&done_lock);
    return NULL;
}

int main(void)
{
    pthread_attr_t attr;
    pthread_t t;

    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    for (int i = 0; i < WORKERS; i++)
        pthread_create(&t, &attr, worker, NULL);
    pthread_attr_destroy(&attr);
    pthread_mutex_lock(&done_lock);
    while (done < WORKERS)
        pthread_cond_wait(&done_cond, &done_lock);
    pthread_mutex_unlock(&done_lock);
    usleep(100000); /* let the last worker return from its function */
    printf("DONE\n");
    return 0;
}
