/* demo.c: lab 05 driver: sums a vector in parallel, runs background jobs. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../sync-common/sync.h"
#include "threads.h"

#define N 100000
#define NTHREADS 4
#define NJOBS 3

static sem_t jobs_done; /* posted once by each background job */

static void job(int id)
{
    (void)id;
    V(&jobs_done); /* tell main this job has finished */
}

/* Checks every partial sum against the same sum done by one thread. */
static int check_sums(const long *v, const long *partial)
{
    int ok = 1;

    for (int i = 0; i < NTHREADS; i++) {
        long want = 0;
        for (size_t k = (size_t)N * i / NTHREADS;
             k < (size_t)N * (i + 1) / NTHREADS; k++)
            want += v[k];
        if (partial[i] != want) {
            printf("slice %d: got %ld, want %ld\n", i, partial[i], want);
            ok = 0;
        }
    }
    return ok;
}

int main(void)
{
    long *v = Malloc(N * sizeof *v);
    int ok;

    for (size_t k = 0; k < N; k++)
        v[k] = (long)k + 1;
    long *partial = sum_parallel(v, N, NTHREADS);
    ok = partial && check_sums(v, partial);
    free(partial);
    free(v);

    Sem_init(&jobs_done, 0);
    if (spawn_background(NJOBS, job) < 0)
        ok = 0;
    for (int i = 0; i < NJOBS; i++)
        P(&jobs_done); /* every job ran */
    usleep(100000);    /* ... and its thread has returned by now */

    printf(ok ? "DONE\n" : "FAILED: wrong partial sums\n");
    return 0;
}
