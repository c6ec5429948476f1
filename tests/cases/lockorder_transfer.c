// lockorder_transfer.c: transfer(x, y) locks x, then y
// EXPECT: lock-order-inversion
// SAYS: lock-order-inversion: took mutex alice.lock at
// SAYS: lock-order-inversion: then mutex bob.lock at
// transfer(x, y) locks x then y, so transfer(alice, bob) and transfer(bob,
// alice) take the two account locks in opposite orders.  Here the two
// transfers happen one after the other (the thread is joined first), so it
// does not hang this time.  Fix: lock the accounts in a fixed global order
// (e.g. by address or id) whatever the direction of the transfer.
#include <pthread.h>
#include <stdio.h>

struct account {
    pthread_mutex_t lock; /* guards balance */
    long balance;
};

static struct account alice = {PTHREAD_MUTEX_INITIALIZER, 100};
static struct account bob = {PTHREAD_MUTEX_INITIALIZER, 100};

static void transfer(struct account *from, struct account *to, long amount)
{
    pthread_mutex_lock(&from->lock); /* the bug: order depends on the */
    pthread_mutex_lock(&to->lock);   /* direction of the transfer     */
    from->balance -= amount;
    to->balance += amount;
    pthread_mutex_unlock(&to->lock);
    pthread_mutex_unlock(&from->lock);
}

static void *pay_bob(void *arg)
{
    transfer(&alice, &bob, 10);
    return NULL;
}

int main(void)
{
    pthread_t t;

    pthread_create(&t, NULL, pay_bob, NULL);
    pthread_join(t, NULL);
    transfer(&bob, &alice, 5); /* main thread, opposite direction */
    printf("alice %ld bob %ld\n", alice.balance, bob.balance);
    return 0;
}
