/* bank.c: lab 08, bank transfers with one lock per account (solution). */
#include <stdlib.h>

#include "bank.h"
#include "../sync-common/sync.h"

void bank_init(struct bank *b, int n, long initial)
{
    b->naccounts = n;
    b->acct = Calloc(n, sizeof *b->acct);
    for (int i = 0; i < n; i++) {
        Pthread_mutex_init(&b->acct[i].lock);
        b->acct[i].balance = initial;
    }
}

void bank_deinit(struct bank *b)
{
    for (int i = 0; i < b->naccounts; i++)
        Pthread_mutex_destroy(&b->acct[i].lock);
    free(b->acct);
}

/*
 * Lock order: the account with the lower index first, whatever the
 * direction of the transfer.  Then no thread can hold a higher lock while
 * waiting for a lower one, so a cycle of waiting threads (thread 1 holds
 * 0 and waits for 1, thread 2 holds 1 and waits for 0) cannot form:
 * Coffman's "circular wait" condition is broken, so no deadlock.
 */
void transfer(struct bank *b, int from, int to, long amount)
{
    if (from == to)
        return; /* locking the same mutex twice would hang on itself */
    struct account *first = &b->acct[from < to ? from : to];
    struct account *second = &b->acct[from < to ? to : from];

    Pthread_mutex_lock(&first->lock);  /* lower index first ... */
    Pthread_mutex_lock(&second->lock); /* ... then the higher one */
    /* Both balances are ours: nobody sees the money half moved. */
    b->acct[from].balance -= amount;
    b->acct[to].balance += amount;
    Pthread_mutex_unlock(&second->lock);
    Pthread_mutex_unlock(&first->lock);
}

/* Takes every account lock in index order (the same global order), so
 * the sum is of one moment and cannot deadlock with transfer. */
long bank_total(struct bank *b)
{
    long total = 0;

    for (int i = 0; i < b->naccounts; i++)
        Pthread_mutex_lock(&b->acct[i].lock);
    for (int i = 0; i < b->naccounts; i++)
        total += b->acct[i].balance;
    for (int i = b->naccounts; i-- > 0;)
        Pthread_mutex_unlock(&b->acct[i].lock);
    return total;
}
