// livelock_philosophers.c: philosophers drop the left fork in lockstep
// EXPECT: livelock
// SAYS: livelock: puts them back in step at every round
// SAYS: livelock: Break the symmetry instead of retrying
// NEVER-SAYS: back off for a random time
// To avoid the classic deadlock each philosopher takes the left fork, tries
// the right one and, when it is taken, puts the left one down and retries.
// All three act in the same rhythm (a barrier keeps them in step), so each
// always finds the right fork taken: they keep busy and nobody ever eats.
// Fix: break the symmetry (one philosopher takes the right fork first); a
// random delay before retrying would not help: the barrier re-aligns them.
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#define N 3

static pthread_mutex_t fork_lock[N];
static pthread_barrier_t step; /* keeps the philosophers in lockstep */

static void think(void)
{
    volatile unsigned long spin = 0;

    for (unsigned long i = 0; i < 200000; i++)
        spin += i; /* busy: a livelocked thread burns CPU */
}

static void *philosopher(void *arg)
{
    int i = (int)(intptr_t)arg;
    int left = i, right = (i + 1) % N;
    long tries = 0;

    for (;;) {
        pthread_mutex_lock(&fork_lock[left]);
        pthread_barrier_wait(&step); /* everyone holds a left fork */
        if (pthread_mutex_trylock(&fork_lock[right]) == 0)
            break;
        tries++;
        pthread_barrier_wait(&step); /* everyone has failed */
        pthread_mutex_unlock(&fork_lock[left]);
        think();
    }
    printf("philosopher %d eats after %ld tries\n", i, tries);
    pthread_mutex_unlock(&fork_lock[right]);
    pthread_mutex_unlock(&fork_lock[left]);
    return NULL;
}

int main(void)
{
    pthread_t t[N];

    pthread_barrier_init(&step, NULL, N);
    for (int i = 0; i < N; i++)
        pthread_mutex_init(&fork_lock[i], NULL);
    for (int i = 0; i < N; i++)
        pthread_create(&t[i], NULL, philosopher, (void *)(intptr_t)i);
    for (int i = 0; i < N; i++)
        pthread_join(t[i], NULL);
    return 0;
}
