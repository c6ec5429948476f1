/* bank.c: variant ok_gate_lock (correct): one bank-wide gate lock around
 * every multi-account operation, account locks taken in any order. */
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

/* Not a bug: whoever takes two account locks holds the gate, so only
 * one thread at a time can be taking a second account lock: no cycle.
 * (Correct, but the gate serializes all transfers.) */
static pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;

void transfer(struct bank *b, int from, int to, long amount)
{
    if (from == to)
        return;
    Pthread_mutex_lock(&gate);
    Pthread_mutex_lock(&b->acct[from].lock); /* any order, inside gate */
    Pthread_mutex_lock(&b->acct[to].lock);
    Pthread_mutex_unlock(&gate);
    b->acct[from].balance -= amount;
    b->acct[to].balance += amount;
    Pthread_mutex_unlock(&b->acct[to].lock);
    Pthread_mutex_unlock(&b->acct[from].lock);
}

/* All account locks, inside the gate too. */
long bank_total(struct bank *b)
{
    long total = 0;

    Pthread_mutex_lock(&gate);
    for (int i = 0; i < b->naccounts; i++)
        Pthread_mutex_lock(&b->acct[i].lock);
    Pthread_mutex_unlock(&gate);
    for (int i = 0; i < b->naccounts; i++)
        total += b->acct[i].balance;
    for (int i = b->naccounts; i-- > 0;)
        Pthread_mutex_unlock(&b->acct[i].lock);
    return total;
}
