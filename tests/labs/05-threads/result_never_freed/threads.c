/* threads.c: lab 05 variant 'result_never_freed': each thread returns a
 * malloc'd result that main never frees */
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

    long *result = Malloc(sizeof *result);

    *result = 0;
    for (size_t k = s->lo; k < s->hi; k++)
        *result += s->v[k];
    return result; /* lives on after the thread: main must free it */
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
        void *ret;

        Pthread_join(tid[i], &ret);
        partial[i] = *(long *)ret; /* Bug: ret is never freed */
    }
    free(slices); /* no thread uses them any more: all joined */
    free(tid);
    return partial;
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
