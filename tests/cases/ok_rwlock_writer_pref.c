// ok_rwlock_writer_pref.c: readers that overlap, on a writer-preferring lock
// EXPECT: none
// starvation_rwlock_group.c's three readers, each reading a long stretch
// and letting the next one in before it leaves, but on a rwlock made
// writer-preferring (PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP): while
// the writer waits, a new reader waits too, so the readers inside finish
// and the writer gets in, 10 times in 1.2 s.  A reader no longer waits
// for the next one to be inside before it leaves (with writer preference
// that would deadlock): it lets it try, then goes.
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#define READERS 3
#define TURNS 12
#define WRITES 10

static pthread_rwlock_t table_lock;
static int table[16]; /* guarded by table_lock */
static pthread_mutex_t stats_lock = PTHREAD_MUTEX_INITIALIZER;
static long rows_read;           /* guarded by stats_lock */
static sem_t your_turn[READERS]; /* reader i may take the read lock */

static void *reader(void *arg)
{
    int me = (int)(intptr_t)arg, next = (me + 1) % READERS;
    long sum = 0;

    for (int turn = 0; turn < TURNS; turn++) {
        sem_wait(&your_turn[me]);
        pthread_rwlock_rdlock(&table_lock);
        for (int round = 0; round < 30; round++) { /* a long read */
            for (int i = 0; i < 16; i++)
                sum += table[i];
            pthread_mutex_lock(&stats_lock);
            rows_read += 16;
            pthread_mutex_unlock(&stats_lock);
            usleep(1000);
        }
        sem_post(&your_turn[next]); /* the next may come in now */
        pthread_rwlock_unlock(&table_lock);
    }
    return (void *)(intptr_t)sum;
}

static void *writer(void *arg)
{
    for (int i = 0; i < WRITES; i++) {
        pthread_rwlock_wrlock(&table_lock);
        table[i % 16]++;
        pthread_rwlock_unlock(&table_lock);
        usleep(20000);
    }
    return arg;
}

int main(void)
{
    pthread_rwlockattr_t attr;
    pthread_t r[READERS], w;
    int total = 0;

    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr,
                                  PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&table_lock, &attr);
    pthread_rwlockattr_destroy(&attr);
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
    pthread_rwlock_destroy(&table_lock);
    if (total != WRITES || rows_read != 16L * 30 * TURNS * READERS)
        return 1;
    printf("DONE\n");
    return 0;
}
