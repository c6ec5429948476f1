// ok_rwlock_long_reader.c: one long read while short readers come and go
// EXPECT: none
// One reader holds the read lock for 2.5 s (asleep, a slow report); two
// other readers take it now and then for a short read, counting into a
// stats mutex, and the writer waits behind the long reader the whole
// time.  The same reader held the lock from start to end of every window:
// a long critical section, not a group that keeps the lock.  When the long
// reader leaves, the short readers are gone too and the writer gets in.
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

static pthread_rwlock_t table_lock = PTHREAD_RWLOCK_INITIALIZER;
static int table[16]; /* guarded by table_lock */
static pthread_mutex_t stats_lock = PTHREAD_MUTEX_INITIALIZER;
static long rows_read;    /* guarded by stats_lock */
static sem_t long_inside; /* the long reader holds the lock */
static sem_t short_done;  /* a short reader has finished */

static void *long_reader(void *arg)
{
    pthread_rwlock_rdlock(&table_lock);
    sem_post(&long_inside);
    usleep(2500000);
    pthread_rwlock_unlock(&table_lock);
    return arg;
}

static void *short_reader(void *arg)
{
    long sum = 0;

    for (int turn = 0; turn < 10; turn++) {
        pthread_rwlock_rdlock(&table_lock);
        for (int i = 0; i < 16; i++)
            sum += table[i];
        pthread_rwlock_unlock(&table_lock);
        for (int k = 0; k < 20; k++) {
            pthread_mutex_lock(&stats_lock);
            rows_read++;
            pthread_mutex_unlock(&stats_lock);
            usleep(1000);
        }
        usleep(100000);
    }
    sem_post(&short_done);
    return (void *)(intptr_t)sum;
}

static void *writer(void *arg)
{
    pthread_rwlock_wrlock(&table_lock); /* behind the long reader */
    table[0]++;
    pthread_rwlock_unlock(&table_lock);
    return arg;
}

int main(void)
{
    pthread_t l, s[2], w;

    sem_init(&long_inside, 0, 0);
    sem_init(&short_done, 0, 0);
    pthread_create(&l, NULL, long_reader, NULL);
    sem_wait(&long_inside);
    pthread_create(&w, NULL, writer, NULL);
    for (int i = 0; i < 2; i++)
        pthread_create(&s[i], NULL, short_reader, NULL);
    for (int i = 0; i < 2; i++)
        sem_wait(&short_done);
    for (int i = 0; i < 2; i++)
        pthread_join(s[i], NULL);
    pthread_join(l, NULL);
    pthread_join(w, NULL);
    if (table[0] != 1 || rows_read != 400)
        return 1;
    printf("DONE\n");
    return 0;
}
