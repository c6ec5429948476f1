// deadlock_philosophers.c: three philosophers all take the left fork first
// EXPECT: deadlock
// SAYS: deadlock: holds mutex fork_lock[1] (acquired at
// SAYS: deadlock: waits for mutex fork_lock[2] at
// NEVER-SAYS: fork_lock+
// Philosopher i takes fork i, then fork (i+1)%3.  A barrier makes all three
// hold their left fork before anyone reaches for the right one, so the wait
// is a cycle of three locks and the program hangs on every run.  Fix: one
// philosopher (or every one) takes the lower-numbered fork first.
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#define N 3

static pthread_mutex_t fork_lock[N];
static pthread_barrier_t all_hold_left;

static void *philosopher(void *arg)
{
    int i = (int)(intptr_t)arg;
    int left = i, right = (i + 1) % N;

    pthread_mutex_lock(&fork_lock[left]);
    pthread_barrier_wait(&all_hold_left);
    pthread_mutex_lock(&fork_lock[right]); /* held by the neighbour */
    printf("philosopher %d eats\n", i);
    pthread_mutex_unlock(&fork_lock[right]);
    pthread_mutex_unlock(&fork_lock[left]);
    return NULL;
}

int main(void)
{
    pthread_t t[N];

    pthread_barrier_init(&all_hold_left, NULL, N);
    for (int i = 0; i < N; i++)
        pthread_mutex_init(&fork_lock[i], NULL);
    for (int i = 0; i < N; i++)
        pthread_create(&t[i], NULL, philosopher, (void *)(intptr_t)i);
    for (int i = 0; i < N; i++)
        pthread_join(t[i], NULL);
    return 0;
}
