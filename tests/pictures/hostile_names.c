/* hostile_names.c: a lost update whose failure message is markup, for
 * the --html escaping test (tests/unit/check_pictures.c): the page must
 * show it as text, never as an element. */
// EXPECT: data-race (racelab check --schedules 200)
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static int cnt;

static void *add(void *arg)
{
    cnt++;
    return NULL;
}

int main(void)
{
    pthread_t a, b;
    pthread_create(&a, NULL, add, NULL);
    pthread_create(&b, NULL, add, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    if (cnt != 2) {
        printf("<script>alert('lost')</script> & \"cnt\" = %d\n", cnt);
        fflush(stdout);
        abort();
    }
    return 0;
}
