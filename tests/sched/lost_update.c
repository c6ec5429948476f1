/* lost_update.c: two threads add 2 each to a shared counter, unlocked. */
// EXPECT: data-race (racelab check --schedules 200)
#include <assert.h>
#include <pthread.h>
#include <stdio.h>

static int cnt; /* shared, and no lock guards it: the bug */

static void *add(void *arg)
{
    for (int i = 0; i < 2; i++)
        cnt++; /* load, add, store: another thread can step in between */
    return NULL;
}

int main(void)
{
    pthread_t a, b;
    pthread_create(&a, NULL, add, NULL);
    pthread_create(&b, NULL, add, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    printf("cnt = %d\n", cnt);
    assert(cnt == 4);
    return 0;
}
