// starvation_cond_rwlock.c: a reader-preferring rwlock on a mutex and conds
// EXPECT: starvation
// The lock is home-made: a mutex, a reader count and two condition
// variables.  A reader gets in whenever no writer is inside, even while a
// writer waits; every reader that leaves wakes the writer, which finds
// another reader inside and waits again.  The two readers hand the read
// lock over so that one of them always holds it, so the writer loops in
// pthread_cond_wait for the whole 20 s while the readers lock the mutex
// hundreds of times a second.  Fix: new readers wait while a writer waits.
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#ifndef RUN_SECONDS
#define RUN_SECONDS 20
#endif

static pthread_mutex_t rw_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t writer_ok = PTHREAD_COND_INITIALIZER;
static pthread_cond_t readers_ok = PTHREAD_COND_INITIALIZER;
static int readers, writing; /* guarded by rw_lock */

static int table[16];      /* guarded by the home-made lock */
static sem_t your_turn[2]; /* reader i may take the read lock */
static sem_t i_hold[2];    /* reader i holds the read lock */
static time_t stop_at;

static void read_lock(void)
{
    pthread_mutex_lock(&rw_lock);
    while (writing) /* only a writer inside keeps readers out */
        pthread_cond_wait(&readers_ok, &rw_lock);
    readers++;
    pthread_mutex_unlock(&rw_lock);
}

static void read_unlock(void)
{
    pthread_mutex_lock(&rw_lock);
    readers--;
    pthread_cond_signal(&writer_ok); /* the writer checks again */
    pthread_mutex_unlock(&rw_lock);
}

static void write_lock(void)
{
    pthread_mutex_lock(&rw_lock);
    while (writing || readers > 0)
        pthread_cond_wait(&writer_ok, &rw_lock); /* starves here */
    writing = 1;
    pthread_mutex_unlock(&rw_lock);
}

static void write_unlock(void)
{
    pthread_mutex_lock(&rw_lock);
    writing = 0;
    pthread_cond_broadcast(&readers_ok);
    pthread_mutex_unlock(&rw_lock);
}

static void *reader(void *arg)
{
    int me = (int)(intptr_t)arg, other = 1 - me;
    long sum = 0;

    for (;;) {
        sem_wait(&your_turn[me]);
        read_lock();
        sem_post(&i_hold[me]);
        if (time(NULL) >= stop_at) {
            read_unlock();
            sem_post(&your_turn[other]); /* let the other one stop too */
            break;
        }
        for (int i = 0; i < 16; i++)
            sum += table[i];
        usleep(1000);
        sem_post(&your_turn[other]);
        sem_wait(&i_hold[other]); /* the other reader is inside now */
        read_unlock();
    }
    return (void *)(intptr_t)sum;
}

static void *writer(void *arg)
{
    write_lock();
    table[0]++;
    write_unlock();
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
    sem_wait(&i_hold[0]); /* reader 0 is inside: now the writer comes */
    pthread_create(&w, NULL, writer, NULL);
    for (int i = 0; i < 2; i++)
        pthread_join(r[i], NULL);
    pthread_join(w, NULL);
    printf("writer got in at last\n");
    return 0;
}
