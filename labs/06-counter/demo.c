/* demo.c: lab 06 driver: counts with both versions and checks the totals. */
#include <stdio.h>
#include <stdlib.h>

#include "counter.h"

#define NTHREADS 2

int main(int argc, char **argv)
{
    long iters = argc > 1 ? atol(argv[1]) : 100000;
    long want = NTHREADS * iters;
    long locked = count_locked(NTHREADS, iters);
    long fast = count_fast(NTHREADS, iters);

    printf("count_locked: %ld (want %ld)\n", locked, want);
    printf("count_fast:   %ld (want %ld)\n", fast, want);
    printf(locked == want && fast == want ? "DONE\n" : "FAILED\n");
    return 0;
}
