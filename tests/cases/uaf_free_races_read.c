// uaf_free_races_read.c: main frees a job while its worker still reads it.
// EXPECT: use-after-free
// main frees the job once it thinks the worker has read it; the worker
// reads its id, dawdles, then reads its size: after the free (ASan,
// memcheck), and nothing orders the reads with the free (TSan sees the
// free racing the first read).  One bug: one use-after-free finding.
// Fix: free the job after pthread_join, or let the worker own and free it.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct job {
    int id;
    int size;
};

static void *worker(void *arg)
{
    struct job *job = arg;
    struct timespec pause = {0, 200 * 1000 * 1000};
    int id = job->id;        /* before main's free, unordered with it */
    nanosleep(&pause, NULL); /* long after main's free: no sync with it */
    int size = job->size;    /* the bug: job was freed by main */
    printf("job %d size %d\n", id, size > 0);
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
    struct timespec pause = {0, 50 * 1000 * 1000};
    pthread_create(&t, NULL, worker, job);
    nanosleep(&pause, NULL); /* "the worker has read it by now" */
    free(job);               /* too early: it has not read all of it */
    pthread_join(t, NULL);
    return 0;
}
