// ok_rwlock_readers_writer.c: readers and a writer share a table
// EXPECT: none
// Readers hold the read lock briefly and then stop, so the writer gets in
// soon; all access to the table is under the rwlock.
#include <pthread.h>
#include <stdio.h>

static pthread_rwlock_t table_lock = PTHREAD_RWLOCK_INITIALIZER;
static int table[8]; /* guarded by table_lock */

static void *reader(void *arg)
{
    long *sum = arg;

    for (int round = 0; round < 200; round++) {
        pthread_rwlock_rdlock(&table_lock);
        for (int i = 0; i < 8; i++)
            *sum += table[i];
        pthread_rwlock_unlock(&table_lock);
    }
    return NULL;
}

static void *writer(void *arg)
{
    for (int round = 0; round < 50; round++) {
        pthread_rwlock_wrlock(&table_lock);
        table[round % 8]++;
        pthread_rwlock_unlock(&table_lock);
    }
    return NULL;
}

int main(void)
{
    pthread_t r[2], w;
    long sums[2] = {0, 0};

    for (int i = 0; i < 2; i++)
        pthread_create(&r[i], NULL, reader, &sums[i]);
    pthread_create(&w, NULL, writer, NULL);
    for (int i = 0; i < 2; i++)
        pthread_join(r[i], NULL);
    pthread_join(w, NULL);
    if (table[0] + table[1] != 14)
        return 1;
    printf("DONE\n");
    return 0;
}
