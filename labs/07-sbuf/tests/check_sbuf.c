/* check_sbuf.c: lab 07 tests: the bounded buffer under forced schedules. */
#include <check.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sbuf.h"
#include "../sync-common/sync.h"

/*
 * Every test forces the schedule that matters instead of hoping for it.
 * "The buffer is full and a producer is inside sbuf_insert" is reached by
 * waiting until the producer thread is asleep (its state in /proc is S),
 * so P(mutex) before P(slots) deadlocks on every run, not now and then.
 * Tests with several producers or consumers make them take turns in an
 * order the test fixes (see struct turns), so their results never depend
 * on luck, while ThreadSanitizer still sees every pair of accesses that
 * only the buffer's own semaphores may order.  The waits the tests make
 * themselves are untimed (join, P) so that a hang leaves every thread
 * blocked, which racelab reports as deadlock.
 */

#define MAXP 8 /* producers or consumers in one test, at most */

/* ---- helpers ---------------------------------------------------------- */

/* The calling thread's directory under /proc, as "PID/task/TID".  Read
 * through /proc/thread-self because inside racelab's PID namespace the
 * thread ids that gettid() returns may not be the ones /proc shows. */
static void proc_dir(char *dir, size_t len)
{
    ssize_t n = readlink("/proc/thread-self", dir, len - 1);

    dir[n > 0 ? n : 0] = '\0';
}

/* The scheduler state letter of a thread (R, S, ...), '?' if unknown. */
static char thread_state(const char *dir)
{
    char path[160], line[512];
    FILE *f;
    char *p = NULL;

    snprintf(path, sizeof path, "/proc/%s/stat", dir);
    if ((f = fopen(path, "re"))) {
        if (fgets(line, sizeof line, f))
            p = strrchr(line, ')'); /* the name may contain spaces */
        fclose(f);
    }
    return p && p[1] == ' ' ? p[2] : '?';
}

/*
 * Waits until the thread has been asleep in 10 samples in a row, 10 ms
 * apart: blocked in a semaphore wait, not just passing through a short
 * sleep.  Gives up after 10 s so that a thread that never blocks cannot
 * hang the test here.  Without /proc it can only wait a while.
 */
static void wait_asleep(const char *dir)
{
    int quiet = 0;

    if (thread_state(dir) == '?') {
        usleep(300000);
        return;
    }
    for (int i = 0; i < 1000 && quiet < 10; i++) {
        usleep(10000);
        quiet = thread_state(dir) == 'S' ? quiet + 1 : 0;
    }
}

/* ---- taking turns ------------------------------------------------------ */

/*
 * The turn-taking must order the threads without ordering their accesses
 * in ThreadSanitizer's eyes: otherwise a buffer without a working mutex
 * would look race-free because the test itself made the threads wait for
 * each other.  So the turn semaphores are posted and waited for with
 * TSan's synchronization tracking switched off for that one call (its
 * AnnotateIgnoreSync interface); racelab's probe still sees the waits, so
 * a thread stuck inside the buffer while the others wait for their turn
 * is still a deadlock.  Without ThreadSanitizer the switch is a no-op.
 */
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define UNDER_TSAN 1
#endif

#ifdef UNDER_TSAN
void AnnotateIgnoreSyncBegin(const char *file, int line);
void AnnotateIgnoreSyncEnd(const char *file, int line);
#define UNSEEN(op)                                                             \
    do {                                                                       \
        AnnotateIgnoreSyncBegin(__FILE__, __LINE__);                           \
        op;                                                                    \
        AnnotateIgnoreSyncEnd(__FILE__, __LINE__);                             \
    } while (0)
#else
#define UNSEEN(op) op
#endif

#define MAXT (2 * MAXP) /* threads taking turns in one test, at most */

/* A fixed order of steps: at step s, thread who[s] does its next
 * operation on the buffer, then hands the turn to thread who[s + 1]. */
struct turns {
    const int *who;
    int nsteps;
    int step;         /* the current step, read and written atomically */
    sem_t turn[MAXT]; /* turn[t]: thread t may do its next operation */
};

static void turns_init(struct turns *t, const int *who, int nsteps,
                       int nthreads)
{
    t->who = who;
    t->nsteps = nsteps;
    t->step = 0;
    for (int i = 0; i < nthreads; i++)
        Sem_init(&t->turn[i], 0);
}

static void turns_destroy(struct turns *t, int nthreads)
{
    for (int i = 0; i < nthreads; i++)
        sem_destroy(&t->turn[i]);
}

static void turns_start(struct turns *t)
{
    UNSEEN(V(&t->turn[t->who[0]]));
}

static void my_turn(struct turns *t, int me)
{
    UNSEEN(P(&t->turn[me]));
}

static void next_turn(struct turns *t)
{
    int s = __atomic_add_fetch(&t->step, 1, __ATOMIC_RELAXED);

    if (s < t->nsteps)
        UNSEEN(V(&t->turn[t->who[s]]));
}

/* ---- producer and consumer threads ------------------------------------ */

/* One producer or consumer thread: what it does and what it saw. */
struct worker {
    sbuf_t *sp;
    int first, count;    /* items first .. first+count-1 */
    int *got;            /* consumer: the items it removed, in order */
    char dir[64];        /* its /proc directory, once started */
    sem_t started;       /* posted when dir is set */
    sem_t *gate;         /* if set: P it before working */
    struct turns *turns; /* if set: one operation per turn */
    int me;              /* its thread number in turns */
    int done;            /* set (atomically) when it has finished */
};

static void worker_begin(struct worker *w)
{
    proc_dir(w->dir, sizeof w->dir);
    V(&w->started);
    if (w->gate)
        P(w->gate);
}

static void *producer(void *arg)
{
    struct worker *w = arg;

    worker_begin(w);
    for (int i = 0; i < w->count; i++) {
        if (w->turns)
            my_turn(w->turns, w->me);
        sbuf_insert(w->sp, w->first + i);
        if (w->turns)
            next_turn(w->turns);
    }
    __atomic_store_n(&w->done, 1, __ATOMIC_RELAXED);
    return NULL;
}

static void *consumer(void *arg)
{
    struct worker *w = arg;

    worker_begin(w);
    for (int i = 0; i < w->count; i++) {
        if (w->turns)
            my_turn(w->turns, w->me);
        w->got[i] = sbuf_remove(w->sp);
        if (w->turns)
            next_turn(w->turns);
    }
    __atomic_store_n(&w->done, 1, __ATOMIC_RELAXED);
    return NULL;
}

/* Starts fn on w (count items from first) and waits until it runs. */
static void start(pthread_t *tid, void *(*fn)(void *), struct worker *w,
                  sbuf_t *sp, int first, int count)
{
    w->sp = sp;
    w->first = first;
    w->count = count;
    w->got = fn == consumer ? Calloc(count, sizeof(int)) : NULL;
    w->done = 0;
    Sem_init(&w->started, 0);
    Pthread_create(tid, NULL, fn, w);
    P(&w->started);
}

static void finish(pthread_t tid, struct worker *w)
{
    Pthread_join(tid, NULL);
    sem_destroy(&w->started);
}

/*
 * Whether the items in got[0..n) are exactly lo .. lo+n-1, each once (in
 * any order): no item lost, none duplicated, none made up.  Returns 0, or
 * -1 with what went wrong in msg (asserted by the caller once it has
 * cleaned up, so that a failure leaves no thread or block behind).
 */
static int exactly_once(const int *got, int n, int lo, char *msg, size_t len)
{
    int *seen = Calloc(n, sizeof(int));
    int lost = 0, dup = 0, bogus = 0;

    for (int i = 0; i < n; i++) {
        if (got[i] < lo || got[i] >= lo + n)
            bogus++;
        else if (seen[got[i] - lo]++)
            dup++;
    }
    for (int i = 0; i < n; i++)
        lost += seen[i] == 0;
    free(seen);
    snprintf(msg, len,
             "%d items: %d never removed, %d removed twice, %d values that "
             "were never inserted",
             n, lost, dup, bogus);
    return lost || dup || bogus ? -1 : 0;
}

/* ---- an empty buffer -------------------------------------------------- */

/* A consumer that finds the buffer empty waits, and gets the item
 * inserted while it waits. */
START_TEST(empty_consumer_waits)
{
    sbuf_t sb;
    pthread_t c;
    struct worker w = {0};
    int early, item;

    sbuf_init(&sb, 4);
    start(&c, consumer, &w, &sb, 0, 1);
    wait_asleep(w.dir); /* inside sbuf_remove, on an empty buffer */
    early = __atomic_load_n(&w.done, __ATOMIC_RELAXED);
    sbuf_insert(&sb, 42);
    finish(c, &w); /* join before any assert: no thread left behind */
    item = w.got[0];
    free(w.got);
    sbuf_deinit(&sb);
    ck_assert_msg(!early, "sbuf_remove returned although the buffer was "
                          "empty");
    ck_assert_msg(item == 42, "inserted 42, sbuf_remove returned %d", item);
}
END_TEST

/* ---- several producers or consumers, taking turns ---------------------- */

/* who[k] = k % nthreads: a round robin of nsteps steps. */
static int *round_robin(int nsteps, int nthreads, int offset)
{
    int *who = Malloc(nsteps * sizeof *who);

    for (int k = 0; k < nsteps; k++)
        who[k] = offset + k % nthreads;
    return who;
}

/*
 * Producers insert into a buffer with room for all their items, one item
 * per turn, round robin: nothing but mutex keeps each producer's update
 * of rear apart from the next one's.  Then main removes every item; the
 * k-th comes from producer k % NP, its item number k / NP.
 */
START_TEST(producers_take_turns)
{
    enum { NP = 4, PER = 16 };
    sbuf_t sb;
    pthread_t p[NP];
    struct worker w[NP];
    struct turns t;
    int *who = round_robin(NP * PER, NP, 0);
    int got[NP * PER], want[NP * PER];
    char msg[160];
    int bad = -1;

    memset(w, 0, sizeof w);
    sbuf_init(&sb, NP * PER);
    turns_init(&t, who, NP * PER, NP);
    for (int i = 0; i < NP; i++) {
        w[i].turns = &t;
        w[i].me = i;
        start(&p[i], producer, &w[i], &sb, i * PER, PER);
    }
    turns_start(&t);
    for (int i = 0; i < NP; i++)
        finish(p[i], &w[i]);
    for (int k = 0; k < NP * PER; k++) {
        got[k] = sbuf_remove(&sb);
        want[k] = (k % NP) * PER + k / NP;
        if (bad < 0 && got[k] != want[k])
            bad = k;
    }
    turns_destroy(&t, NP);
    free(who);
    sbuf_deinit(&sb);
    ck_assert_msg(exactly_once(got, NP * PER, 0, msg, sizeof msg) == 0, "%s",
                  msg);
    ck_assert_msg(bad < 0, "removal %d: got %d, want %d (insertion order)", bad,
                  bad < 0 ? 0 : got[bad], bad < 0 ? 0 : want[bad]);
}
END_TEST

/*
 * Main fills the buffer, then consumers remove one item per turn, round
 * robin: consumer c's r-th item is the (r * NC + c)-th inserted.
 */
START_TEST(consumers_take_turns)
{
    enum { NC = 4, PER = 16, BASE = 1000 };
    sbuf_t sb;
    pthread_t c[NC];
    struct worker w[NC];
    struct turns t;
    int *who = round_robin(NC * PER, NC, 0);
    int got[NC * PER];
    char msg[160];
    int bad = -1, bad_got = 0, bad_want = 0;

    memset(w, 0, sizeof w);
    sbuf_init(&sb, NC * PER);
    for (int k = 0; k < NC * PER; k++)
        sbuf_insert(&sb, BASE + k);
    turns_init(&t, who, NC * PER, NC);
    for (int i = 0; i < NC; i++) {
        w[i].turns = &t;
        w[i].me = i;
        start(&c[i], consumer, &w[i], &sb, 0, PER);
    }
    turns_start(&t);
    for (int i = 0; i < NC; i++) {
        finish(c[i], &w[i]);
        for (int r = 0; r < PER; r++) {
            got[i * PER + r] = w[i].got[r];
            if (bad < 0 && w[i].got[r] != BASE + r * NC + i) {
                bad = r * NC + i;
                bad_got = w[i].got[r];
                bad_want = BASE + r * NC + i;
            }
        }
        free(w[i].got);
    }
    turns_destroy(&t, NC);
    free(who);
    sbuf_deinit(&sb);
    ck_assert_msg(exactly_once(got, NC * PER, BASE, msg, sizeof msg) == 0, "%s",
                  msg);
    ck_assert_msg(bad < 0, "removal %d: got %d, want %d (insertion order)", bad,
                  bad_got, bad_want);
}
END_TEST

/* ---- a full buffer ---------------------------------------------------- */

/*
 * A producer that finds the buffer full waits inside sbuf_insert until
 * main removes an item; then it finishes, and the items come out in
 * order.  Main first inserts and removes one item itself, so that it has
 * posted slots before: if the producer waits for slots while holding
 * mutex, racelab's report shows the cycle (main waits for mutex, held by
 * the producer, who waits for slots, which main posts).
 */
START_TEST(full_producer_waits)
{
    enum { N = 4 };
    sbuf_t sb;
    pthread_t p;
    struct worker w = {0};
    int early, got[N + 1];

    sbuf_init(&sb, N);
    sbuf_insert(&sb, -1);
    ck_assert_int_eq(sbuf_remove(&sb), -1);
    start(&p, producer, &w, &sb, 0, N + 1); /* one more than fits */
    wait_asleep(w.dir); /* N inserted, blocked inside the last insert */
    early = __atomic_load_n(&w.done, __ATOMIC_RELAXED);
    for (int i = 0; i <= N; i++)
        got[i] = sbuf_remove(&sb);
    finish(p, &w);
    sbuf_deinit(&sb);
    ck_assert_msg(!early, "sbuf_insert returned although the buffer was "
                          "full");
    for (int i = 0; i <= N; i++)
        ck_assert_msg(got[i] == i, "removal %d: got %d, want %d", i, got[i], i);
}
END_TEST

/* ---- FIFO order ------------------------------------------------------- */

/*
 * One producer, one consumer: the items come out in the order they went
 * in, across many wrap-arounds of the ring.  The consumer starts only
 * once the producer is blocked on a full buffer, so the producer fills
 * it at least once.
 */
START_TEST(fifo_one_producer_one_consumer)
{
    enum { N = 4, ITEMS = 1000 };
    sbuf_t sb;
    pthread_t p, c;
    struct worker wp = {0}, wc = {0};
    sem_t gate;
    int first_wrong = 0, item;

    sbuf_init(&sb, N);
    Sem_init(&gate, 0);
    wc.gate = &gate;
    start(&p, producer, &wp, &sb, 0, ITEMS);
    start(&c, consumer, &wc, &sb, 0, ITEMS);
    wait_asleep(wp.dir); /* the buffer is full */
    V(&gate);            /* now the consumer may go */
    finish(p, &wp);
    finish(c, &wc);
    sem_destroy(&gate);
    sbuf_deinit(&sb);
    for (int i = 0; i < ITEMS && wc.got[i] == i; i++)
        first_wrong = i + 1;
    item = first_wrong < ITEMS ? wc.got[first_wrong] : 0;
    free(wc.got);
    ck_assert_msg(first_wrong == ITEMS, "removal %d: got %d, want %d",
                  first_wrong, item, first_wrong);
}
END_TEST

/* ---- many producers and consumers ------------------------------------- */

/*
 * MAXP producers and MAXP consumers on a buffer of N slots, in turns:
 * N producer steps fill the buffer, N consumer steps empty it, again and
 * again, the producers and the consumers each in round robin.  The k-th
 * item inserted is producer k % MAXP's item k / MAXP, and the k-th
 * removal is consumer k % MAXP's: so consumer c must get exactly
 * producer c's items, in order, none lost and none twice.
 */
START_TEST(many_producers_consumers)
{
    enum { N = 4, PER = 25, ITEMS = MAXP * PER };
    sbuf_t sb;
    pthread_t p[MAXP], c[MAXP];
    struct worker wp[MAXP], wc[MAXP];
    struct turns t;
    int *who = Malloc(2 * ITEMS * sizeof *who);
    int *got = Malloc(ITEMS * sizeof(int));
    char msg[160];
    int bad = -1, bad_got = 0, bad_want = 0, ok;

    for (int k = 0; k < 2 * ITEMS; k++) {
        int block = k / (2 * N), in = k % (2 * N);
        int n = block * N + in % N; /* the n-th insertion or removal */
        who[k] = (in < N ? 0 : MAXP) + n % MAXP;
    }
    memset(wp, 0, sizeof wp);
    memset(wc, 0, sizeof wc);
    sbuf_init(&sb, N);
    turns_init(&t, who, 2 * ITEMS, 2 * MAXP);
    for (int i = 0; i < MAXP; i++) {
        wp[i].turns = wc[i].turns = &t;
        wp[i].me = i;
        wc[i].me = MAXP + i;
        start(&p[i], producer, &wp[i], &sb, i * PER, PER);
        start(&c[i], consumer, &wc[i], &sb, 0, PER);
    }
    turns_start(&t);
    for (int i = 0; i < MAXP; i++)
        finish(p[i], &wp[i]);
    for (int i = 0; i < MAXP; i++) {
        finish(c[i], &wc[i]);
        for (int r = 0; r < PER; r++) {
            got[i * PER + r] = wc[i].got[r];
            if (bad < 0 && wc[i].got[r] != i * PER + r) {
                bad = r * MAXP + i;
                bad_got = wc[i].got[r];
                bad_want = i * PER + r;
            }
        }
        free(wc[i].got);
    }
    ok = exactly_once(got, ITEMS, 0, msg, sizeof msg) == 0;
    turns_destroy(&t, 2 * MAXP);
    free(who);
    free(got);
    sbuf_deinit(&sb);
    ck_assert_msg(ok, "%s", msg);
    ck_assert_msg(bad < 0, "removal %d: got %d, want %d (insertion order)", bad,
                  bad_got, bad_want);
}
END_TEST

/*
 * Run before each test, in the test's own process.  Check installs
 * handlers for SIGINT, SIGALRM and SIGTERM to stop forked tests; with
 * CK_FORK=no (how racelab grades) there is no child to stop, and racelab
 * counts a handler as something that might still wake a hung program, so
 * it would wait for the time limit before calling a hang a deadlock.
 */
static void no_check_handlers(void)
{
    const char *fork = getenv("CK_FORK");

    if (fork && strcmp(fork, "no") == 0) {
        signal(SIGINT, SIG_DFL);
        signal(SIGALRM, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
    }
}

/* The order matters when CK_FORK=no: the tests that never fill the
 * buffer run first, so a buffer that deadlocks when full still shows
 * which of them pass. */
Suite *make_sbuf_suite(void)
{
    Suite *s = suite_create("sbuf");
    TCase *empty = tcase_create("empty");
    TCase *room = tcase_create("turns");
    TCase *full = tcase_create("full");
    TCase *many = tcase_create("many");

    tcase_add_test(empty, empty_consumer_waits);
    tcase_add_test(room, producers_take_turns);
    tcase_add_test(room, consumers_take_turns);
    tcase_add_test(full, full_producer_waits);
    tcase_add_test(full, fifo_one_producer_one_consumer);
    tcase_add_test(many, many_producers_consumers);
    tcase_add_checked_fixture(empty, no_check_handlers, NULL);
    tcase_add_checked_fixture(room, no_check_handlers, NULL);
    tcase_add_checked_fixture(full, no_check_handlers, NULL);
    tcase_add_checked_fixture(many, no_check_handlers, NULL);
    tcase_set_timeout(empty, 10);
    tcase_set_timeout(room, 10);
    tcase_set_timeout(full, 10);
    tcase_set_timeout(many, 20);
    suite_add_tcase(s, empty);
    suite_add_tcase(s, room);
    suite_add_tcase(s, full);
    suite_add_tcase(s, many);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(make_sbuf_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
