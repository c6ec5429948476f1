// ok_gate_lock.c: opposite lock orders, always inside one gate lock
// EXPECT: none
// Thread one takes gate, a, b; thread two takes gate, b, a.  The orders of a
// and b are inverted, yet no deadlock is possible: whoever holds a or b also
// holds gate, so only one thread at a time can be taking a and b.
// ThreadSanitizer and helgrind both report a lock-order inversion here
// (they ignore the gate); racelab must not.
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER; /* taken first */
static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t b = PTHREAD_MUTEX_INITIALIZER;
static int shared; /* guarded by a and b */

static void *a_then_b(void *arg)
{
    pthread_mutex_lock(&gate);
    pthread_mutex_lock(&a);
    pthread_mutex_lock(&b);
    shared++;
    pthread_mutex_unlock(&b);
    pthread_mutex_unlock(&a);
    pthread_mutex_unlock(&gate);
    return NULL;
}

static void *b_then_a(void *arg)
{
    pthread_mutex_lock(&gate);
    pthread_mutex_lock(&b);
    pthread_mutex_lock(&a);
    shared++;
    pthread_mutex_unlock(&a);
    pthread_mutex_unlock(&b);
    pthread_mutex_unlock(&gate);
    return NULL;
}

int main(void)
{
    pthread_t t1, t2;

    pthread_create(&t1, NULL, a_then_b, NULL);
    pthread_create(&t2, NULL, b_then_a, NULL);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    if (shared != 2)
        return 1;
    printf("DONE\n");
    return 0;
}
