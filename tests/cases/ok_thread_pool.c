// ok_thread_pool.c: a worker pool drains a queue and shuts down
// EXPECT: none
// Tasks sit in a ring guarded by pool_lock; workers sleep on `work` in a
// while loop; shutdown sets `stopping` under the lock and broadcasts; main
// joins every worker and frees the pool.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define WORKERS 3
#define TASKS 64

struct pool {
    pthread_mutex_t lock; /* guards everything below */
    pthread_cond_t work;
    int tasks[TASKS];
    int head, tail;
    int stopping;
    long sum;
};

static void *worker(void *arg)
{
    struct pool *p = arg;

    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (p->head == p->tail && !p->stopping)
            pthread_cond_wait(&p->work, &p->lock);
        if (p->head == p->tail)
            break; /* stopping and nothing left */
        p->sum += p->tasks[p->head++];
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

int main(void)
{
    struct pool *p = calloc(1, sizeof *p);
    pthread_t t[WORKERS];
    long sum;

    if (p == NULL)
        return 1;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->work, NULL);
    for (int i = 0; i < WORKERS; i++)
        pthread_create(&t[i], NULL, worker, p);
    for (int i = 1; i <= TASKS; i++) {
        pthread_mutex_lock(&p->lock);
        p->tasks[p->tail++] = i;
        pthread_cond_signal(&p->work);
        pthread_mutex_unlock(&p->lock);
    }
    pthread_mutex_lock(&p->lock);
    p->stopping = 1;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < WORKERS; i++)
        pthread_join(t[i], NULL);
    sum = p->sum;
    pthread_cond_destroy(&p->work);
    pthread_mutex_destroy(&p->lock);
    free(p);
    if (sum != TASKS * (TASKS + 1) / 2)
        return 1;
    printf("DONE\n");
    return 0;
}
