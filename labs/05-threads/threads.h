/* threads.h: lab 05, pthreads basics: the functions you implement. */
#ifndef LAB_THREADS_H
#define LAB_THREADS_H

#include <stddef.h>

/*
 * Part 1.  Sums v[0..n) with nthreads threads.  Thread i sums slice i,
 * the elements v[n*i/nthreads .. n*(i+1)/nthreads).  Returns a malloc'd
 * array of nthreads partial sums, partial[i] being slice i's sum (the
 * caller frees it), or NULL if nthreads < 1.  Every thread has finished
 * when it returns.
 */
long *sum_parallel(const long *v, size_t n, int nthreads);

/*
 * Part 2.  Starts nthreads background threads; thread i calls job(i) once
 * and ends.  Returns at once, without waiting for them: nobody will ever
 * call pthread_join on these threads, so they must not stay around as
 * joinable threads after they end.  Returns 0, or -1 if nthreads < 1.
 */
int spawn_background(int nthreads, void (*job)(int id));

#endif
