// lockorder_sequential.c: two threads, two locks, opposite orders
// EXPECT: lock-order-inversion
// Thread one takes a then b; after it is joined, thread two takes b then a.
// The runs never overlap, so this run cannot hang, but the order is
// inconsistent: had they run together, each could hold one lock and wait for
// the other forever.  Fix: always take a before b.
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t b = PTHREAD_MUTEX_INITIALIZER;
static int shared; /* guarded by a and b together */

static void *a_then_b(void *arg)
{
    pthread_mutex_lock(&a);
    pthread_mutex_lock(&b);
    shared++;
    pthread_mutex_unlock(&b);
    pthread_mutex_unlock(&a);
    return NULL;
}

static void *b_then_a(void *arg)
{
    pthread_mutex_lock(&b);
    pthread_mutex_lock(&a); /* the bug: opposite order to a_then_b */
    shared++;
    pthread_mutex_unlock(&a);
    pthread_mutex_unlock(&b);
    return NULL;
}

int main(void)
{
    pthread_t t;

    /* One after the other: the inversion is there, the hang is not. */
    pthread_create(&t, NULL, a_then_b, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, b_then_a, NULL);
    pthread_join(t, NULL);
    printf("shared = %d\n", shared);
    return 0;
}
