// ok_trylock_retry.c: trylock polling that succeeds once the lock is free
// EXPECT: none
// The holder keeps the lock for a while and then releases it for good;
// the poller's trylock fails a few times and then succeeds.  Only one lock is
// involved and the holder really makes progress, so this is neither a
// livelock nor starvation: the wait ends as soon as the work is done.
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int state; /* guarded by lock */
static sem_t holding;

static void *holder(void *arg)
{
    pthread_mutex_lock(&lock);
    sem_post(&holding);
    usleep(50000); /* work while holding the lock */
    state = 1;
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(void)
{
    pthread_t t;
    int tries = 0, seen;

    sem_init(&holding, 0, 0);
    pthread_create(&t, NULL, holder, NULL);
    sem_wait(&holding); /* the holder has the lock now */
    while (pthread_mutex_trylock(&lock) != 0) {
        tries++;
        usleep(5000); /* do something else, then retry */
    }
    seen = state;
    pthread_mutex_unlock(&lock);
    pthread_join(t, NULL);
    sem_destroy(&holding);
    if (seen != 1 || tries == 0)
        return 1;
    printf("DONE\n");
    return 0;
}
