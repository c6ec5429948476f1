/* counter.c: lab 06 variant, count_locked aborts before it counts (Bug: no test ever finishes). */
#include <stdlib.h>

#include "counter.h"
#include "../sync-common/sync.h"

/* count_locked: one counter shared by all threads.  cnt++ is load, add,
 * store: cnt_lock makes the three steps of one thread indivisible with
 * respect to the other threads, so no update is lost. */
static pthread_mutex_t cnt_lock = PTHREAD_MUTEX_INITIALIZER;
static long cnt;    /* guarded by cnt_lock */
static long niters; /* set before the threads start, then only read */

static void *increment(void *arg)
{
    for (long i = 0; i < niters; i++) {
        Pthread_mutex_lock(&cnt_lock); /* enter the critical section */
        cnt++;
        Pthread_mutex_unlock(&cnt_lock); /* leave it */
    }
    return NULL;
}

/* Starts nthreads threads, thread i running fn on the i-th element of
 * arg (elements argsize bytes; arg NULL: no argument), and joins them. */
static void run_threads(int nthreads, void *(*fn)(void *), void *arg,
                        size_t argsize)
{
    pthread_t *tid = Malloc(nthreads * sizeof *tid);

    for (int i = 0; i < nthreads; i++)
        Pthread_create(&tid[i], NULL, fn,
                       arg ? (char *)arg + i * argsize : NULL);
    for (int i = 0; i < nthreads; i++)
        Pthread_join(tid[i], NULL);
    free(tid);
}

long count_locked(int nthreads, long iters)
{
    /* Bug: the whole test program dies here, before any test ends: the
     * race and deadlock checks measured nothing and must not pass. */
    abort();
    cnt = 0; /* no thread runs yet: no lock needed */
    niters = iters;
    run_threads(nthreads, increment, NULL, 0);
    return cnt; /* all threads joined: no lock needed */
}

/* count_fast: each thread counts in its own slot, so the threads share
 * nothing while they count and need no lock at all; main adds the slots
 * up after the joins, which order every thread's writes before its reads.
 * The padding puts each slot on its own cache line, so that two cores do
 * not keep stealing the same line from each other (false sharing). */
struct slot {
    long count;
    char pad[64 - sizeof(long)];
};

static void *count_own(void *arg)
{
    struct slot *mine = arg;
    long n = 0; /* a local: the compiler keeps it in a register */

    for (long i = 0; i < niters; i++)
        n++;
    mine->count = n;
    return NULL;
}

long count_fast(int nthreads, long iters)
{
    struct slot *slots = Calloc(nthreads, sizeof *slots);
    long total = 0;

    niters = iters;
    run_threads(nthreads, count_own, slots, sizeof *slots);
    for (int i = 0; i < nthreads; i++)
        total += slots[i].count;
    free(slots);
    return total;
}
