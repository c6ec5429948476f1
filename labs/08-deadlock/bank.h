/* bank.h: lab 08, a bank whose accounts each have their own lock. */
#ifndef LAB_BANK_H
#define LAB_BANK_H

#include <pthread.h>

struct account {
    pthread_mutex_t lock; /* guards balance */
    long balance;
};

/* Lock order: when a thread needs two account locks, it must take the one
 * with the LOWER index first (see the handout).  The starter does not. */
struct bank {
    int naccounts;
    struct account *acct; /* naccounts accounts */
};

/* Creates n accounts holding `initial` each. */
void bank_init(struct bank *b, int n, long initial);
void bank_deinit(struct bank *b);

/* Moves amount from account `from` to account `to` atomically: no other
 * thread ever sees the money gone from one and not yet in the other.
 * from == to is allowed and changes nothing. */
void transfer(struct bank *b, int from, int to, long amount);

/* The sum of all balances, taken while no transfer is half done. */
long bank_total(struct bank *b);

#endif
