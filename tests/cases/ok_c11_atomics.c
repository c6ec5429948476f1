// ok_c11_atomics.c: a C11 atomic counter and a release/acquire hand-off flag.
// EXPECT: none
// atomic_fetch_add makes each increment indivisible; the producer stores the
// data and then sets `ready` with release order, and the consumer reads
// `ready` with acquire order before the data, so the data is ordered too.
// helgrind and drd do not understand C11 atomics and report races here;
// racelab must not.
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

static atomic_long hits;
static int payload; /* written before ready, read after it */
static atomic_int ready;

static void *counter(void *arg)
{
    for (int i = 0; i < 10000; i++)
        atomic_fetch_add(&hits, 1);
    return NULL;
}

static void *producer(void *arg)
{
    payload = 42;
    atomic_store_explicit(&ready, 1, memory_order_release);
    return NULL;
}

static void *consumer(void *arg)
{
    while (!atomic_load_explicit(&ready, memory_order_acquire))
        sched_yield();
    return payload == 42 ? arg : NULL;
}

int main(void)
{
    pthread_t t[4];
    void *ok;

    pthread_create(&t[0], NULL, counter, NULL);
    pthread_create(&t[1], NULL, counter, NULL);
    pthread_create(&t[2], NULL, consumer, &hits);
    pthread_create(&t[3], NULL, producer, NULL);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    pthread_join(t[2], &ok);
    pthread_join(t[3], NULL);
    if (atomic_load(&hits) != 20000 || ok == NULL)
        return 1;
    printf("DONE\n");
    return 0;
}
