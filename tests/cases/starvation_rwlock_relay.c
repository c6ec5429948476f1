// starvation_rwlock_relay.c: two readers relay a read lock, writer waits
// EXPECT: starvation
// glibc's default rwlock prefers readers: a new reader gets in even while a
// writer waits.  The two readers hand the read lock over so that one of them
// always holds it (the next one takes it before the last one lets go), so
// the writer waits in pthread_rwlock_wrlock for the whole 20 s the readers
// run, although the lock is taken again and again.  Fix: a writer-preferring
// rwlock (PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP) or readers that
// leave gaps.
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#ifndef RUN_SECONDS
#define RUN_SECONDS 20
#endif

static pthread_rwlock_t table_lock = PTHREAD_RWLOCK_INITIALIZER;
static int table[16];      /* guarded by table_lock */
static sem_t your_turn[2]; /* reader i may take the read lock */
static sem_t i_hold[2];    /* reader i holds the read lock */
static time_t stop_at;

static void *reader(void *arg)
{
    int me = (int)(intptr_t)arg, other = 1 - me;
    long sum = 0;

    for (;;) {
        sem_wait(&your_turn[me]);
        pthread_rwlock_rdlock(&table_lock);
        sem_post(&i_hold[me]);
        if (time(NULL) >= stop_at) {
            pthread_rwlock_unlock(&table_lock);
            sem_post(&your_turn[other]); /* let the other one stop too */
            break;
        }
        for (int i = 0; i < 16; i++)
            sum += table[i];
        usleep(1000);
        sem_post(&your_turn[other]);
        sem_wait(&i_hold[other]); /* the other reader holds it now */
        pthread_rwlock_unlock(&table_lock);
    }
    return (void *)(intptr_t)sum;
}

static void *writer(void *arg)
{
    pthread_rwlock_wrlock(&table_lock); /* starves here for 20 s */
    table[0]++;
    pthread_rwlock_unlock(&table_lock);
    return NULL;
}

int main(void)
{
    pthread_t r[2], w;

    stop_at = time(NULL) + RUN_SECONDS;
    for (int i = 0; i < 2; i++) {
        sem_init(&your_turn[i], 0, 0);
        sem_init(&i_hold[i], 0, 0);
    }
    for (int i = 0; i < 2; i++)
        pthread_create(&r[i], NULL, reader, (void *)(intptr_t)i);
    sem_post(&your_turn[0]);
    sem_wait(&i_hold[0]); /* reader 0 holds it: start the writer now */
    pthread_create(&w, NULL, writer, NULL); /* the lock is held already */
    for (int i = 0; i < 2; i++)
        pthread_join(r[i], NULL);
    pthread_join(w, NULL);
    printf("writer got in at last\n");
    return 0;
}
