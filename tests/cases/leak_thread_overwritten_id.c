// leak_thread_overwritten_id.c: one pthread_t reused, only the last joined
// EXPECT: thread-leak
// The loop starts a thread per request and stores its id in the same
// variable, so only the last thread is joined; the earlier ones finish and
// are never joined.  Fix: keep every id and join them all, or detach.
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

static void *handle(void *arg)
{
    int request = (int)(intptr_t)arg;

    return (void *)(intptr_t)(request * 2);
}

int main(void)
{
    pthread_t tid;
    void *ret;

    for (int request = 0; request < 4; request++) {
        pthread_create(&tid, NULL, handle, (void *)(intptr_t)request);
        usleep(20000); /* the handler has finished before the next one */
    }
    pthread_join(tid, &ret); /* only the last handler is joined */
    printf("last answer %d\n", (int)(intptr_t)ret);
    return 0;
}
