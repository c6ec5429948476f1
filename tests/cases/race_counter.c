// race_counter.c: two threads bump one shared counter with no lock.
// EXPECT: data-race
// counter++ is a load, an add and a store; with no mutex between the two
// threads their updates interleave and get lost.  No happens-before edge
// links the threads, so every detector sees the race on every run.
#include <pthread.h>
#include <stdio.h>

static long counter; /* shared, and nothing guards it: the bug */

static void *worker(void *arg)
{
    for (int i = 0; i < 100000; i++)
        counter++;
    return NULL;
}

int main(void)
{
    pthread_t t[2];

    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, worker, NULL);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    printf("counter = %ld (expected 200000)\n", counter);
    return 0;
}
