// deadlock_heap_accounts.c: transfers between accounts of a malloc'd table
// EXPECT: deadlock
// SAYS: deadlock: holds mutex bank.acct[2].lock
// SAYS: deadlock: waits for mutex bank.acct[0].lock
// NEVER-SAYS: not a global
// The bank's accounts live on the heap (bank.acct = calloc(...)), each
// with its own lock.  transfer(from, to) locks from's lock, then to's; one
// teller moves money from account 2 to 0, the other from 0 to 2, and a
// barrier makes both hold their first lock before either asks for the
// second: each waits for the other forever, on every run.  A lock on the
// heap has no variable of its own: the report finds it through the
// global pointer to the array.  Fix: lock the lower-numbered account first.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct account {
    long balance; /* guarded by lock */
    pthread_mutex_t lock;
};

static struct {
    int n;
    struct account *acct;
} bank;
static pthread_barrier_t both_hold_one; /* forces the deadly interleaving */

struct transfer {
    int from, to;
};

static void *teller(void *arg)
{
    const struct transfer *t = arg;
    struct account *from = &bank.acct[t->from], *to = &bank.acct[t->to];

    pthread_mutex_lock(&from->lock);
    pthread_barrier_wait(&both_hold_one);
    pthread_mutex_lock(&to->lock); /* held by the other teller */
    from->balance -= 10;
    to->balance += 10;
    pthread_mutex_unlock(&to->lock);
    pthread_mutex_unlock(&from->lock);
    return NULL;
}

int main(void)
{
    static struct transfer moves[2] = {{2, 0}, {0, 2}};
    pthread_t t[2];

    bank.n = 4;
    bank.acct = calloc(bank.n, sizeof *bank.acct);
    for (int i = 0; i < bank.n; i++)
        pthread_mutex_init(&bank.acct[i].lock, NULL);
    pthread_barrier_init(&both_hold_one, NULL, 2);
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, teller, &moves[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    printf("%ld\n", bank.acct[0].balance);
    free(bank.acct);
    return 0;
}
