// deadlock_with_leak.c: a lost buffer, then two threads deadlock: both count.
// EXPECT: deadlock, memory-leak
// The loader thread overwrites its only pointer to a strdup'd line, then two
// workers take locks a and b in opposite orders (a barrier makes both hold
// one): the program hangs on every run and never reaches LeakSanitizer's
// exit-time check, so racelab asks the live ASan build for a leak report
// before it stops it.  Fix: free the line; take a and b in the same order.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t b = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t both_hold_one; /* forces the deadly interleaving */
static char *volatile config_line;      /* the loaded configuration */

static void *loader(void *arg)
{
    config_line = strdup("threads=2");
    config_line = strdup("threads=4"); /* the first line is lost */
    return NULL;
}

static void *a_then_b(void *arg)
{
    pthread_mutex_lock(&a);
    pthread_barrier_wait(&both_hold_one);
    pthread_mutex_lock(&b); /* waits for the other worker forever */
    pthread_mutex_unlock(&b);
    pthread_mutex_unlock(&a);
    return NULL;
}

static void *b_then_a(void *arg)
{
    pthread_mutex_lock(&b);
    pthread_barrier_wait(&both_hold_one);
    pthread_mutex_lock(&a); /* waits for the other worker forever */
    pthread_mutex_unlock(&a);
    pthread_mutex_unlock(&b);
    return NULL;
}

int main(void)
{
    pthread_t load, t1, t2;

    pthread_create(&load, NULL, loader, NULL);
    pthread_join(load, NULL);
    printf("config: %s\n", config_line);
    pthread_barrier_init(&both_hold_one, NULL, 2);
    pthread_create(&t1, NULL, a_then_b, NULL);
    pthread_create(&t2, NULL, b_then_a, NULL);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    free(config_line);
    printf("unreachable\n");
    return 0;
}
