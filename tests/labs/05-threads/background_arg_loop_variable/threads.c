/* threads.c: lab 05 variant 'background_arg_loop_variable': spawn_background
 * passes &i: each thread reads its id through it */
#include <stdlib.h>

#include "../sync-common/sync.h"
#include "threads.h"

/* One thread's own argument and result.  Each thread gets a pointer to
 * its own element of an array that outlives it (freed only after the
 * join), so no thread reads a variable that the creating loop changes,
 * and the result lives in memory that still exists after the thread. */
struct slice {
    const long *v;
    size_t lo, hi; /* the slice [lo, hi) this thread sums */
    long sum;      /* written by the thread, read by main after join */
};

/* Thread routine: sums its own slice into its own slot. */
static void *sum_slice(void *arg)
{
    struct slice *s = arg;

    s->sum = 0;
    for (size_t k = s->lo; k < s->hi; k++)
        s->sum += s->v[k];
    return NULL; /* the result is in *s, not on this dying stack */
}

long *sum_parallel(const long *v, size_t n, int nthreads)
{
    if (nthreads < 1)
        return NULL;
    pthread_t *tid = Malloc(nthreads * sizeof *tid);
    struct slice *slices = Malloc(nthreads * sizeof *slices);
    long *partial = Malloc(nthreads * sizeof *partial);

    for (int i = 0; i < nthreads; i++) {
        slices[i].v = v;
        slices[i].lo = n * i / nthreads;
        slices[i].hi = n * (i + 1) / nthreads;
        /* &slices[i], not &i: i changes before the thread reads it. */
        Pthread_create(&tid[i], NULL, sum_slice, &slices[i]);
    }
    for (int i = 0; i < nthreads; i++) {
        Pthread_join(tid[i], NULL); /* after this, slices[i].sum is set */
        partial[i] = slices[i].sum;
    }
    free(slices); /* no thread uses them any more: all joined */
    free(tid);
    return partial;
}

static void (*background_job)(int id); /* set before the threads start */

static void *background(void *arg)
{
    int id = *(int *)arg; /* Bug: i may have changed, or be gone */

    Pthread_detach(pthread_self());
    background_job(id);
    return NULL;
}

int spawn_background(int nthreads, void (*job)(int id))
{
    if (nthreads < 1)
        return -1;
    background_job = job;
    for (int i = 0; i < nthreads; i++) {
        pthread_t tid;

        Pthread_create(&tid, NULL, background, &i); /* Bug: &i */
    }
    return 0;
}
