/* sbuf.c: lab 07 variant 'no_mutex': no mutex at all */
#include <stdlib.h>

#include "sbuf.h"
#include "../sync-common/sync.h"

void sbuf_init(sbuf_t *sp, int n)
{
    sp->buf = Calloc(n, sizeof(int));
    sp->n = n;                /* Buffer holds max of n items */
    sp->front = sp->rear = 0; /* Empty buffer iff front == rear */
    Sem_init(&sp->mutex, 1);  /* Binary semaphore for locking */
    Sem_init(&sp->slots, n);  /* Initially, buf has n empty slots */
    Sem_init(&sp->items, 0);  /* Initially, buf has zero data items */
}

void sbuf_deinit(sbuf_t *sp)
{
    free(sp->buf);
    sem_destroy(&sp->mutex);
    sem_destroy(&sp->slots);
    sem_destroy(&sp->items);
}

/*
 * Wait for a slot BEFORE taking the lock: a producer that slept on slots
 * while holding mutex would keep every consumer out of sbuf_remove, and
 * only a consumer can free a slot.  The wait happens with no lock held.
 */
void sbuf_insert(sbuf_t *sp, int item)
{
    P(&sp->slots);                          /* Wait for available slot */
    sp->buf[(++sp->rear) % (sp->n)] = item; /* Bug: nothing guards rear */
    V(&sp->items);                          /* Announce available item */
}

/* The mirror image: wait for an item first, then lock. */
int sbuf_remove(sbuf_t *sp)
{
    int item;

    P(&sp->items);                           /* Wait for available item */
    item = sp->buf[(++sp->front) % (sp->n)]; /* Bug: nothing guards front */
    V(&sp->slots);                           /* Announce available slot */
    return item;
}
