/* timing_self_check_ok.c: a correct program that checks its own timing. */
// EXPECT: no finding (racelab check --schedules 200); some seeds exit 1
// The worker sleeps before it sets `done` under the lock; main expects to
// find it unset on its first look (the sleep is meant to ensure that) and
// exits 1 otherwise.  Under the scheduler a sleep orders nothing, so some
// seeds exit 1, yet every access is locked: nothing to blame on a race.
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int done; /* guarded by lock */

static void *worker(void *arg)
{
    usleep(100000); /* let main look first */
    pthread_mutex_lock(&lock);
    done = 1;
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    pthread_mutex_lock(&lock);
    int early = done; /* expected 0: the worker is still asleep */
    pthread_mutex_unlock(&lock);
    pthread_join(t, NULL);
    printf("early = %d\n", early);
    return early ? 1 : 0;
}
