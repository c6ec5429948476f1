/* two_by_two.c: lab 07 test driver: two producers and two consumers share
 * one small sbuf (needed to see the "no mutex" variant race). */
#include <stdio.h>
#include <stdint.h>

#include "../../../labs/07-sbuf/sbuf.h"
#include "../../../labs/sync-common/sync.h"

#define PER 2000

static sbuf_t sbuf;
static pthread_barrier_t go;

static void *producer(void *arg)
{
    int base = (int)(intptr_t)arg * PER;

    pthread_barrier_wait(&go);
    for (int i = 0; i < PER; i++)
        sbuf_insert(&sbuf, base + i);
    return NULL;
}

static void *consumer(void *arg)
{
    long sum = 0;

    pthread_barrier_wait(&go);
    for (int i = 0; i < PER; i++)
        sum += sbuf_remove(&sbuf);
    return (void *)sum;
}

int main(void)
{
    pthread_t p[2], c[2];
    long total = 0;

    sbuf_init(&sbuf, 4);
    pthread_barrier_init(&go, NULL, 4);
    for (int i = 0; i < 2; i++) {
        Pthread_create(&p[i], NULL, producer, (void *)(intptr_t)i);
        Pthread_create(&c[i], NULL, consumer, NULL);
    }
    for (int i = 0; i < 2; i++) {
        void *s;
        Pthread_join(p[i], NULL);
        Pthread_join(c[i], &s);
        total += (long)s;
    }
    sbuf_deinit(&sbuf);
    printf("%s\n",
           total == (long)(2 * PER) * (2 * PER - 1) / 2 ? "DONE" : "FAILED");
    return 0;
}
