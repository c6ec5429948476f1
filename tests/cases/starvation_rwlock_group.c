// starvation_rwlock_group.c: three readers keep a read lock between them
// EXPECT: starvation
// SAYS: starvation: waited for rwlock table_lock
// SAYS: starvation: has let go since, but a newcomer was always inside
// glibc's default rwlock prefers readers.  Three readers each hold the
// read lock for a long stretch of work (they count into a stats mutex as
// they go) and hand it on: the next one takes the read lock before the
// last one lets go (semaphores force the overlap).  So the lock is taken
// only a few times a second, never by many, yet it is never free, and the
// writer waits in pthread_rwlock_wrlock for the whole 20 s.  Nobody
// re-acquires the lock often: the readers as a group keep it.  Fix: a
// writer-preferring rwlock (ok_rwlock_writer_pref.c), or readers that
// leave gaps.
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define READERS 3
#ifndef RUN_SECONDS
#define RUN_SECONDS 20
#endif

static pthread_rwlock_t table_lock = PTHREAD_RWLOCK_INITIALIZER;
static int table[16]; /* guarded by table_lock */
static pthread_mutex_t stats_lock = PTHREAD_MUTEX_INITIALIZER;
static long rows_read;           /* guarded by stats_lock */
static sem_t your_turn[READERS]; /* reader i may take the read lock */
static sem_t i_hold[READERS];    /* reader i holds the read lock */
static time_t stop_at;

static void *reader(void *arg)
{
    int me = (int)(intptr_t)arg, next = (me + 1) % READERS;
    long sum = 0;

    for (;;) {
        sem_wait(&your_turn[me]);
        pthread_rwlock_rdlock(&table_lock);
        sem_post(&i_hold[me]);
        if (time(NULL) >= stop_at) {
            pthread_rwlock_unlock(&table_lock);
            sem_post(&your_turn[next]); /* let the next one stop too */
            break;
        }
        for (int round = 0; round < 100; round++) { /* a long read */
            for (int i = 0; i < 16; i++)
                sum += table[i];
            pthread_mutex_lock(&stats_lock);
            rows_read += 16;
            pthread_mutex_unlock(&stats_lock);
            usleep(1000);
        }
        sem_post(&your_turn[next]);
        sem_wait(&i_hold[next]); /* the next reader holds it now */
        pthread_rwlock_unlock(&table_lock);
    }
    return (void *)(intptr_t)sum;
}

static void *writer(void *arg)
{
    pthread_rwlock_wrlock(&table_lock); /* starves here for 20 s */
    table[0]++;
    pthread_rwlock_unlock(&table_lock);
    return arg;
}

int main(void)
{
    pthread_t r[READERS], w;

    stop_at = time(NULL) + RUN_SECONDS;
    for (int i = 0; i < READERS; i++) {
        sem_init(&your_turn[i], 0, 0);
        sem_init(&i_hold[i], 0, 0);
    }
    for (int i = 0; i < READERS; i++)
        pthread_create(&r[i], NULL, reader, (void *)(intptr_t)i);
    sem_post(&your_turn[0]);
    sem_wait(&i_hold[0]); /* reader 0 holds it: start the writer now */
    pthread_create(&w, NULL, writer, NULL);
    for (int i = 0; i < READERS; i++)
        pthread_join(r[i], NULL);
    pthread_join(w, NULL);
    printf("writer got in at last after %ld rows\n", rows_read);
    return 0;
}
