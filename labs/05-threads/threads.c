/* threads.c: lab 05, pthreads basics (starter: has three bugs to fix). */
#include <stdint.h>
#include <stdlib.h>

#include "../sync-common/sync.h"
#include "threads.h"

/* The vector being summed: written before the threads start, then only
 * read, so the threads need no lock to read it. */
static const long *sum_v;
static size_t sum_n;
static int sum_nthreads;

/* excerpt: sum_slice */
/* Thread routine: sums slice number *arg of sum_v. */
static void *sum_slice(void *arg)
{
    int me = *(int *)arg;
    size_t lo = sum_n * me / sum_nthreads;
    size_t hi = sum_n * (me + 1) / sum_nthreads;
    long sum = 0;
    long *result = &sum;

    for (size_t k = lo; k < hi; k++)
        *result += sum_v[k];
    return result;
}
/* end excerpt */

long *sum_parallel(const long *v, size_t n, int nthreads)
{
    if (nthreads < 1)
        return NULL;
    pthread_t *tid = Malloc(nthreads * sizeof *tid);
    long *partial = Malloc(nthreads * sizeof *partial);

    sum_v = v;
    sum_n = n;
    sum_nthreads = nthreads;
    /* excerpt: create_loop */
    for (int i = 0; i < nthreads; i++)
        Pthread_create(&tid[i], NULL, sum_slice, &i);
    /* end excerpt */
    for (int i = 0; i < nthreads; i++) {
        void *ret;
        Pthread_join(tid[i], &ret);
        partial[i] = *(long *)ret;
    }
    free(tid);
    return partial;
}

static void (*background_job)(int id);

static void *background(void *arg)
{
    background_job((int)(intptr_t)arg);
    return NULL;
}

/* excerpt: spawn */
int spawn_background(int nthreads, void (*job)(int id))
{
    if (nthreads < 1)
        return -1;
    background_job = job;
    for (int i = 0; i < nthreads; i++) {
        pthread_t tid;
        Pthread_create(&tid, NULL, background, (void *)(intptr_t)i);
    }
    return 0;
}
/* end excerpt */
