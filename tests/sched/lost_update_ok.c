/* lost_update_ok.c: the same counter, each increment under a mutex. */
// EXPECT: no finding (racelab check --schedules 1000)
#include <assert.h>
#include <pthread.h>
#include <stdio.h>

static int cnt; /* guarded by cnt_lock */
static pthread_mutex_t cnt_lock = PTHREAD_MUTEX_INITIALIZER;

static void *add(void *arg)
{
    for (int i = 0; i < 2; i++) {
        pthread_mutex_lock(&cnt_lock); /* the whole load-add-store */
        cnt++;
        pthread_mutex_unlock(&cnt_lock);
    }
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
