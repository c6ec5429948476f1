/* sbuf.h: lab 07, a bounded buffer of ints for producers and consumers. */
#ifndef LAB_SBUF_H
#define LAB_SBUF_H

#include <semaphore.h>

typedef struct {
    int *buf;    /* buffer array of n slots */
    int n;       /* maximum number of items */
    int front;   /* buf[(front+1)%n] is the first item */
    int rear;    /* buf[rear%n] is the last item */
    sem_t mutex; /* protects buf, front and rear */
    sem_t slots; /* counts available slots */
    sem_t items; /* counts available items */
    /* Lock order: slots or items first, then mutex; never wait for slots
     * or items while holding mutex. */
} sbuf_t;

void sbuf_init(sbuf_t *sp, int n);      /* empty buffer with n slots */
void sbuf_deinit(sbuf_t *sp);           /* frees it */
void sbuf_insert(sbuf_t *sp, int item); /* waits while the buffer is full */
int sbuf_remove(sbuf_t *sp);            /* waits while the buffer is empty */

#endif
