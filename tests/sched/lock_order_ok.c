/* lock_order_ok.c: both threads take lock_a before lock_b. */
// EXPECT: no finding (racelab check --schedules 1000)
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static int balance_a = 100, balance_b = 100; /* guarded by both locks */

static void *a_to_b(void *arg)
{
    pthread_mutex_lock(&lock_a); /* a, then b */
    pthread_mutex_lock(&lock_b);
    balance_a -= 10;
    balance_b += 10;
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    return NULL;
}

static void *b_to_a(void *arg)
{
    pthread_mutex_lock(&lock_a); /* a, then b, as everywhere */
    pthread_mutex_lock(&lock_b);
    balance_b -= 10;
    balance_a += 10;
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&lock_b);
    return NULL;
}

int main(void)
{
    pthread_t t1, t2;
    pthread_create(&t1, NULL, a_to_b, NULL);
    pthread_create(&t2, NULL, b_to_a, NULL);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    printf("%d %d\n", balance_a, balance_b);
    return 0;
}
