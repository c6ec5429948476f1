// ok_thread_result_freed.c: a thread returns a malloc'd result that main frees.
// EXPECT: none
// Ownership passes with the return value: the worker allocates, main takes
// the pointer from pthread_join and frees it.
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
    long sum = 0;

    for (long i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, square, (void *)(i + 3));
    for (int i = 0; i < 2; i++) {
        void *ret;

        pthread_join(t[i], &ret);
        if (ret == NULL)
            return 1;
        sum += *(long *)ret;
        free(ret);
    }
    if (sum != 25)
        return 1;
    printf("DONE\n");
    return 0;
}
