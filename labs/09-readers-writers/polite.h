/* polite.h: lab 09 part 2, two diners who each need both forks. */
#ifndef LAB_POLITE_H
#define LAB_POLITE_H

#include <pthread.h>

struct table {
    pthread_mutex_t fork[2]; /* diner i picks up fork[i] first */
    pthread_barrier_t pace;  /* see polite.c: makes the diners' timing
                              * identical (keep it in part 2's starter) */
    long meals;              /* guarded by holding BOTH forks */
};

void table_init(struct table *t);
void table_destroy(struct table *t);

/* Diner `me` (0 or 1) eats `n` meals; each meal needs both forks. */
void dine(struct table *t, int me, int n);

#endif
