// uaf_thread_after_free.c: a thread reads its job after main has freed it.
// EXPECT: use-after-free
// main hands a heap-allocated job to a worker and then frees it, thinking
// the worker has copied what it needs; the semaphore makes the worker read
// the job only after the free, so the read touches freed memory every run.
// Fix: free the job after pthread_join, or let the worker own and free it.
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>

struct job {
    int id;
    int size;
};

static sem_t freed; /* posted after free(): forces the bad order */

static void *worker(void *arg)
{
    struct job *job = arg;
    int size;

    sem_wait(&freed);
    size = job->size; /* the bug: job was freed by main */
    printf("job size %d\n", size > 0);
    return NULL;
}

int main(void)
{
    struct job *job = malloc(sizeof *job);
    pthread_t t;

    if (job == NULL)
        return 1;
    job->id = 1;
    job->size = 64;
    sem_init(&freed, 0, 0);
    pthread_create(&t, NULL, worker, job);
    free(job); /* too early */
    sem_post(&freed);
    pthread_join(t, NULL);
    return 0;
}
