/* bank.c: variant reverse_total: transfers take the lower account first,
 * but bank_total takes the account locks from the highest down. */
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

void transfer(struct bank *b, int from, int to, long amount)
{
    if (from == to)
        return;
    struct account *first = &b->acct[from < to ? from : to];
    struct account *second = &b->acct[from < to ? to : from];

    Pthread_mutex_lock(&first->lock);
    Pthread_mutex_lock(&second->lock);
    b->acct[from].balance -= amount;
    b->acct[to].balance += amount;
    Pthread_mutex_unlock(&second->lock);
    Pthread_mutex_unlock(&first->lock);
}

/* Bug: the opposite of transfer's order: a total taken while a transfer
 * runs can hold account 1 and wait for 0 while the transfer holds 0 and
 * waits for 1.  The tests never run the two at once, so nothing hangs,
 * but the two orders are there. */
long bank_total(struct bank *b)
{
    long total = 0;

    for (int i = b->naccounts; i-- > 0;)
        Pthread_mutex_lock(&b->acct[i].lock);
    for (int i = 0; i < b->naccounts; i++)
        total += b->acct[i].balance;
    for (int i = 0; i < b->naccounts; i++)
        Pthread_mutex_unlock(&b->acct[i].lock);
    return total;
}
