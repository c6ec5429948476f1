/* demo.c: lab 08 driver: two clerks move money between accounts 0 and 1
 * in opposite directions at the same moment; the total must not change. */
#include <stdio.h>
#include <unistd.h>

#include "bank.h"
#include "../sync-common/sync.h"

#define NACCOUNTS 4
#define INITIAL 1000
#define ROUNDS 20000

static struct bank bank;

struct clerk {
    int from, to, rounds;
};

static void *clerk(void *arg)
{
    struct clerk *c = arg;

    for (int i = 0; i < c->rounds; i++)
        transfer(&bank, c->from, c->to, 1 + i % 7);
    return NULL;
}

/* Waits until some thread holds account a's lock, or half a second: a
 * solution may make the clerk wait elsewhere first (a gate lock held by
 * the other clerk), and then the account stays free. */
static void wait_until_busy(int a)
{
    for (int waited_ms = 0; waited_ms < 500; waited_ms++) {
        if (pthread_mutex_trylock(&bank.acct[a].lock) != 0)
            return; /* someone holds it */
        Pthread_mutex_unlock(&bank.acct[a].lock);
        usleep(1000);
    }
}

/*
 * Round 1, forced: an auditor (main) holds account 1 while clerk "back"
 * asks to move money from 1 to 0 and then clerk "there" from 0 to 1.
 * When the audit ends, the first clerk in the queue for account 1 gets it.
 * The sleeps only order the threads' arrival; the locks decide the rest.
 */
static void opposite_at_once(void)
{
    struct clerk there = {0, 1, 1}, back = {1, 0, 1};
    pthread_t t1, t2;

    Pthread_mutex_lock(&bank.acct[1].lock); /* the audit of account 1 */
    Pthread_create(&t2, NULL, clerk, &back);
    usleep(100000); /* "back" waits for an account lock by now */
    Pthread_create(&t1, NULL, clerk, &there);
    wait_until_busy(0);
    usleep(100000); /* "there" waits for an account lock by now */
    Pthread_mutex_unlock(&bank.acct[1].lock); /* the audit is over */
    Pthread_join(t1, NULL);
    Pthread_join(t2, NULL);
}

/* Round 2: many opposite transfers, unforced. */
static void opposite_many(void)
{
    struct clerk there = {0, 1, ROUNDS}, back = {1, 0, ROUNDS};
    pthread_t t1, t2;

    Pthread_create(&t1, NULL, clerk, &there);
    Pthread_create(&t2, NULL, clerk, &back);
    Pthread_join(t1, NULL);
    Pthread_join(t2, NULL);
}

int main(void)
{
    long total;

    bank_init(&bank, NACCOUNTS, INITIAL);
    opposite_at_once();
    opposite_many();
    transfer(&bank, 2, 2, 5); /* to itself: must change nothing */
    total = bank_total(&bank);
    bank_deinit(&bank);
    printf("total %ld (want %d)\n", total, NACCOUNTS * INITIAL);
    printf(total == NACCOUNTS * INITIAL ? "DONE\n" : "FAILED\n");
    return 0;
}
