// did_not_finish_cond_never_signaled.c: a wait nobody ever signals
// EXPECT: did-not-finish
// RACELAB: --timeout 3
// The worker waits on `ready` for a flag that main never sets (main only
// sleeps, then waits for the worker).  The worker is blocked on the
// condition variable, main in a sleep loop: the program never ends, and
// racelab must say so, naming the condition variable `ready`.
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ready = PTHREAD_COND_INITIALIZER;
static int go;

static void *worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&m);
    while (!go)
        pthread_cond_wait(&ready, &m); /* nobody signals */
    pthread_mutex_unlock(&m);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    for (;;)
        usleep(100 * 1000); /* forgot: go = 1; pthread_cond_signal */
    pthread_join(t, NULL);
    return 0;
}
