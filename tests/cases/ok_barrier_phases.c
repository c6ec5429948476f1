// ok_barrier_phases.c: write own cell, barrier, read neighbour
// EXPECT: none
// Each thread writes only its own cell before the barrier; after the
// barrier it reads its neighbour's cell.  The barrier orders every phase-one
// write before every phase-two read, so there is no race.
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#define THREADS 3

static pthread_barrier_t phase;
static int cell[THREADS];
static int seen[THREADS];

static void *step(void *arg)
{
    int i = (int)(intptr_t)arg;

    cell[i] = i + 1;              /* phase one: own cell only */
    pthread_barrier_wait(&phase); /* all cells written */
    seen[i] = cell[(i + 1) % THREADS];
    return NULL;
}

int main(void)
{
    pthread_t t[THREADS];
    int sum = 0;

    pthread_barrier_init(&phase, NULL, THREADS);
    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, step, (void *)(intptr_t)i);
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        sum += seen[i];
    }
    pthread_barrier_destroy(&phase);
    if (sum != 6)
        return 1;
    printf("DONE\n");
    return 0;
}
