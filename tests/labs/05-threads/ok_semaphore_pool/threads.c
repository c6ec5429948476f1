/* threads.c: lab 05 variant 'ok_semaphore_pool': tricky-correct: detached sum
 * threads, completion counted on a semaphore instead of joins; the creator
 * detaches the background threads */
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
    long sum;      /* written by the thread, read by main after P */
    sem_t *done;   /* posted once the sum is in place */
};

/* Thread routine: sums its own slice into its own slot. */
static void *sum_slice(void *arg)
{
    struct slice *s = arg;

    long sum = 0;

    Pthread_detach(pthread_self()); /* nobody joins: the semaphore says */
    for (size_t k = s->lo; k < s->hi; k++)
        sum += s->v[k];
    s->sum = sum;
    V(s->done); /* our last use of *s: main may free it after its P */
    return NULL;
}

long *sum_parallel(const long *v, size_t n, int nthreads)
{
    if (nthreads < 1)
        return NULL;
    pthread_t tid;
    struct slice *slices = Malloc(nthreads * sizeof *slices);
    long *partial = Malloc(nthreads * sizeof *partial);
    sem_t done;

    Sem_init(&done, 0);

    for (int i = 0; i < nthreads; i++) {
        slices[i].v = v;
        slices[i].lo = n * i / nthreads;
        slices[i].hi = n * (i + 1) / nthreads;
        slices[i].done = &done;
        Pthread_create(&tid, NULL, sum_slice, &slices[i]);
    }
    for (int i = 0; i < nthreads; i++)
        P(&done); /* one V per thread: then every sum is in place */
    for (int i = 0; i < nthreads; i++)
        partial[i] = slices[i].sum;
    free(slices); /* every thread has made its last use of them */
    sem_destroy(&done);
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

        a->job = job;
        a->id = i;
        Pthread_create(&tid, NULL, background, a);
        Pthread_detach(tid); /* by the creator: fine even if it ended */
    }
    return 0;
}
