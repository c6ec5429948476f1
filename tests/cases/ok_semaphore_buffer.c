// ok_semaphore_buffer.c: a bounded buffer with two semaphores and a mutex.
// EXPECT: none
// `slots` counts free slots and `items` filled ones, so the producer never
// overwrites and the consumer never reads an empty slot; the mutex guards
// the indexes.  Every sem_wait is matched by a sem_post.
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

#define SIZE 4
#define COUNT 1000

static int buf[SIZE];
static int in, out; /* guarded by buf_lock */
static pthread_mutex_t buf_lock = PTHREAD_MUTEX_INITIALIZER;
static sem_t slots, items;

static void *producer(void *arg)
{
    for (int i = 1; i <= COUNT; i++) {
        sem_wait(&slots); /* wait for a free slot */
        pthread_mutex_lock(&buf_lock);
        buf[in] = i;
        in = (in + 1) % SIZE;
        pthread_mutex_unlock(&buf_lock);
        sem_post(&items); /* announce the item */
    }
    return NULL;
}

static void *consumer(void *arg)
{
    long *sum = arg;

    for (int i = 0; i < COUNT; i++) {
        sem_wait(&items);
        pthread_mutex_lock(&buf_lock);
        *sum += buf[out];
        out = (out + 1) % SIZE;
        pthread_mutex_unlock(&buf_lock);
        sem_post(&slots);
    }
    return NULL;
}

int main(void)
{
    pthread_t p, c;
    long sum = 0;

    sem_init(&slots, 0, SIZE);
    sem_init(&items, 0, 0);
    pthread_create(&p, NULL, producer, NULL);
    pthread_create(&c, NULL, consumer, &sum);
    pthread_join(p, NULL);
    pthread_join(c, NULL);
    sem_destroy(&slots);
    sem_destroy(&items);
    if (sum != (long)COUNT * (COUNT + 1) / 2)
        return 1;
    printf("DONE\n");
    return 0;
}
