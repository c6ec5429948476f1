// ok_counter_mutex.c: two threads bump a shared counter under one mutex.
// EXPECT: none
// Every access to counter happens with counter_lock held, so the updates are
// serialized and the total is exact.
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter; /* guarded by counter_lock */

static void *worker(void *arg)
{
    for (int i = 0; i < 50000; i++) {
        pthread_mutex_lock(&counter_lock);
        counter++;
        pthread_mutex_unlock(&counter_lock);
    }
    return NULL;
}

int main(void)
{
    pthread_t t[2];

    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, worker, NULL);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    if (counter != 100000)
        return 1;
    printf("DONE\n");
    return 0;
}
