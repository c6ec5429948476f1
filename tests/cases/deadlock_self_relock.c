// deadlock_self_relock.c: a thread locks the mutex it already holds
// EXPECT: deadlock
// SAYS: deadlock: a thread waits forever for a lock it already holds
// SAYS: deadlock: holds mutex stats_lock (acquired at
// SAYS: deadlock: deadlock_self_relock.c:21) and locks it again at
// SAYS: deadlock: deadlock_self_relock.c:23 in worker: it waits for itself
// NEVER-SAYS: fixed order
// The worker takes stats_lock to update the hit count, then, to update the
// byte count too, locks stats_lock a second time before unlocking it.  A
// default mutex is not recursive: the second lock waits for the holder,
// which is the worker itself, so it waits forever, on every run, with no
// other thread involved.  Fix: lock once around both updates.
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t stats_lock = PTHREAD_MUTEX_INITIALIZER;
static long hits, bytes; /* guarded by stats_lock */

static void *worker(void *arg)
{
    pthread_mutex_lock(&stats_lock);
    hits++;
    pthread_mutex_lock(&stats_lock); /* already held: waits for itself */
    bytes += 512;
    pthread_mutex_unlock(&stats_lock);
    pthread_mutex_unlock(&stats_lock);
    return arg;
}

int main(void)
{
    pthread_t t;

    pthread_create(&t, NULL, worker, NULL);
    pthread_join(t, NULL);
    printf("hits %ld bytes %ld\n", hits, bytes);
    return 0;
}
