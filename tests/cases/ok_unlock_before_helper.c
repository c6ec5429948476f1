// ok_unlock_before_helper.c: the caller unlocks before the helper locks
// EXPECT: none
// deadlock_self_helper.c's bank, fixed: deposit() releases the account
// before it calls apply_interest(), which takes the lock on its own.  The
// same mutex is locked twice in a row by one thread, never while held.
// A second pair of helpers shows the other fix: _locked variants that
// expect the caller to hold the lock and never lock it themselves.
#include <pthread.h>
#include <stdio.h>

struct account {
    long balance; /* guarded by lock */
    pthread_mutex_t lock;
};

static struct account accounts[4];

static void apply_interest(struct account *a)
{
    pthread_mutex_lock(&a->lock);
    a->balance += a->balance / 100;
    pthread_mutex_unlock(&a->lock);
}

static void deposit(struct account *a, long amount)
{
    pthread_mutex_lock(&a->lock);
    a->balance += amount;
    pthread_mutex_unlock(&a->lock); /* released before the helper locks */
    apply_interest(a);
}

/* The caller holds a->lock. */
static void fee_locked(struct account *a)
{
    a->balance -= 1;
}

static void withdraw(struct account *a, long amount)
{
    pthread_mutex_lock(&a->lock);
    a->balance -= amount;
    fee_locked(a);
    pthread_mutex_unlock(&a->lock);
}

static void *teller(void *arg)
{
    for (int i = 0; i < 100; i++) {
        deposit(arg, 100);
        withdraw(arg, 50);
    }
    return NULL;
}

int main(void)
{
    pthread_t t[2];

    for (int i = 0; i < 4; i++)
        pthread_mutex_init(&accounts[i].lock, NULL);
    pthread_create(&t[0], NULL, teller, &accounts[1]);
    pthread_create(&t[1], NULL, teller, &accounts[1]);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < 4; i++)
        pthread_mutex_destroy(&accounts[i].lock);
    if (accounts[1].balance <= 0)
        return 1;
    printf("DONE\n");
    return 0;
}
