/* bank.c: lab 08, bank transfers with one lock per account (starter). */
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

/* excerpt: transfer */
void transfer(struct bank *b, int from, int to, long amount)
{
    struct account *src = &b->acct[from], *dst = &b->acct[to];

    Pthread_mutex_lock(&src->lock); /* the money leaves src ... */
    Pthread_mutex_lock(&dst->lock); /* ... and arrives in dst */
    src->balance -= amount;
    dst->balance += amount;
    Pthread_mutex_unlock(&dst->lock);
    Pthread_mutex_unlock(&src->lock);
}
/* end excerpt */

/* Takes every account lock in index order, so the sum is of one moment. */
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
