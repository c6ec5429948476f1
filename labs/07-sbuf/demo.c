/* demo.c: lab 07 driver: a fast producer fills a small buffer, a slow
 * consumer drains it; every item must arrive once and in order. */
#include <stdio.h>
#include <unistd.h>

#include "sbuf.h"
#include "../sync-common/sync.h"

#define SLOTS 4
#define NITEMS 50

static sbuf_t sbuf;
static sem_t first_taken; /* the consumer has removed item 0 */

/* The consumer is slow on purpose (1 ms per item), so the producer finds
 * the buffer full again and again: the case a buffer must get right. */
static void *consumer(void *arg)
{
    long bad = 0;

    for (int i = 0; i < NITEMS; i++) {
        if (sbuf_remove(&sbuf) != i)
            bad++;
        if (i == 0)
            V(&first_taken); /* the producer may go on */
        usleep(1000);
    }
    return (void *)bad;
}

int main(void)
{
    pthread_t tid;
    void *bad;

    sbuf_init(&sbuf, SLOTS);
    Sem_init(&first_taken, 0);
    Pthread_create(&tid, NULL, consumer, NULL);
    for (int i = 0; i < NITEMS; i++) {
        sbuf_insert(&sbuf, i); /* blocks while the buffer is full */
        if (i == 0)
            P(&first_taken); /* start once the consumer is going */
    }
    Pthread_join(tid, &bad);
    sbuf_deinit(&sbuf);
    printf(bad ? "FAILED: items lost or out of order\n" : "DONE\n");
    return 0;
}
