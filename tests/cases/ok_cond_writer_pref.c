// ok_cond_writer_pref.c: the last reader out wakes the writer, done right
// EXPECT: none
// starvation_cond_last_reader.c's lock with writer preference: a new
// reader waits (on readers_ok) while a writer waits, and the writer's
// unlock wakes the readers again.  Three readers still hand the turn on
// for 1.5 s and only the last reader out signals writer_ok; but the
// readers inside finish, no new one overtakes the writer, and every one
// of its 30 writes gets in.  A reader no longer waits for the next one to
// be inside before it leaves (with writer preference that would hang): it
// lets it try, then goes.
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#define READERS 3
#define TURNS 400
#define WRITES 30

static pthread_mutex_t rw_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t writer_ok = PTHREAD_COND_INITIALIZER;
static pthread_cond_t readers_ok = PTHREAD_COND_INITIALIZER;
static int readers, writing, writers_waiting; /* guarded by rw_lock */

static int table[16];            /* guarded by the home-made lock */
static sem_t your_turn[READERS]; /* reader i may take the read lock */

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
    if (--readers == 0)
        pthread_cond_signal(&writer_ok); /* the last one out */
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
    pthread_cond_broadcast(&readers_ok); /* the readers kept out */
    pthread_cond_signal(&writer_ok);     /* or the next writer */
    pthread_mutex_unlock(&rw_lock);
}

static void *reader(void *arg)
{
    int me = (int)(intptr_t)arg, next = (me + 1) % READERS;
    long sum = 0;

    for (int turn = 0; turn < TURNS; turn++) {
        sem_wait(&your_turn[me]);
        read_lock();
        for (int i = 0; i < 16; i++)
            sum += table[i];
        usleep(1000);
        sem_post(&your_turn[next]); /* the next may come in now */
        read_unlock();
    }
    return (void *)(intptr_t)sum;
}

static void *writer(void *arg)
{
    for (int i = 0; i < WRITES; i++) {
        write_lock();
        table[i % 16]++;
        write_unlock();
        usleep(40000);
    }
    return arg;
}

int main(void)
{
    pthread_t r[READERS], w;
    int total = 0;

    for (int i = 0; i < READERS; i++)
        sem_init(&your_turn[i], 0, 0);
    for (int i = 0; i < READERS; i++)
        pthread_create(&r[i], NULL, reader, (void *)(intptr_t)i);
    sem_post(&your_turn[0]);
    pthread_create(&w, NULL, writer, NULL);
    pthread_join(w, NULL);
    for (int i = 0; i < READERS; i++)
        pthread_join(r[i], NULL);
    for (int i = 0; i < 16; i++)
        total += table[i];
    if (total != WRITES)
        return 1;
    printf("DONE\n");
    return 0;
}
