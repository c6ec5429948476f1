// ok_cond_start_gate.c: threads wait at a start gate opened by one broadcast.
// EXPECT: none
// Workers wait in a while loop for `open`; main sets it under the mutex and
// broadcasts, so no worker can miss the opening even if it arrives late.
#include <pthread.h>
#include <stdio.h>

#define WORKERS 4

static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static int open_gate; /* guarded by gate_lock */
static int passed;    /* guarded by gate_lock */

static void *worker(void *arg)
{
    pthread_mutex_lock(&gate_lock);
    while (!open_gate)
        pthread_cond_wait(&gate_cond, &gate_lock);
    passed++;
    pthread_mutex_unlock(&gate_lock);
    return NULL;
}

int main(void)
{
    pthread_t t[WORKERS];

    for (int i = 0; i < WORKERS; i++)
        pthread_create(&t[i], NULL, worker, NULL);
    pthread_mutex_lock(&gate_lock);
    open_gate = 1;
    pthread_cond_broadcast(&gate_cond);
    pthread_mutex_unlock(&gate_lock);
    for (int i = 0; i < WORKERS; i++)
        pthread_join(t[i], NULL);
    if (passed != WORKERS)
        return 1;
    printf("DONE\n");
    return 0;
}
