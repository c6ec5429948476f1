// ok_recursive_mutex.c: a recursive mutex re-locked by its owner
// EXPECT: none
// add_pair() locks and then calls add_one(), which locks again.  With a
// PTHREAD_MUTEX_RECURSIVE mutex the owner may re-lock it (a normal mutex
// would self-deadlock); each lock is matched by an unlock.
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t lock;
static long value; /* guarded by lock */

static void add_one(void)
{
    pthread_mutex_lock(&lock);
    value++;
    pthread_mutex_unlock(&lock);
}

static void add_pair(void)
{
    pthread_mutex_lock(&lock);
    add_one(); /* re-locks: fine for a recursive mutex */
    add_one();
    pthread_mutex_unlock(&lock);
}

static void *worker(void *arg)
{
    for (int i = 0; i < 1000; i++)
        add_pair();
    return NULL;
}

int main(void)
{
    pthread_mutexattr_t attr;
    pthread_t t[2];

    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&lock, &attr);
    pthread_mutexattr_destroy(&attr);
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, worker, NULL);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    pthread_mutex_destroy(&lock);
    if (value != 4000)
        return 1;
    printf("DONE\n");
    return 0;
}
