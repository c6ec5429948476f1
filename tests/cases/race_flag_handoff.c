// race_flag_handoff.c: data handed over through a plain flag
// EXPECT: data-race
// The consumer spins on `ready` and then reads `message`.  A volatile int is
// not synchronization: neither the flag nor the data is ordered between the
// threads (use a mutex and condition variable, or a C11 release/acquire flag).
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char message[32];
static volatile int ready; /* the bug: a plain flag used as a signal */

static void *producer(void *arg)
{
    usleep(20000); /* let the consumer start spinning first */
    strcpy(message, "hello");
    ready = 1;
    return NULL;
}

static void *consumer(void *arg)
{
    while (!ready)
        sched_yield();
    printf("got '%s'\n", message);
    return NULL;
}

int main(void)
{
    pthread_t p, c;

    pthread_create(&c, NULL, consumer, NULL);
    pthread_create(&p, NULL, producer, NULL);
    pthread_join(p, NULL);
    pthread_join(c, NULL);
    return 0;
}
