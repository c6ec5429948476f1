// deadlock_barrier.c: two threads each hold one lock and wait for the other's.
// EXPECT: deadlock
// Thread one takes a, thread two takes b; they meet at a barrier so that both
// hold their first lock, then each asks for the other lock.  Neither can go
// on: the program hangs on every run.  Fix: take a and b in the same order.
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t b = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t both_hold_one; /* forces the deadly interleaving */

static void *a_then_b(void *arg)
{
    pthread_mutex_lock(&a);
    pthread_barrier_wait(&both_hold_one);
    pthread_mutex_lock(&b); /* waits for thread two forever */
    pthread_mutex_unlock(&b);
    pthread_mutex_unlock(&a);
    return NULL;
}

static void *b_then_a(void *arg)
{
    pthread_mutex_lock(&b);
    pthread_barrier_wait(&both_hold_one);
    pthread_mutex_lock(&a); /* waits for thread one forever */
    pthread_mutex_unlock(&a);
    pthread_mutex_unlock(&b);
    return NULL;
}

int main(void)
{
    pthread_t t1, t2;

    pthread_barrier_init(&both_hold_one, NULL, 2);
    pthread_create(&t1, NULL, a_then_b, NULL);
    pthread_create(&t2, NULL, b_then_a, NULL);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    printf("unreachable\n");
    return 0;
}
