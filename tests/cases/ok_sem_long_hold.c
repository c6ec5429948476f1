// ok_sem_long_hold.c: one long critical section under a semaphore lock
// EXPECT: none
// The holder keeps the semaphore (used as a lock, initial value 1) for
// 2.5 s while sleeping, so the waiter waits the whole hang window; two
// other threads keep taking a mutex of their own meanwhile.  Nothing is
// starved: the holder is not a group that keeps the semaphore while it
// works, and the waiter gets it once the holder posts.  (A correct twin
// of starvation_sem_first_readers.c: only the holder itself ever took it.)
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <time.h>

static sem_t s;
static sem_t held; /* posted once the holder has s: the waiter comes after */
static pthread_mutex_t tally_lock = PTHREAD_MUTEX_INITIALIZER;
static long tally;

static void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void *holder(void *arg)
{
    sem_wait(&s);
    sem_post(&held);
    nap_ms(2500); /* long, but it ends */
    sem_post(&s);
    return arg;
}

static void *waiter(void *arg)
{
    sem_wait(&held);
    sem_wait(&s);
    sem_post(&s);
    return arg;
}

static void *counter(void *arg)
{
    for (int i = 0; i < 300; i++) {
        pthread_mutex_lock(&tally_lock);
        tally++;
        pthread_mutex_unlock(&tally_lock);
        nap_ms(10);
    }
    return arg;
}

int main(void)
{
    sem_init(&s, 0, 1);
    sem_init(&held, 0, 0);
    pthread_t t[4];
    pthread_create(&t[0], NULL, holder, NULL);
    pthread_create(&t[1], NULL, waiter, NULL);
    pthread_create(&t[2], NULL, counter, NULL);
    pthread_create(&t[3], NULL, counter, NULL);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    printf("tally %ld\n", tally);
    return 0;
}
