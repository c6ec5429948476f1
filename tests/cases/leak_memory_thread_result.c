// leak_memory_thread_result.c: a thread's malloc'd result is never freed
// EXPECT: memory-leak
// Each worker allocates its result and returns it through pthread_join, but
// main passes NULL as the result pointer, so the blocks are lost.  Fix: take
// the result with pthread_join(t, &ret) and free(ret).
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static void *square(void *arg)
{
    long *result = malloc(sizeof *result);

    if (result != NULL)
        *result = (long)arg * (long)arg;
    return result;
}

int main(void)
{
    pthread_t t[2];

    for (long i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, square, (void *)(i + 3));
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL); /* the bug: the result is dropped */
    printf("squares computed\n");
    return 0;
}
