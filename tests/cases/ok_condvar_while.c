// ok_condvar_while.c: queue with a mutex and a condvar in a while loop
// EXPECT: none
// The consumer re-checks its predicate in a while loop around
// pthread_cond_wait, so a spurious wake-up or a stolen item cannot make it
// read an empty queue; the producer changes the state under the same mutex
// before it signals, so no wake-up is lost.
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t q_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t q_nonempty = PTHREAD_COND_INITIALIZER;
static int queued, closed; /* guarded by q_lock */

static void *consumer(void *arg)
{
    long *taken = arg;

    pthread_mutex_lock(&q_lock);
    for (;;) {
        while (queued == 0 && !closed)
            pthread_cond_wait(&q_nonempty, &q_lock);
        if (queued == 0)
            break; /* closed and drained */
        queued--;
        (*taken)++;
    }
    pthread_mutex_unlock(&q_lock);
    return NULL;
}

int main(void)
{
    pthread_t t[2];
    long taken[2] = {0, 0};

    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, consumer, &taken[i]);
    for (int i = 0; i < 500; i++) {
        pthread_mutex_lock(&q_lock);
        queued++;
        pthread_cond_signal(&q_nonempty);
        pthread_mutex_unlock(&q_lock);
    }
    pthread_mutex_lock(&q_lock);
    closed = 1;
    pthread_cond_broadcast(&q_nonempty);
    pthread_mutex_unlock(&q_lock);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    if (taken[0] + taken[1] != 500)
        return 1;
    printf("DONE\n");
    return 0;
}
