// ok_thread_local.c: each thread counts in a _Thread_local variable.
// EXPECT: none
// A _Thread_local variable has one instance per thread, so the increments
// never touch shared memory; each thread hands its total back through its
// own slot, read after the join.
#include <pthread.h>
#include <stdio.h>

static _Thread_local long calls; /* one per thread: not shared */

static void note_call(void)
{
    calls++;
}

static void *worker(void *arg)
{
    long *result = arg;

    for (int i = 0; i < 10000; i++)
        note_call();
    *result = calls;
    return NULL;
}

int main(void)
{
    pthread_t t[2];
    long result[2];

    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, worker, &result[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    if (result[0] != 10000 || result[1] != 10000 || calls != 0)
        return 1;
    printf("DONE\n");
    return 0;
}
