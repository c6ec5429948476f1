/* demo.c: lab 09 driver.  `demo rw`: readers take turns so that one of
 * them always holds the lock, and a writer arrives; it must get in soon.
 * `demo polite`: two diners share two forks.  No argument: both (polite
 * first). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "polite.h"
#include "rwlock.h"
#include "../sync-common/sync.h"

#define RUN_SECONDS 20       /* the readers give up after this long */
#define HANDOVER_WAIT_MS 200 /* longest a reader waits for the next one */
#define WRITER_LIMIT_S 2.0   /* a writer waiting longer has starved */
#define MEALS 100

static struct rwlock rw;
static int table[16]; /* guarded by rw */

static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;
static int writer_done;    /* guarded by state_lock */
static sem_t your_turn[2]; /* reader i may take the read lock now */
static sem_t i_hold[2];    /* reader i holds the read lock */
static time_t stop_at;

static double now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int readers_should_stop(void)
{
    int stop;

    Pthread_mutex_lock(&state_lock);
    stop = writer_done || time(NULL) >= stop_at;
    Pthread_mutex_unlock(&state_lock);
    return stop;
}

/* Waits up to HANDOVER_WAIT_MS for sem s. */
static void wait_a_while(sem_t *s)
{
    struct timespec until;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += HANDOVER_WAIT_MS * 1000000L;
    until.tv_sec += until.tv_nsec / 1000000000L;
    until.tv_nsec %= 1000000000L;
    while (sem_timedwait(s, &until) < 0 && errno == EINTR)
        ;
}

/*
 * Two readers relay: each takes the read lock, tells the other to come in
 * and lets go only once the other holds it too (or after 200 ms, if the
 * lock keeps the other out).  With a lock that lets readers in whenever
 * other readers are inside, the lock is never free.
 */
static void *reader(void *arg)
{
    int me = (int)(intptr_t)arg, other = 1 - me;
    long sum = 0;

    for (;;) {
        P(&your_turn[me]);
        rw_read_lock(&rw);
        V(&i_hold[me]);
        if (readers_should_stop()) {
            rw_read_unlock(&rw);
            V(&your_turn[other]); /* let the other one stop too */
            break;
        }
        for (int i = 0; i < 16; i++)
            sum += table[i];
        usleep(1000);
        V(&your_turn[other]);
        wait_a_while(&i_hold[other]); /* the other holds it too now */
        rw_read_unlock(&rw);
    }
    return (void *)(intptr_t)sum;
}

static double writer_waited;

static void *writer(void *arg)
{
    double t0 = now();

    rw_write_lock(&rw);
    writer_waited = now() - t0;
    table[0]++;
    rw_write_unlock(&rw);
    Pthread_mutex_lock(&state_lock);
    writer_done = 1;
    Pthread_mutex_unlock(&state_lock);
    return NULL;
}

static int demo_rw(void)
{
    pthread_t r[2], w;

    rw_init(&rw);
    stop_at = time(NULL) + RUN_SECONDS;
    for (int i = 0; i < 2; i++) {
        Sem_init(&your_turn[i], 0);
        Sem_init(&i_hold[i], 0);
    }
    for (int i = 0; i < 2; i++)
        Pthread_create(&r[i], NULL, reader, (void *)(intptr_t)i);
    V(&your_turn[0]);
    P(&i_hold[0]); /* reader 0 holds the lock: now the writer comes */
    Pthread_create(&w, NULL, writer, NULL);
    for (int i = 0; i < 2; i++)
        Pthread_join(r[i], NULL);
    Pthread_join(w, NULL);
    rw_destroy(&rw);
    printf("rw: the writer waited %.1f s\n", writer_waited);
    return writer_waited < WRITER_LIMIT_S ? 0 : -1;
}

static struct table diners;

static void *diner(void *arg)
{
    dine(&diners, (int)(intptr_t)arg, MEALS);
    return NULL;
}

static int demo_polite(void)
{
    pthread_t d[2];

    table_init(&diners);
    for (int i = 0; i < 2; i++)
        Pthread_create(&d[i], NULL, diner, (void *)(intptr_t)i);
    for (int i = 0; i < 2; i++)
        Pthread_join(d[i], NULL);
    table_destroy(&diners);
    printf("polite: %ld meals (want %d)\n", diners.meals, 2 * MEALS);
    return diners.meals == 2 * MEALS ? 0 : -1;
}

int main(int argc, char **argv)
{
    const char *part = argc > 1 ? argv[1] : "all";
    int ok = 1;

    /* Part 2 first: its bug shows within seconds, part 1's takes 20 s. */
    if (strcmp(part, "rw") != 0 && demo_polite() < 0)
        ok = 0;
    if (strcmp(part, "polite") != 0 && demo_rw() < 0)
        ok = 0;
    printf(ok ? "DONE\n" : "FAILED\n");
    return 0;
}
