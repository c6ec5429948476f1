/* bench.c: lab 06, times count_locked and count_fast side by side. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../counter.h"

static double now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    long iters = argc > 1 ? atol(argv[1]) : 10000000;

    printf("%8s %12s %12s %12s\n", "threads", "iters", "locked (s)",
           "fast (s)");
    for (int n = 1; n <= 4; n *= 2) {
        double t0 = now();
        long a = count_locked(n, iters);
        double t1 = now();
        long b = count_fast(n, iters);
        double t2 = now();
        printf("%8d %12ld %12.3f %12.3f%s\n", n, iters, t1 - t0, t2 - t1,
               a == n * iters && b == n * iters ? "" : "  WRONG COUNT");
    }
    return 0;
}
