/* counter.c: lab 06 variant 'ok_semaphore_join_value': tricky-correct: a
 * semaphore as the lock; count_fast returns each count through pthread_join */
#include <stdint.h>
#include <stdlib.h>

#include "counter.h"
#include "../sync-common/sync.h"

/* count_locked: one counter shared by all threads.  cnt++ is load, add,
 * store: cnt_lock makes the three steps of one thread indivisible with
 * respect to the other threads, so no update is lost. */
static sem_t cnt_sem; /* a semaphore at 1 used as a lock */
static long cnt;      /* guarded by cnt_lock */
static long niters;   /* set before the threads start, then only read */

static void *increment(void *arg)
{
    for (long i = 0; i < niters; i++) {
        P(&cnt_sem);
        cnt++;
        V(&cnt_sem);
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
    Sem_init(&cnt_sem, 1);
    cnt = 0; /* no thread runs yet: no lock needed */
    niters = iters;
    run_threads(nthreads, increment, NULL, 0);
    sem_destroy(&cnt_sem);
    return cnt; /* all threads joined: no lock needed */
}

/* The count travels back as the thread's return value. */
static void *count_and_return(void *arg)
{
    long n = 0;

    for (long i = 0; i < niters; i++)
        n++;
    return (void *)(intptr_t)n;
}

long count_fast(int nthreads, long iters)
{
    pthread_t *tid = Malloc(nthreads * sizeof *tid);
    long total = 0;

    niters = iters;
    for (int i = 0; i < nthreads; i++)
        Pthread_create(&tid[i], NULL, count_and_return, NULL);
    for (int i = 0; i < nthreads; i++) {
        void *n;
        Pthread_join(tid[i], &n);
        total += (long)(intptr_t)n;
    }
    free(tid);
    return total;
}
