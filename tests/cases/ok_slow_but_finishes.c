// ok_slow_but_finishes.c: correct threads that take a while, then end
// EXPECT: none
// Two workers each sleep in short steps for about 1.5 s, under a lock
// only to add to a shared total; main joins them.  Slow is not hung: the
// program ends by itself well within the timeout, so no finding (it is
// slower than the corpus's usual "well under a second" on purpose: slow
// is not `did-not-finish`).
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static long total; /* guarded by m */

static void *worker(void *arg)
{
    (void)arg;
    for (int i = 0; i < 30; i++) {
        usleep(50 * 1000);
        pthread_mutex_lock(&m);
        total++;
        pthread_mutex_unlock(&m);
    }
    return NULL;
}

int main(void)
{
    pthread_t a, b;
    pthread_create(&a, NULL, worker, NULL);
    pthread_create(&b, NULL, worker, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    if (total != 60)
        return 1;
    puts("DONE");
    return 0;
}
