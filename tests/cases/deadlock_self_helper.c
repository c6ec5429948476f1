// deadlock_self_helper.c: a helper locks the mutex its caller holds
// EXPECT: deadlock
// SAYS: deadlock: a thread waits forever for a lock it already holds
// SAYS: deadlock: holds mutex accounts[1].lock
// SAYS: deadlock: deadlock_self_helper.c:28 in apply_interest, called at
// SAYS: deadlock: deadlock_self_helper.c:37 in deposit
// NEVER-SAYS: fixed order
// NEVER-SAYS: accounts+
// deposit() locks the account and, while holding it, calls
// apply_interest(), which locks the same account again to read the
// balance.  Each function is right on its own; together the second lock
// waits for the account's holder, the same thread, forever (a default
// mutex is not recursive).  Two threads each hang this way on their own
// account.  Fix: let deposit() unlock before calling apply_interest(), or
// give apply_interest() an unlocked variant for callers that hold the lock.
#include <pthread.h>
#include <stdio.h>

struct account {
    long balance; /* guarded by lock */
    pthread_mutex_t lock;
};

static struct account accounts[4];

static void apply_interest(struct account *a)
{
    pthread_mutex_lock(&a->lock); /* the caller holds it already */
    a->balance += a->balance / 100;
    pthread_mutex_unlock(&a->lock);
}

static void deposit(struct account *a, long amount)
{
    pthread_mutex_lock(&a->lock);
    a->balance += amount;
    apply_interest(a);
    pthread_mutex_unlock(&a->lock);
}

static void *teller(void *arg)
{
    deposit(arg, 100);
    return NULL;
}

int main(void)
{
    pthread_t t[2];

    for (int i = 0; i < 4; i++)
        pthread_mutex_init(&accounts[i].lock, NULL);
    pthread_create(&t[0], NULL, teller, &accounts[1]);
    pthread_create(&t[1], NULL, teller, &accounts[3]);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    printf("%ld %ld\n", accounts[1].balance, accounts[3].balance);
    return 0;
}
