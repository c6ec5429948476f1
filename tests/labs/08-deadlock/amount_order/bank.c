/* bank.c: variant amount_order: the lock order depends on the amount,
 * not on the accounts, so opposite transfers can take opposite orders. */
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

/* Bug: "big transfers lock the receiving account first" is an order of
 * amounts, not of locks: transfer(0, 1, 1) locks 0 then 1 while
 * transfer(1, 0, 1) locks 1 then 0, and they deadlock. */
void transfer(struct bank *b, int from, int to, long amount)
{
    if (from == to)
        return;
    struct account *first = &b->acct[amount > 3 ? to : from];
    struct account *second = &b->acct[amount > 3 ? from : to];

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
