// ok_transfer_ordered.c: transfers lock the two accounts by a fixed order
// EXPECT: none
// The correct version of lockorder_transfer.c: transfer() always locks the
// account with the lower id first, whichever way the money goes, so the two
// opposite transfers below may run at the same time (a barrier makes them
// start together) and still cannot deadlock.
#include <pthread.h>
#include <stdio.h>

struct account {
    int id;               /* lock order: lower id first */
    pthread_mutex_t lock; /* guards balance */
    long balance;
};

static struct account alice = {1, PTHREAD_MUTEX_INITIALIZER, 100};
static struct account bob = {2, PTHREAD_MUTEX_INITIALIZER, 100};
static pthread_barrier_t start;

static void transfer(struct account *from, struct account *to, long amount)
{
    struct account *first = from->id < to->id ? from : to;
    struct account *second = from->id < to->id ? to : from;

    pthread_mutex_lock(&first->lock);
    pthread_mutex_lock(&second->lock);
    from->balance -= amount;
    to->balance += amount;
    pthread_mutex_unlock(&second->lock);
    pthread_mutex_unlock(&first->lock);
}

static void *alice_pays(void *arg)
{
    pthread_barrier_wait(&start);
    for (int i = 0; i < 100; i++)
        transfer(&alice, &bob, 1);
    return NULL;
}

static void *bob_pays(void *arg)
{
    pthread_barrier_wait(&start);
    for (int i = 0; i < 100; i++)
        transfer(&bob, &alice, 1);
    return NULL;
}

int main(void)
{
    pthread_t t1, t2;

    pthread_barrier_init(&start, NULL, 2);
    pthread_create(&t1, NULL, alice_pays, NULL);
    pthread_create(&t2, NULL, bob_pays, NULL);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    pthread_barrier_destroy(&start);
    if (alice.balance != 100 || bob.balance != 100)
        return 1;
    printf("DONE\n");
    return 0;
}
