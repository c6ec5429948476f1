/* sbuf_ok.c: bounded buffer on semaphores, a mutex around each slot update. */
// EXPECT: no finding (racelab check --schedules 1000)
#include <assert.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

enum { N = 2, ITEMS = 2 }; /* slots; items per producer */

static int buf[N];
static int front, rear; /* guarded by mutex */
static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static sem_t slots; /* free slots */
static sem_t items; /* filled slots */

static void insert(int x)
{
    sem_wait(&slots);           /* Wait for an available slot */
    pthread_mutex_lock(&mutex); /* Lock the buffer */
    buf[rear % N] = x;
    rear++;
    pthread_mutex_unlock(&mutex); /* Unlock the buffer */
    sem_post(&items);             /* Announce an available item */
}

static int take(void)
{
    sem_wait(&items);
    pthread_mutex_lock(&mutex);
    int x = buf[front % N];
    front++;
    pthread_mutex_unlock(&mutex);
    sem_post(&slots);
    return x;
}

static void *producer(void *arg)
{
    int base = *(int *)arg;
    for (int i = 1; i <= ITEMS; i++)
        insert(base + i);
    return NULL;
}

int main(void)
{
    static int bases[2] = {0, 10};
    pthread_t p1, p2;
    sem_init(&slots, 0, N);
    sem_init(&items, 0, 0);
    pthread_create(&p1, NULL, producer, &bases[0]);
    pthread_create(&p2, NULL, producer, &bases[1]);
    int sum = 0;
    for (int i = 0; i < 2 * ITEMS; i++)
        sum += take();
    pthread_join(p1, NULL);
    pthread_join(p2, NULL);
    printf("sum = %d\n", sum);
    assert(sum == 1 + 2 + 11 + 12); /* every item taken exactly once */
    return 0;
}
