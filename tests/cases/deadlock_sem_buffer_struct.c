// deadlock_sem_buffer_struct.c: a bounded buffer that waits holding its lock
// EXPECT: deadlock
// SAYS: deadlock: holds mutex buf.lock
// SAYS: deadlock: waits for semaphore buf.items
// NEVER-SAYS: buf+
// The consumer locks buf.lock and only then waits on buf.items (the
// textbook order is the other way round).  It starts first (main waits
// until it has taken the lock), so it sleeps in sem_wait holding the lock;
// the producer must lock buf.lock before it can post buf.items, and waits
// for the consumer forever.  The semaphores and the lock are fields of one
// struct.  Fix: sem_wait(&buf.items) before locking buf.lock.
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

static struct {
    int slot[4];
    int head, tail;
    sem_t slots, items;   /* free slots, filled slots */
    pthread_mutex_t lock; /* guards slot, head, tail */
} buf;
static sem_t consumer_locked; /* forces the consumer in first */

static void *consumer(void *arg)
{
    int *got = arg;

    pthread_mutex_lock(&buf.lock);
    sem_post(&consumer_locked);
    sem_wait(&buf.items); /* sleeps holding buf.lock */
    *got = buf.slot[buf.head++ % 4];
    pthread_mutex_unlock(&buf.lock);
    sem_post(&buf.slots);
    return NULL;
}

static void *producer(void *arg)
{
    sem_wait(&buf.slots);
    pthread_mutex_lock(&buf.lock); /* held by the sleeping consumer */
    buf.slot[buf.tail++ % 4] = 42;
    pthread_mutex_unlock(&buf.lock);
    sem_post(&buf.items);
    return arg;
}

int main(void)
{
    pthread_t c, p;
    int got = 0;

    sem_init(&buf.slots, 0, 4);
    sem_init(&buf.items, 0, 0);
    sem_init(&consumer_locked, 0, 0);
    pthread_mutex_init(&buf.lock, NULL);
    pthread_create(&c, NULL, consumer, &got);
    sem_wait(&consumer_locked);
    pthread_create(&p, NULL, producer, NULL);
    pthread_join(p, NULL);
    pthread_join(c, NULL);
    printf("%d\n", got);
    return 0;
}
