// ok_per_thread_counters.c: per-thread counters merged after join
// EXPECT: none
// No slot is shared while the threads run, and pthread_join orders each
// thread's writes before main's reads, so no lock is needed.
#include <pthread.h>
#include <stdio.h>

#define THREADS 4

struct slot {
    long count;
    char pad[56]; /* keep slots on separate cache lines */
};

static struct slot slots[THREADS];

static void *count(void *arg)
{
    struct slot *mine = arg;

    for (int i = 0; i < 25000; i++)
        mine->count++;
    return NULL;
}

int main(void)
{
    pthread_t t[THREADS];
    long total = 0;

    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, count, &slots[i]);
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL); /* orders the thread's writes before us */
        total += slots[i].count;
    }
    if (total != 100000)
        return 1;
    printf("DONE\n");
    return 0;
}
