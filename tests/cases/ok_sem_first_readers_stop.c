// ok_sem_first_readers_stop.c: the first readers-writers solution on
// semaphores, with readers that stop
// EXPECT: none
// The twin of starvation_sem_first_readers.c: the same readers overlap
// (each leaves only once the next is inside), but for 300 turns only; then
// readcnt drops to 0, the last reader out posts w and the writer gets in.
// The writer waits a few milliseconds, never the whole window.
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#define READERS 3
#define TURNS 300
#ifndef RUN_SECONDS
#define RUN_SECONDS 20
#endif

static sem_t mutex; /* guards readcnt */
static sem_t w;     /* held by the writer, or by the readers as a group */
static int readcnt;
static int shared_value; /* guarded by w (readers: shared) */

static sem_t go[READERS];     /* reader i's turn to come in */
static sem_t inside[READERS]; /* reader i's successor is inside */
static sem_t first_in;        /* posted once: the first reader is inside */
static volatile int stop;     /* written before the posts that wake them */
static time_t stop_at;

static void reader_enter(void)
{
    sem_wait(&mutex);
    if (++readcnt == 1)
        sem_wait(&w);
    sem_post(&mutex);
}

static void reader_exit(void)
{
    sem_wait(&mutex);
    if (--readcnt == 0)
        sem_post(&w);
    sem_post(&mutex);
}

static void *reader(void *arg)
{
    int me = (int)(intptr_t)arg, prev = (me + READERS - 1) % READERS;
    long sum = 0;

    for (long turn = me;; turn += READERS) {
        sem_wait(&go[me]);
        if (stop)
            break;
        reader_enter();
        if (turn == 0)
            sem_post(&first_in);
        sum += shared_value;
        if (turn > 0)
            sem_post(&inside[prev]); /* the one before may leave now */
        if (turn >= TURNS) {
            stop = 1;
            for (int i = 0; i < READERS; i++)
                if (i != me)
                    sem_post(&go[i]);
            reader_exit();
            break;
        }
        sem_post(&go[(me + 1) % READERS]);
        sem_wait(&inside[me]); /* leave only once the next one is in */
        reader_exit();
    }
    return (void *)(intptr_t)sum;
}

static void *writer(void *arg)
{
    (void)arg;
    sem_wait(&w); /* starves here */
    shared_value++;
    sem_post(&w);
    return NULL;
}

int main(void)
{
    pthread_t r[READERS], wr;

    sem_init(&mutex, 0, 1);
    sem_init(&w, 0, 1);
    sem_init(&first_in, 0, 0);
    for (int i = 0; i < READERS; i++) {
        sem_init(&go[i], 0, 0);
        sem_init(&inside[i], 0, 0);
    }
    stop_at = time(NULL) + RUN_SECONDS;
    for (int i = 0; i < READERS; i++)
        pthread_create(&r[i], NULL, reader, (void *)(intptr_t)i);
    sem_post(&go[0]);
    /* Not a wait for readcnt > 0: on a loaded machine the readers can run
     * all their turns before main looks, and readcnt is 0 again. */
    sem_wait(&first_in);
    pthread_create(&wr, NULL, writer, NULL);
    for (int i = 0; i < READERS; i++)
        pthread_join(r[i], NULL);
    pthread_join(wr, NULL);
    if (shared_value != 1)
        return 1;
    printf("DONE\n");
    return 0;
}
