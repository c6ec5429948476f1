// starvation_sem_first_readers.c: the textbook's first readers-writers
// solution on semaphores starves its writer
// EXPECT: starvation
// readcnt guarded by mutex; the first reader in takes w, the last reader
// out posts it, a writer takes w alone.  The readers here overlap: each
// lets the next one in and leaves only once that one is inside, so readcnt
// never drops to 0, nobody posts w again and the writer waits in sem_wait
// for the whole 20 s.  Nobody else takes w meanwhile: the readers as a
// group keep it.  Fix: a turnstile the writer holds while it waits (the
// fair solution), or writer preference.
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#define READERS 3
#ifndef RUN_SECONDS
#define RUN_SECONDS 20
#endif

static sem_t mutex; /* guards readcnt */
static sem_t w;     /* held by the writer, or by the readers as a group */
static int readcnt;
static int shared_value; /* guarded by w (readers: shared) */

static sem_t go[READERS];     /* reader i's turn to come in */
static sem_t inside[READERS]; /* reader i's successor is inside */
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
        sum += shared_value;
        if (turn > 0)
            sem_post(&inside[prev]); /* the one before may leave now */
        if (time(NULL) >= stop_at) {
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
    for (int i = 0; i < READERS; i++) {
        sem_init(&go[i], 0, 0);
        sem_init(&inside[i], 0, 0);
    }
    stop_at = time(NULL) + RUN_SECONDS;
    for (int i = 0; i < READERS; i++)
        pthread_create(&r[i], NULL, reader, (void *)(intptr_t)i);
    sem_post(&go[0]);
    while (1) { /* wait until the readers are in */
        int in;
        sem_wait(&mutex);
        in = readcnt;
        sem_post(&mutex);
        if (in > 0)
            break;
        sched_yield();
    }
    pthread_create(&wr, NULL, writer, NULL);
    for (int i = 0; i < READERS; i++)
        pthread_join(r[i], NULL);
    pthread_join(wr, NULL);
    printf("writer got in at last: %d\n", shared_value);
    return 0;
}
