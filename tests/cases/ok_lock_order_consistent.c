// ok_lock_order_consistent.c: every thread takes lock a before lock b.
// EXPECT: none
// One global order (a, then b) means no thread can hold b while waiting for
// a, so no cycle and no deadlock is possible.
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER; /* lock order: a, b */
static pthread_mutex_t b = PTHREAD_MUTEX_INITIALIZER;
static long from = 1000, to; /* both guarded by a and b together */

static void *mover(void *arg)
{
    for (int i = 0; i < 100; i++) {
        pthread_mutex_lock(&a);
        pthread_mutex_lock(&b);
        from--;
        to++;
        pthread_mutex_unlock(&b);
        pthread_mutex_unlock(&a);
    }
    return NULL;
}

int main(void)
{
    pthread_t t[2];

    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, mover, NULL);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    if (from + to != 1000)
        return 1;
    printf("DONE\n");
    return 0;
}
