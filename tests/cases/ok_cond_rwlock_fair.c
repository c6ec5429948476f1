// ok_cond_rwlock_fair.c: a fair home-made rwlock, writer woken in vain
// EXPECT: none
// The lock of starvation_cond_rwlock.c with one change: a new reader waits
// while a writer waits.  Readers still relay for 2.5 s and every reader
// that leaves still wakes the writer, which often finds a reader inside
// and waits again; but the readers inside finish, no new one overtakes it,
// and it gets in within a few milliseconds, 40 times.  Being woken in vain
// is not starving: each of its waits ends.
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define RUN_SECONDS 2.5
#define WRITES 40

static pthread_mutex_t rw_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t writer_ok = PTHREAD_COND_INITIALIZER;
static pthread_cond_t readers_ok = PTHREAD_COND_INITIALIZER;
static int readers, writing, writers_waiting; /* guarded by rw_lock */

static int table[16];      /* guarded by the home-made lock */
static sem_t your_turn[2]; /* reader i may take the read lock */
static sem_t i_hold[2];    /* reader i holds the read lock */
static double stop_at;

static double now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void read_lock(void)
{
    pthread_mutex_lock(&rw_lock);
    while (writing || writers_waiting > 0) /* a waiting writer goes first */
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
    writers_waiting++;
    while (writing || readers > 0)
        pthread_cond_wait(&writer_ok, &rw_lock);
    writers_waiting--;
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

/* Waits up to 20 ms for sem s (the other reader may be kept out). */
static void wait_a_while(sem_t *s)
{
    struct timespec until;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += 20 * 1000000L;
    until.tv_sec += until.tv_nsec / 1000000000L;
    until.tv_nsec %= 1000000000L;
    sem_timedwait(s, &until);
}

static void *reader(void *arg)
{
    int me = (int)(intptr_t)arg, other = 1 - me;
    long sum = 0;

    for (;;) {
        sem_wait(&your_turn[me]);
        read_lock();
        sem_post(&i_hold[me]);
        if (now() >= stop_at) {
            read_unlock();
            sem_post(&your_turn[other]); /* let the other one stop too */
            break;
        }
        for (int i = 0; i < 16; i++)
            sum += table[i];
        usleep(1000);
        sem_post(&your_turn[other]);
        wait_a_while(&i_hold[other]); /* the other is inside, or queued */
        read_unlock();
    }
    return (void *)(intptr_t)sum;
}

static void *writer(void *arg)
{
    for (int i = 0; i < WRITES; i++) {
        write_lock();
        table[0]++;
        write_unlock();
        usleep(RUN_SECONDS / WRITES * 1e6 / 2);
    }
    return NULL;
}

int main(void)
{
    pthread_t r[2], w;

    stop_at = now() + RUN_SECONDS;
    for (int i = 0; i < 2; i++) {
        sem_init(&your_turn[i], 0, 0);
        sem_init(&i_hold[i], 0, 0);
    }
    for (int i = 0; i < 2; i++)
        pthread_create(&r[i], NULL, reader, (void *)(intptr_t)i);
    sem_post(&your_turn[0]);
    sem_wait(&i_hold[0]); /* reader 0 is inside: now the writer comes */
    pthread_create(&w, NULL, writer, NULL);
    pthread_join(w, NULL);
    for (int i = 0; i < 2; i++)
        pthread_join(r[i], NULL);
    if (table[0] != WRITES)
        return 1;
    printf("DONE\n");
    return 0;
}
