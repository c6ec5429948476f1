// starvation_rwlock_readers.c: a reader pool keeps a writer out
// EXPECT: starvation
// The lock is made reader-preferring on purpose.  Three reader threads take
// turns (a ticket under a mutex and condition variable) and each takes the
// read lock before the previous holder lets go, so there is always a reader
// inside.  The writer that wants to update the config waits in
// pthread_rwlock_wrlock for the whole 20 s, while readers get the lock
// hundreds of times.  Fix: PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP, or
// let the readers' critical sections leave gaps.
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define READERS 3
#ifndef RUN_SECONDS
#define RUN_SECONDS 20
#endif

static pthread_rwlock_t config_lock;
static int config_version; /* guarded by config_lock */

static pthread_mutex_t relay_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t relay_cond = PTHREAD_COND_INITIALIZER;
static long turn;    /* guarded by relay_lock: reader turn % READERS goes */
static long holding; /* guarded by relay_lock: turns that hold the lock */
static int done;     /* guarded by relay_lock: the relay is over */
static time_t stop_at;

/* Blocks until *counter >= t (0) or the relay is over (-1). */
static int wait_for(long *counter, long t)
{
    int over;

    pthread_mutex_lock(&relay_lock);
    while (*counter < t && !done)
        pthread_cond_wait(&relay_cond, &relay_lock);
    over = *counter < t;
    pthread_mutex_unlock(&relay_lock);
    return over ? -1 : 0;
}

static void bump(long *counter)
{
    pthread_mutex_lock(&relay_lock);
    (*counter)++;
    pthread_cond_broadcast(&relay_cond);
    pthread_mutex_unlock(&relay_lock);
}

static void *reader(void *arg)
{
    long me = (intptr_t)arg, seen = 0;

    for (long t = me;; t += READERS) {
        if (wait_for(&turn, t) < 0)
            break;
        pthread_rwlock_rdlock(&config_lock);
        bump(&holding); /* now holding == t + 1 */
        if (time(NULL) >= stop_at) {
            pthread_mutex_lock(&relay_lock);
            done = 1; /* the others stop waiting for their turn */
            pthread_cond_broadcast(&relay_cond);
            pthread_mutex_unlock(&relay_lock);
            pthread_rwlock_unlock(&config_lock);
            break;
        }
        seen += config_version;
        usleep(1000);
        bump(&turn);               /* the next reader may come in */
        wait_for(&holding, t + 2); /* ... and it holds the lock now */
        pthread_rwlock_unlock(&config_lock);
    }
    return (void *)(intptr_t)seen;
}

static void *writer(void *arg)
{
    pthread_rwlock_wrlock(&config_lock); /* starves here */
    config_version++;
    pthread_rwlock_unlock(&config_lock);
    return NULL;
}

int main(void)
{
    pthread_rwlockattr_t attr;
    pthread_t r[READERS], w;

    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_READER_NP);
    pthread_rwlock_init(&config_lock, &attr);
    stop_at = time(NULL) + RUN_SECONDS;
    for (long i = 0; i < READERS; i++)
        pthread_create(&r[i], NULL, reader, (void *)(intptr_t)i);
    wait_for(&holding, 1); /* reader 0 holds the lock */
    pthread_create(&w, NULL, writer, NULL);
    for (int i = 0; i < READERS; i++)
        pthread_join(r[i], NULL);
    pthread_join(w, NULL);
    printf("writer got in at last\n");
    return 0;
}
