// deadlock_transfer_accounts.c: transfers lock the two accounts of a table
// EXPECT: deadlock
// SAYS: deadlock: holds mutex accounts[3].lock
// SAYS: deadlock: waits for mutex accounts[1].lock
// SAYS: deadlock: holds mutex accounts[1].lock
// NEVER-SAYS: accounts+
// transfer(from, to) locks from's lock, then to's.  One teller moves money
// from account 3 to account 1, the other from 1 to 3; a barrier makes
// both hold their first lock before either asks for the second, so each
// waits for the other forever, on every run.  The locks are fields of the
// elements of an array of structs: the report names them as the program
// does.  Fix: lock the lower-numbered account first.
#include <pthread.h>
#include <stdio.h>

struct account {
    int id;
    long balance; /* guarded by lock */
    pthread_mutex_t lock;
};

static struct account accounts[5];
static pthread_barrier_t both_hold_one; /* forces the deadly interleaving */

struct transfer {
    int from, to;
    long amount;
};

static void *teller(void *arg)
{
    const struct transfer *t = arg;
    struct account *from = &accounts[t->from], *to = &accounts[t->to];

    pthread_mutex_lock(&from->lock);
    pthread_barrier_wait(&both_hold_one);
    pthread_mutex_lock(&to->lock); /* held by the other teller */
    from->balance -= t->amount;
    to->balance += t->amount;
    pthread_mutex_unlock(&to->lock);
    pthread_mutex_unlock(&from->lock);
    return NULL;
}

int main(void)
{
    static struct transfer moves[2] = {{3, 1, 10}, {1, 3, 20}};
    pthread_t t[2];

    for (int i = 0; i < 5; i++) {
        accounts[i].id = i;
        accounts[i].balance = 100;
        pthread_mutex_init(&accounts[i].lock, NULL);
    }
    pthread_barrier_init(&both_hold_one, NULL, 2);
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, teller, &moves[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    printf("%ld %ld\n", accounts[1].balance, accounts[3].balance);
    return 0;
}
