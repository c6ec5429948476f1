/* threads.c: lab 05 variant 'ok_attr_detached_heap_result': tricky-correct:
 * slice number by value, result in a malloc'd block freed after the join;
 * background threads created detached */
#include <stdint.h>
#include <stdlib.h>

#include "../sync-common/sync.h"
#include "threads.h"

static const long *sum_v; /* set before the threads start, then only read */
static size_t sum_n;
static int sum_nthreads;

/* The slice number comes by value, cast into the pointer itself. */
static void *sum_slice(void *arg)
{
    int me = (int)(intptr_t)arg;
    long *sum = Malloc(sizeof *sum); /* outlives the thread */

    *sum = 0;
    for (size_t k = sum_n * me / sum_nthreads;
         k < sum_n * (me + 1) / sum_nthreads; k++)
        *sum += sum_v[k];
    return sum;
}

long *sum_parallel(const long *v, size_t n, int nthreads)
{
    if (nthreads < 1)
        return NULL;
    pthread_t *tid = Malloc(nthreads * sizeof *tid);
    long *partial = Malloc(nthreads * sizeof *partial);

    sum_v = v;
    sum_n = n;
    sum_nthreads = nthreads;
    for (int i = 0; i < nthreads; i++)
        Pthread_create(&tid[i], NULL, sum_slice, (void *)(intptr_t)i);
    for (int i = 0; i < nthreads; i++) {
        void *ret;

        Pthread_join(tid[i], &ret);
        partial[i] = *(long *)ret;
        free(ret); /* the joiner owns the thread's result */
    }
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
        pthread_attr_t attr;

        a->job = job;
        a->id = i;
        /* Born detached: nobody will join it. */
        PTHREAD_CHECK(pthread_attr_init(&attr), "pthread_attr_init");
        PTHREAD_CHECK(
            pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED),
            "pthread_attr_setdetachstate");
        Pthread_create(&tid, &attr, background, a);
        pthread_attr_destroy(&attr);
    }
    return 0;
}
