/* counter.h: lab 06, a shared counter: the functions you implement. */
#ifndef LAB_COUNTER_H
#define LAB_COUNTER_H

/*
 * Both functions start nthreads threads; each adds 1 to a counter iters
 * times; they join every thread and return the final count, which must be
 * exactly nthreads * iters.
 *
 * count_locked: all threads add to ONE shared counter.
 * count_fast:   the same total, but fast: threads do not fight over a
 *               shared counter (or its lock) on every increment.
 */
long count_locked(int nthreads, long iters);
long count_fast(int nthreads, long iters);

#endif
