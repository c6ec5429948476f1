// ok_cond_last_reader_stops.c: the last reader out wakes the writer, at last
// EXPECT: none
// starvation_cond_last_reader.c unchanged but for the readers' end: they
// relay for 300 turns (about 0.4 s) and stop, the count of readers drops
// to 0, the last reader out signals writer_ok and the second write gets
// in.  Waiting behind a group that ends is not starving.
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#define READERS 3
#define TURNS 300

static pthread_mutex_t rw_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t writer_ok = PTHREAD_COND_INITIALIZER;
static int readers, writing, writers_waiting; /* guarded by rw_lock */

static int table[16];            /* guarded by the home-made lock */
static sem_t your_turn[READERS]; /* reader i may take the read lock */
static sem_t i_hold[READERS];    /* reader i holds the read lock */
static sem_t first_done;         /* the first write is done */
static sem_t second_write;       /* the writer may try again */
static int turns;                /* reader turns so far, guarded by the relay */

static void read_lock(void)
{
    pthread_mutex_lock(&rw_lock);
    readers++; /* never waits for a waiting writer: the bug */
    pthread_mutex_unlock(&rw_lock);
}

static void read_unlock(void)
{
    pthread_mutex_lock(&rw_lock);
    if (--readers == 0)
        pthread_cond_signal(&writer_ok); /* the last one out */
    pthread_mutex_unlock(&rw_lock);
}

static void write_lock(void)
{
    pthread_mutex_lock(&rw_lock);
    writers_waiting++;
    while (writing || readers > 0)
        pthread_cond_wait(&writer_ok, &rw_lock); /* starves here */
    writers_waiting--;
    writing = 1;
    pthread_mutex_unlock(&rw_lock);
}

static void write_unlock(void)
{
    pthread_mutex_lock(&rw_lock);
    writing = 0;
    pthread_mutex_unlock(&rw_lock);
}

/* Reader 0's first turn: it holds the lock until the writer waits. */
static void until_writer_waits(void)
{
    for (;;) {
        pthread_mutex_lock(&rw_lock);
        int waiting = writers_waiting;
        pthread_mutex_unlock(&rw_lock);
        if (waiting)
            return;
        usleep(1000);
    }
}

static void *reader(void *arg)
{
    int me = (int)(intptr_t)arg, next = (me + 1) % READERS;
    long sum = 0;

    if (me == 0) { /* the first write: reader 0 alone, then it leaves */
        read_lock();
        sem_post(&i_hold[0]);
        until_writer_waits();
        read_unlock();
    }
    for (;;) {
        sem_wait(&your_turn[me]);
        read_lock();
        sem_post(&i_hold[me]);
        if (++turns >= TURNS) {
            read_unlock();
            sem_post(&your_turn[next]); /* let the next one stop too */
            break;
        }
        for (int i = 0; i < 16; i++)
            sum += table[i];
        usleep(1000);
        sem_post(&your_turn[next]);
        sem_wait(&i_hold[next]); /* the next reader is inside now */
        read_unlock();
    }
    return (void *)(intptr_t)sum;
}

static void *writer(void *arg)
{
    for (int round = 0; round < 2; round++) {
        if (round == 1)
            sem_wait(&second_write);
        write_lock();
        table[round]++;
        write_unlock();
        if (round == 0)
            sem_post(&first_done);
    }
    return arg;
}

int main(void)
{
    pthread_t r[READERS], w;

    for (int i = 0; i < READERS; i++) {
        sem_init(&your_turn[i], 0, 0);
        sem_init(&i_hold[i], 0, 0);
    }
    sem_init(&first_done, 0, 0);
    sem_init(&second_write, 0, 0);
    for (int i = 0; i < READERS; i++)
        pthread_create(&r[i], NULL, reader, (void *)(intptr_t)i);
    sem_wait(&i_hold[0]); /* reader 0 is in: the first write waits */
    pthread_create(&w, NULL, writer, NULL);
    sem_wait(&first_done);
    sem_post(&your_turn[0]); /* the relay starts */
    sem_wait(&i_hold[0]);    /* reader 0 holds it: the second write */
    sem_post(&second_write);
    for (int i = 0; i < READERS; i++)
        pthread_join(r[i], NULL);
    pthread_join(w, NULL);
    if (table[0] != 1 || table[1] != 1)
        return 1;
    printf("DONE\n");
    return 0;
}
