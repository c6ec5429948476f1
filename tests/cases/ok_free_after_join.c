// ok_free_after_join.c: a job freed only after its worker is joined
// EXPECT: none
// The correct version of uaf_thread_after_free.c: pthread_join guarantees
// the worker has finished with the job before main frees it.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct job {
    int id;
    int size;
    int result;
};

static void *worker(void *arg)
{
    struct job *job = arg;

    job->result = job->size * 2;
    return NULL;
}

int main(void)
{
    struct job *job = malloc(sizeof *job);
    pthread_t t;
    int result;

    if (job == NULL)
        return 1;
    job->id = 1;
    job->size = 64;
    pthread_create(&t, NULL, worker, job);
    pthread_join(t, NULL); /* the worker is done with job */
    result = job->result;
    free(job);
    if (result != 128)
        return 1;
    printf("DONE\n");
    return 0;
}
