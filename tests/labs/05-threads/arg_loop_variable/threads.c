/* threads.c: lab 05 variant 'arg_loop_variable': sum_parallel passes &i; each
 * thread reads its slice number through it */
#include <stdlib.h>

#include "../sync-common/sync.h"
#include "threads.h"

/* The vector being summed: set before the threads start, then only read. */
static const long *sum_v;
static size_t sum_n;
static int sum_nthreads;
static long *sums; /* sums[i] is written by thread i only */

static void *sum_slice(void *arg)
{
    int me = *(int *)arg; /* Bug: i may have moved on already */
    long sum = 0;

    for (size_t k = sum_n * me / sum_nthreads;
         k < sum_n * (me + 1) / sum_nthreads; k++)
        sum += sum_v[k];
    sums[me] = sum;
    return NULL;
}

long *sum_parallel(const long *v, size_t n, int nthreads)
{
    if (nthreads < 1)
        return NULL;
    pthread_t *tid = Malloc(nthreads * sizeof *tid);

    /* one spare slot: a thread that read i == nthreads writes there */
    sums = Calloc(nthreads + 1, sizeof *sums);
    sum_v = v;
    sum_n = n;
    sum_nthreads = nthreads;
    for (int i = 0; i < nthreads; i++)
        Pthread_create(&tid[i], NULL, sum_slice, &i); /* Bug: &i */
    for (int i = 0; i < nthreads; i++)
        Pthread_join(tid[i], NULL);
    free(tid);
    return sums;
}

/* One background thread's argument, malloc'd so it outlives the loop. */
struct background_arg {
    void (*job)(int id);
    int id;
};

static void *background(void *arg)
{
    struct background_arg a = *(struct background_arg *)arg;

    free(arg); /* our own copy: nobody else uses it */
    /* Nobody joins us: detached, the system frees our stack and exit
     * status as soon as we return. */
    Pthread_detach(pthread_self());
    a.job(a.id);
    return NULL;
}

int spawn_background(int nthreads, void (*job)(int id))
{
    if (nthreads < 1)
        return -1;
    for (int i = 0; i < nthreads; i++) {
        struct background_arg *a = Malloc(sizeof *a);
        pthread_t tid;

        a->job = job;
        a->id = i;
        Pthread_create(&tid, NULL, background, a);
    }
    return 0;
}
