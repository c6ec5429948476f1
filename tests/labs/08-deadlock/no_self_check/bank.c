/* bank.c: variant no_self_check: the right lock order, but a transfer
 * from an account to itself locks the same mutex twice. */
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

/* Bug: with from == to, first and second are the same account, and a
 * default mutex locked twice by its owner waits for itself forever. */
void transfer(struct bank *b, int from, int to, long amount)
{
    struct account *first = &b->acct[from < to ? from : to];
    struct account *second = &b->acct[from < to ? to : from];

    Pthread_mutex_lock(&first->lock);
    Pthread_mutex_lock(&second->lock);
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
