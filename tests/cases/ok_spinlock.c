// ok_spinlock.c: a counter guarded by a pthread spinlock.
// EXPECT: none
// The critical section is tiny, so a spinlock is reasonable; every access
// to total is inside it.
#include <pthread.h>
#include <stdio.h>

static pthread_spinlock_t total_lock;
static long total; /* guarded by total_lock */

static void *adder(void *arg)
{
    for (int i = 0; i < 20000; i++) {
        pthread_spin_lock(&total_lock);
        total += 1;
        pthread_spin_unlock(&total_lock);
    }
    return NULL;
}

int main(void)
{
    pthread_t t[2];

    pthread_spin_init(&total_lock, PTHREAD_PROCESS_PRIVATE);
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, adder, NULL);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    pthread_spin_destroy(&total_lock);
    if (total != 40000)
        return 1;
    printf("DONE\n");
    return 0;
}
