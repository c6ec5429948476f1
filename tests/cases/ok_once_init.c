// ok_once_init.c: lazy initialisation with pthread_once from several threads.
// EXPECT: none
// pthread_once runs init_table exactly once and makes its writes visible to
// every caller that returns from pthread_once, so the readers need no lock.
#include <pthread.h>
#include <stdio.h>

static pthread_once_t table_once = PTHREAD_ONCE_INIT;
static int table[64]; /* written once by init_table, then read-only */

static void init_table(void)
{
    for (int i = 0; i < 64; i++)
        table[i] = i * i;
}

static void *lookup(void *arg)
{
    long *out = arg;

    pthread_once(&table_once, init_table);
    *out = table[7];
    return NULL;
}

int main(void)
{
    pthread_t t[3];
    long out[3];

    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, lookup, &out[i]);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < 3; i++)
        if (out[i] != 49)
            return 1;
    printf("DONE\n");
    return 0;
}
