/* threads.c: lab 05 variant 'result_freed_by_thread': each thread frees its
 * malloc'd argument, which holds its result, before main reads it */
#include <stdlib.h>

#include "../sync-common/sync.h"
#include "threads.h"

/* One thread's own argument and result, malloc'd for it. */
struct slice {
    long sum; /* written by the thread */
    const long *v;
    size_t lo, hi;
};

static void *sum_slice(void *arg)
{
    struct slice *s = arg;

    s->sum = 0;
    for (size_t k = s->lo; k < s->hi; k++)
        s->sum += s->v[k];
    free(s); /* Bug: main still has to read s->sum */
    return NULL;
}

long *sum_parallel(const long *v, size_t n, int nthreads)
{
    if (nthreads < 1)
        return NULL;
    pthread_t *tid = Malloc(nthreads * sizeof *tid);
    struct slice **args = Malloc(nthreads * sizeof *args);
    long *partial = Malloc(nthreads * sizeof *partial);

    for (int i = 0; i < nthreads; i++) {
        args[i] = Malloc(sizeof *args[i]);
        args[i]->v = v;
        args[i]->lo = n * i / nthreads;
        args[i]->hi = n * (i + 1) / nthreads;
        Pthread_create(&tid[i], NULL, sum_slice, args[i]);
    }
    for (int i = 0; i < nthreads; i++) {
        Pthread_join(tid[i], NULL);
        partial[i] = args[i]->sum; /* Bug: the block was freed */
    }
    free(args);
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
