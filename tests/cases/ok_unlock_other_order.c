// ok_unlock_other_order.c: locks taken a-then-b, released a-then-b.
// EXPECT: none
// Only the order of acquisition matters for deadlock: both threads take a
// before b.  Releasing a before b (not the mirror order) is legal and cannot
// create a cycle, because unlocking never waits.
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER; /* lock order: a, b */
static pthread_mutex_t b = PTHREAD_MUTEX_INITIALIZER;
static int x, y; /* x guarded by a, y guarded by b */

static void *worker(void *arg)
{
    for (int i = 0; i < 100; i++) {
        pthread_mutex_lock(&a);
        pthread_mutex_lock(&b);
        x++;
        pthread_mutex_unlock(&a); /* released first: fine */
        y++;
        pthread_mutex_unlock(&b);
    }
    return NULL;
}

int main(void)
{
    pthread_t t[2];

    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, worker, NULL);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    if (x != 200 || y != 200)
        return 1;
    printf("DONE\n");
    return 0;
}
