/* check_probe.c: the lock and thread probe, and the verdicts drawn from it. */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe/probe_analysis.h"
#include "engine/sources.h"
#include "tools/data_names.h"
#include "tools/tool.h"
#include "tools/tool_probe.h"

/* ---- hand-built tables ---- */

enum { M_A = 0x1000, M_B = 0x2000, GATE = 0x3000, S_SLOTS = 0x4000 };

static struct rl_probe_sample *new_sample(double elapsed, double cpu)
{
    struct rl_probe_sample *s = calloc(1, sizeof *s);
    ck_assert_ptr_nonnull(s);
    s->elapsed = elapsed;
    s->cpu = cpu;
    s->shm.magic = RLP_MAGIC;
    return s;
}

static struct rlp_thread *add_thread(struct rlp_shm *shm, int state)
{
    struct rlp_thread *t = &shm->threads[shm->nthreads];
    t->index = (int32_t)shm->nthreads;
    t->tid = 100 + (int32_t)shm->nthreads;
    t->state = state;
    shm->nthreads++;
    return t;
}

static void hold(struct rlp_thread *t, uint64_t lock)
{
    t->held[t->nheld++].lock = lock;
}

static void wait_on(struct rlp_thread *t, int state, uint64_t obj)
{
    t->state = state;
    t->wait_object = obj;
    t->wait_since_ns = 42;
}

static struct rlp_lock *add_lock(struct rlp_shm *shm, uint64_t addr, int kind)
{
    struct rlp_lock *l = &shm->locks[shm->nlocks++];
    l->addr = addr;
    l->kind = kind;
    return l;
}

static void add_edge(struct rlp_shm *shm, uint64_t first, uint64_t second,
                     int thread, uint64_t gate)
{
    struct rlp_edge *e = &shm->edges[shm->nedges++];
    e->first = first;
    e->second = second;
    e->thread_index = thread;
    if (gate)
        e->gates[e->ngates++] = gate;
}

/* main joins thread 2; thread 2 holds m_a, wants m_b; 3 the reverse. */
static void classic_deadlock(struct rl_probe_sample *s)
{
    struct rlp_shm *shm = &s->shm;
    wait_on(add_thread(shm, 0), RLP_T_WAIT_JOIN, 2);
    struct rlp_thread *left = add_thread(shm, 0);
    struct rlp_thread *right = add_thread(shm, 0);
    hold(left, M_A);
    wait_on(left, RLP_T_WAIT_LOCK, M_B);
    hold(right, M_B);
    wait_on(right, RLP_T_WAIT_LOCK, M_A);
    add_lock(shm, M_A, RLP_L_MUTEX);
    add_lock(shm, M_B, RLP_L_MUTEX);
    s->have_tasks = 1;
    s->ntasks = 3;
    for (int i = 0; i < 3; i++)
        s->tasks[i] = (struct rl_task){100 + i, 'S'};
}

/* The lock cycle while the main thread waits on a semaphore (instead of
 * the join), in a program with a signal handler or a child: the handler
 * could post that semaphore. */
static void wakeable_deadlock(struct rl_probe_sample *s)
{
    classic_deadlock(s);
    s->shm.threads[0].state = RLP_T_WAIT_SEM;
    s->outside_wakers = 1;
}

/* The lock cycle alone, in a program with a signal handler (e.g. a Check
 * test runner): no handler can unlock a mutex, so it is a deadlock. */
static void locks_only_with_handlers(struct rl_probe_sample *s)
{
    classic_deadlock(s);
    s->outside_wakers = 1;
}

/* The same, with the eighth sample (0.7 s) the final look. */
static void wakeable_deadlock_final(struct rl_probe_sample *s)
{
    wakeable_deadlock(s);
    s->final = s->elapsed > 0.65;
}

START_TEST(test_cycle_found)
{
    struct rl_probe_sample *s = new_sample(0, 0);
    struct rl_wait_cycle c;
    classic_deadlock(s);
    ck_assert_int_eq(rl_probe_all_blocked(s), 1);
    ck_assert_int_eq(rl_probe_wait_cycle(&s->shm, &c), 1);
    ck_assert_uint_eq(c.n, 2);
    ck_assert_int_eq(c.thread[0] + c.thread[1], 3); /* threads 1 and 2 */
    ck_assert_int_eq(c.posted[0], 0);
    ck_assert(c.object[0] == (c.thread[0] == 1 ? M_B : M_A));
    /* A running thread or a thread the probe does not know: no verdict. */
    s->tasks[1].state = 'R';
    ck_assert_int_eq(rl_probe_all_blocked(s), 0);
    s->tasks[1].state = 'S';
    s->tasks[s->ntasks++] = (struct rl_task){999, 'S'};
    ck_assert_int_eq(rl_probe_all_blocked(s), 0);
    s->ntasks--;
    s->shm.threads[2].wait_timed = 1; /* it may still time out */
    ck_assert_int_eq(rl_probe_all_blocked(s), 0);
    free(s);
}
END_TEST

/* Feeds samples 0.1 s apart; returns the verdict reached, or NONE. */
static enum rl_hang_kind feed_series(void (*build)(struct rl_probe_sample *),
                                     int nsamples, double cpu_per_sample,
                                     int progress_moves)
{
    struct rl_hang_watch w;
    enum rl_hang_kind kind = RL_HANG_NONE;
    rl_hang_watch_init(&w);
    for (int i = 0; i < nsamples; i++) {
        struct rl_probe_sample *s = new_sample(i * 0.1, i * cpu_per_sample);
        build(s);
        if (progress_moves)
            s->shm.progress = (uint64_t)i;
        if (rl_hang_watch_feed(&w, s)) {
            kind = w.verdict.kind;
            break;
        }
    }
    rl_hang_watch_free(&w);
    return kind;
}

START_TEST(test_deadlock_needs_quiet)
{
    ck_assert_int_eq(feed_series(classic_deadlock, 4, 0, 0), RL_HANG_NONE);
    ck_assert_int_eq(feed_series(classic_deadlock, 8, 0, 0), RL_HANG_DEADLOCK);
    /* Progress or CPU use means it is not stuck. */
    ck_assert_int_eq(feed_series(classic_deadlock, 30, 0, 1), RL_HANG_NONE);
    ck_assert_int_eq(feed_series(classic_deadlock, 30, 0.05, 0), RL_HANG_NONE);
    /* A signal handler or a child process might still post: wait for
     * the final look before calling it a deadlock. */
    ck_assert_int_eq(feed_series(wakeable_deadlock, 30, 0, 0), RL_HANG_NONE);
    ck_assert_int_eq(feed_series(wakeable_deadlock_final, 8, 0, 0),
                     RL_HANG_DEADLOCK);
    ck_assert_int_eq(feed_series(locks_only_with_handlers, 8, 0, 0),
                     RL_HANG_DEADLOCK);
}
END_TEST

START_TEST(test_gate_suppresses_inversion)
{
    struct rl_probe_sample *s = new_sample(0, 0);
    struct rl_lock_cycle c;
    add_edge(&s->shm, M_A, M_B, 1, GATE);
    add_edge(&s->shm, M_B, M_A, 2, GATE);
    ck_assert_int_eq(rl_probe_find_inversion(&s->shm, &c), 0);
    /* Without the gate on one side the cycle can deadlock. */
    add_edge(&s->shm, M_B, M_A, 3, 0);
    ck_assert_int_eq(rl_probe_find_inversion(&s->shm, &c), 1);
    ck_assert_uint_eq(c.n, 2);
    free(s);
}
END_TEST

START_TEST(test_one_thread_is_no_inversion)
{
    struct rl_probe_sample *s = new_sample(0, 0);
    struct rl_lock_cycle c;
    add_edge(&s->shm, M_A, M_B, 1, 0);
    add_edge(&s->shm, M_B, M_A, 1, 0);
    ck_assert_int_eq(rl_probe_find_inversion(&s->shm, &c), 0);
    add_edge(&s->shm, M_B, M_A, 2, 0);
    ck_assert_int_eq(rl_probe_find_inversion(&s->shm, &c), 1);
    /* Read locks only: nobody can block. */
    for (uint32_t k = 0; k < s->shm.nedges; k++)
        s->shm.edges[k].first_kind = s->shm.edges[k].second_kind =
            RLP_L_RWLOCK_READ;
    ck_assert_int_eq(rl_probe_find_inversion(&s->shm, &c), 0);
    s->shm.edges[0].second_kind = RLP_L_RWLOCK_WRITE;
    ck_assert_int_eq(rl_probe_find_inversion(&s->shm, &c), 1);
    /* A semaphore others post (a signal, not a lock) breaks the cycle. */
    add_lock(&s->shm, M_A, RLP_L_SEM)->foreign_posts = 5;
    ck_assert_int_eq(rl_probe_find_inversion(&s->shm, &c), 0);
    free(s);
}
END_TEST

START_TEST(test_semaphore_mutex_cycle)
{
    /* Bounded buffer with P(mutex) before P(slots): the producer holds the
     * mutex semaphore and waits for a slot only the consumer posts; the
     * consumer waits for the mutex semaphore. */
    struct rl_probe_sample *s = new_sample(0, 0);
    struct rlp_shm *shm = &s->shm;
    add_thread(shm, RLP_T_RUNNING)->joined_or_detached = 1;
    wait_on(&shm->threads[0], RLP_T_WAIT_JOIN, 2);
    struct rlp_thread *producer = add_thread(shm, 0);
    struct rlp_thread *consumer = add_thread(shm, 0);
    hold(producer, M_A); /* the mutex semaphore */
    wait_on(producer, RLP_T_WAIT_SEM, S_SLOTS);
    wait_on(consumer, RLP_T_WAIT_SEM, M_A);
    add_lock(shm, M_A, RLP_L_SEM);
    struct rlp_lock *slots = add_lock(shm, S_SLOTS, RLP_L_SEM);
    slots->foreign_posts = 3;
    slots->posters[0] = 1u << 2; /* thread index 2: the consumer */
    struct rl_wait_cycle c;
    ck_assert_int_eq(rl_probe_wait_cycle(shm, &c), 1);
    ck_assert_uint_eq(c.n, 2);
    int p = c.thread[0] == 1 ? 0 : 1; /* the producer's place */
    ck_assert_int_eq(c.thread[p], 1);
    ck_assert_int_eq(c.posted[p], 1);     /* the consumer posts slots */
    ck_assert_int_eq(c.posted[1 - p], 0); /* the producer holds mutex */
    /* Nobody ever posted slots: blocked, but no cycle to show. */
    slots->posters[0] = 0;
    ck_assert_int_eq(rl_probe_wait_cycle(shm, &c), 0);
    free(s);
}
END_TEST

/* Thread 2 waits for m_a over the window while m_a is taken `got` times. */
static int starving_after(uint64_t got, int same_wait, int kind,
                          uint64_t foreign)
{
    struct rl_probe_sample *b = new_sample(0, 0), *n = new_sample(1.5, 0.2);
    struct rl_probe_sample *both[2] = {b, n};
    for (int k = 0; k < 2; k++) {
        struct rlp_shm *shm = &both[k]->shm;
        add_thread(shm, RLP_T_RUNNING);
        add_thread(shm, RLP_T_RUNNING);
        struct rlp_thread *t = add_thread(shm, 0);
        wait_on(t, kind == RLP_L_SEM ? RLP_T_WAIT_SEM : RLP_T_WAIT_LOCK, M_A);
        if (k == 1 && !same_wait)
            t->wait_since_ns = 43;
        struct rlp_lock *l = add_lock(shm, M_A, kind);
        l->acquisitions = 1000 + (k ? got : 0);
        l->foreign_posts = foreign;
    }
    int r = rl_probe_starving(b, n);
    free(b);
    free(n);
    return r;
}

START_TEST(test_starvation_thresholds)
{
    ck_assert_int_eq(starving_after(19, 1, RLP_L_RWLOCK_WRITE, 0), -1);
    ck_assert_int_eq(starving_after(20, 1, RLP_L_RWLOCK_WRITE, 0), 2);
    ck_assert_int_eq(starving_after(500, 0, RLP_L_MUTEX, 0), -1);
    ck_assert_int_eq(starving_after(500, 1, RLP_L_SEM, 0), 2);
    /* Waiting for work on a signalling semaphore is not starvation. */
    ck_assert_int_eq(starving_after(500, 1, RLP_L_SEM, 7), -1);
}
END_TEST

/* Two threads backing off over a 1.5 s window (back1, back2 times). */
static int livelocked(double cpu, double runnable, uint64_t back1,
                      uint64_t back2, uint64_t productive)
{
    struct rl_probe_sample *b = new_sample(1.0, 1.0);
    struct rl_probe_sample *n = new_sample(2.5, 1.0 + cpu);
    for (int k = 0; k < 2; k++) {
        struct rlp_shm *shm = &(k ? n : b)->shm;
        add_thread(shm, RLP_T_WAIT_JOIN);
        struct rlp_thread *t1 = add_thread(shm, RLP_T_RUNNING);
        struct rlp_thread *t2 = add_thread(shm, RLP_T_RUNNING);
        t1->backoffs = 10 + (k ? back1 : 0);
        t2->backoffs = 10 + (k ? back2 : 0);
        t1->trylock_failures = 2 * t1->backoffs;
        t2->trylock_failures = 2 * t2->backoffs;
        t1->productive_releases = 3 + (k ? productive : 0);
    }
    int r = rl_probe_livelocked(b, n, runnable);
    free(b);
    free(n);
    return r;
}

START_TEST(test_livelock_needs_backoff_evidence)
{
    ck_assert_int_eq(livelocked(1.5, 0, 5000, 5000, 0), 1);
    ck_assert_int_eq(livelocked(0.75, 0, 20, 20, 0), 1);
    ck_assert_int_eq(livelocked(3.0, 1, 0, 0, 0), 0);         /* just busy */
    ck_assert_int_eq(livelocked(3.0, 1, 5000, 19, 0), 0);     /* one thread */
    ck_assert_int_eq(livelocked(3.0, 1, 5000, 5000, 1), 0);   /* work done */
    ck_assert_int_eq(livelocked(0.5, 0.5, 5000, 5000, 0), 0); /* idle */
    /* Starved of CPU by a loaded machine, but always runnable: busy. */
    ck_assert_int_eq(livelocked(0.3, 0.9, 5000, 5000, 0), 1);
}
END_TEST

START_TEST(test_events_become_findings)
{
    struct rl_probe_sample *s = new_sample(0, 0);
    struct rl_findings out = {0};
    struct rlp_event *e = &s->shm.events[0];
    e->kind = RLP_E_THREAD_LEAK;
    e->number = 2;
    e->flags = RLP_EV_AT_EXIT;
    strcpy(e->detail, "thread 2 was neither joined nor detached");
    s->shm.events[1] = *e;
    s->shm.events[1].kind = RLP_E_FD_LEAK;
    s->shm.events[1].number = 5;
    strcpy(s->shm.events[1].detail, "fd 5 (socket) still open");
    s->shm.events[2] = s->shm.events[1];
    s->shm.events[2].kind = RLP_E_ZOMBIE; /* seen at a fork, not at exit */
    s->shm.events[2].number = -1;
    s->shm.events[2].flags = 0;
    strcpy(s->shm.events[2].detail, "child 9 exited but was not reaped");
    s->shm.nevents = 3;
    rl_probe_event_findings(&s->shm, NULL, &out);
    ck_assert_uint_eq(out.n, 3);
    ck_assert_str_eq(out.v[0].id, "thread-leak");
    ck_assert_str_eq(out.v[1].id, "fd-leak");
    ck_assert_ptr_nonnull(strstr(out.v[1].detail, "fd 5"));
    /* the facts travel as fields, not in the text */
    ck_assert_int_eq(out.v[0].thread, 2);
    ck_assert_int_eq(out.v[0].fd, -1);
    ck_assert_int_eq(out.v[1].fd, 5);
    ck_assert_int_eq(out.v[1].thread, -1);
    ck_assert_uint_eq(out.v[1].flags & RL_FINDING_AT_EXIT, RL_FINDING_AT_EXIT);
    ck_assert_uint_eq(out.v[2].flags & RL_FINDING_AT_EXIT, 0);
    ck_assert_str_eq(rl_probe_event_id(RLP_E_SIGNAL_UNSAFE),
                     "signal-unsafe-call");
    ck_assert_str_eq(rl_probe_event_id(RLP_E_ERRNO_CLOBBER), "errno-clobber");
    ck_assert_str_eq(rl_probe_event_id(RLP_E_ZOMBIE), "zombie-children");
    rl_findings_free(&out);
    free(s);
}
END_TEST

/* ---- real programs under the probe ---- */

static char tmpdir[PATH_MAX];

static void setup_tmp(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/rl-probe-test-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown_tmp(void)
{
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

struct outcome {
    struct rl_findings found;
    int exited, exit_status, stopped_by_watch, timed_out;
    int printed_done;
};

/* Builds tests/fixtures/probe/NAME.c as the plain variant and runs it
 * with the probe preloaded, through the sandbox, as racelab does. */
static void run_fixture(const char *name, struct outcome *o)
{
    char src[256], exe[PATH_MAX + 64], cmd[2 * PATH_MAX], bindir[PATH_MAX];
    char err[256] = "";
    struct rl_sources sources;
    snprintf(src, sizeof src, "tests/fixtures/probe/%s.c", name);
    snprintf(exe, sizeof exe, "%s/%s", tmpdir, name);
    snprintf(cmd, sizeof cmd, "gcc -g -O1 -pthread -o '%s' '%s'", exe, src);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_ptr_nonnull(realpath("bin", bindir));
    ck_assert_int_eq(access("bin/racelab-probe.so", R_OK), 0);
    char *paths[] = {src};
    ck_assert_int_eq(rl_sources_init(&sources, paths, 1, err, sizeof err), 0);

    struct rl_run run = {0};
    run.tool = &rl_tool_probe;
    run.sources = &sources;
    run.exe = exe;
    run.workdir = tmpdir;
    run.harness_dir = bindir;
    run.timeout = 10;
    rl_sandbox_opts_default(&run.sandbox);
    run.sandbox.timeout = 10;
    run.sandbox.cwd = tmpdir;
    run.sandbox.output_cap = 1 << 16;
    ck_assert_int_eq(rl_tool_probe.prepare(&run, err, sizeof err), 0);
    run.sandbox.env_extra = run.env.v;
    ck_assert_msg(rl_sandbox_run(run.argv.v, &run.sandbox, &run.result, err,
                                 sizeof err) == 0,
                  "sandbox: %s", err);
    memset(o, 0, sizeof *o);
    o->exited = run.result.exited;
    o->exit_status = run.result.exit_status;
    o->stopped_by_watch = run.result.stopped_by_watch;
    o->timed_out = run.result.timed_out;
    o->printed_done = run.result.out && strstr(run.result.out, "DONE\n");
    ck_assert_int_eq(rl_tool_probe.parse(&run, &o->found, err, sizeof err), 0);
    rl_sandbox_result_free(&run.result);
    rl_strv_free(&run.argv);
    rl_strv_free(&run.env);
    rl_sources_free(&sources);
}

static const struct rl_finding *only_finding(const struct outcome *o,
                                             const char *id)
{
    for (size_t i = 0; i < o->found.n; i++)
        ck_assert_msg(strcmp(o->found.v[i].id, id) == 0,
                      "unexpected finding %s (%s)", o->found.v[i].id,
                      o->found.v[i].detail ? o->found.v[i].detail : "");
    ck_assert_msg(o->found.n == 1, "%zu findings, expected one %s", o->found.n,
                  id);
    return &o->found.v[0];
}

static void assert_lines(const struct rl_finding *f, const char *file,
                         const int *lines, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(rl_finding_has_location(f, file, lines[i]),
                      "%s: no location %s:%d; detail:\n%s", f->id, file,
                      lines[i], f->detail ? f->detail : "");
}

START_TEST(test_real_deadlock)
{
    struct outcome o;
    run_fixture("deadlock", &o);
    const struct rl_finding *f = only_finding(&o, "deadlock");
    const int lines[] = {15, 17, 24, 26};
    assert_lines(f, "tests/fixtures/probe/deadlock.c", lines, 4);
    ck_assert_int_eq(o.stopped_by_watch, 1);
    ck_assert_ptr_nonnull(strstr(f->detail, "(left) holds mutex m_a "
                                            "(acquired at "));
    ck_assert_ptr_nonnull(strstr(f->detail, "and waits for mutex m_a at "
                                            "tests/fixtures/probe/"
                                            "deadlock.c:26"));
    rl_findings_free(&o.found);
}
END_TEST

START_TEST(test_real_semaphore_deadlock)
{
    struct outcome o;
    run_fixture("sem_deadlock", &o);
    const struct rl_finding *f = only_finding(&o, "deadlock");
    const int lines[] = {14, 16, 22, 24};
    assert_lines(f, "tests/fixtures/probe/sem_deadlock.c", lines, 4);
    ck_assert_ptr_nonnull(strstr(f->detail, "holds semaphore s_b"));
    rl_findings_free(&o.found);
}
END_TEST

START_TEST(test_real_bounded_buffer_deadlock)
{
    struct outcome o;
    run_fixture("bounded_buffer", &o);
    const struct rl_finding *f = only_finding(&o, "deadlock");
    const int lines[] = {23, 26, 42};
    assert_lines(f, "tests/fixtures/probe/bounded_buffer.c", lines, 3);
    ck_assert_ptr_nonnull(strstr(f->detail, "holds semaphore mutex"));
    ck_assert_ptr_nonnull(strstr(f->detail, "the one that posts semaphore "
                                            "slots"));
    rl_findings_free(&o.found);
}
END_TEST

START_TEST(test_real_deadlock_through_wrappers)
{
    struct outcome o;
    run_fixture("wrappers", &o);
    const struct rl_finding *f = only_finding(&o, "deadlock");
    const int lines[] = {32, 34, 40, 42};
    assert_lines(f, "tests/fixtures/probe/wrappers.c", lines, 4);
    ck_assert_uint_eq(f->nlocs, 4); /* no line inside the wrapper */
    rl_findings_free(&o.found);
}
END_TEST

START_TEST(test_real_lock_never_released)
{
    struct outcome o;
    run_fixture("exit_holding", &o);
    const struct rl_finding *f = only_finding(&o, "deadlock");
    const int lines[] = {28, 14};
    assert_lines(f, "tests/fixtures/probe/exit_holding.c", lines, 2);
    ck_assert_ptr_nonnull(strstr(f->detail, "thread 2 (deposit) took it at "
                                            "tests/fixtures/probe/"
                                            "exit_holding.c:14 and ended"));
    rl_findings_free(&o.found);
}
END_TEST

START_TEST(test_real_lost_wakeup)
{
    struct outcome o;
    run_fixture("lost_wakeup", &o);
    const struct rl_finding *f = only_finding(&o, "deadlock");
    const int lines[] = {18, 33};
    assert_lines(f, "tests/fixtures/probe/lost_wakeup.c", lines, 2);
    ck_assert_ptr_nonnull(strstr(f->detail, "thread 1 (main), the one that "
                                            "signals condition variable "
                                            "ready_cv"));
    rl_findings_free(&o.found);
}
END_TEST

START_TEST(test_real_inversion)
{
    struct outcome o;
    run_fixture("abba", &o);
    const struct rl_finding *f = only_finding(&o, "lock-order-inversion");
    const int lines[] = {14, 15, 24, 25};
    assert_lines(f, "tests/fixtures/probe/abba.c", lines, 4);
    ck_assert(o.exited && o.exit_status == 0 && o.printed_done);
    rl_findings_free(&o.found);
}
END_TEST

START_TEST(test_real_gate_lock)
{
    struct outcome o;
    run_fixture("gate", &o);
    ck_assert_msg(o.found.n == 0, "finding %s on a gated program",
                  o.found.n ? o.found.v[0].id : "");
    ck_assert(o.exited && o.exit_status == 0 && o.printed_done);
}
END_TEST

START_TEST(test_real_livelock)
{
    struct outcome o;
    run_fixture("livelock", &o);
    const struct rl_finding *f = only_finding(&o, "livelock");
    const int lines[] = {29};
    assert_lines(f, "tests/fixtures/probe/livelock.c", lines, 1);
    ck_assert_int_eq(o.stopped_by_watch, 1);
    ck_assert_ptr_nonnull(strstr(f->detail, "failed trylocks"));
    rl_findings_free(&o.found);
}
END_TEST

START_TEST(test_real_starvation)
{
    struct outcome o;
    run_fixture("starved_writer", &o);
    const struct rl_finding *f = only_finding(&o, "starvation");
    const int lines[] = {38};
    assert_lines(f, "tests/fixtures/probe/starved_writer.c", lines, 1);
    ck_assert_int_eq(o.stopped_by_watch, 1);
    ck_assert_ptr_nonnull(strstr(f->detail, "(writer) has waited for "
                                            "rwlock table"));
    rl_findings_free(&o.found);
}
END_TEST

START_TEST(test_real_thread_leak)
{
    struct outcome o;
    run_fixture("thread_leak", &o);
    const struct rl_finding *f = only_finding(&o, "thread-leak");
    const int lines[] = {23};
    assert_lines(f, "tests/fixtures/probe/thread_leak.c", lines, 1);
    ck_assert_ptr_nonnull(strstr(f->detail, "thread 2 (worker)"));
    ck_assert_int_eq(f->thread, 2);
    ck_assert_uint_eq(f->flags & RL_FINDING_AT_EXIT, RL_FINDING_AT_EXIT);
    ck_assert(o.exited && o.exit_status == 0 && o.printed_done);
    rl_findings_free(&o.found);
}
END_TEST

/* A table another version of the probe wrote is refused, not misread. */
START_TEST(test_other_version_is_an_error)
{
    char err[256] = "", path[PATH_MAX + 16];
    struct rl_run run = {0};
    run.tool = &rl_tool_probe;
    run.exe = "/nonexistent";
    run.workdir = tmpdir;
    run.harness_dir = "bin";
    ck_assert_int_eq(rl_tool_probe.prepare(&run, err, sizeof err), 0);
    struct rlp_shm *m = calloc(1, sizeof *m);
    ck_assert_ptr_nonnull(m);
    m->magic = RLP_MAGIC;
    m->version = RLP_VERSION - 1;
    snprintf(path, sizeof path, "%s/probe.shm", tmpdir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(m, sizeof *m, 1, f), 1);
    fclose(f);
    free(m);
    ck_assert_ptr_null(rl_probe_table(&run));
    struct rl_findings out = {0};
    ck_assert_int_eq(rl_tool_probe.parse(&run, &out, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "version"), "error: %s", err);
    ck_assert_uint_eq(out.n, 0);
    rl_strv_free(&run.argv);
    rl_strv_free(&run.env);
}
END_TEST

START_TEST(test_real_correct)
{
    struct outcome o;
    run_fixture("correct", &o);
    ck_assert_msg(o.found.n == 0, "finding %s on a correct program",
                  o.found.n ? o.found.v[0].id : "");
    ck_assert(o.exited && o.exit_status == 0 && o.printed_done);
}
END_TEST

START_TEST(test_real_busy_is_not_livelock)
{
    struct outcome o;
    run_fixture("busy", &o);
    ck_assert_msg(o.found.n == 0, "finding %s on a busy correct program",
                  o.found.n ? o.found.v[0].id : "");
    ck_assert(o.exited && o.exit_status == 0 && o.printed_done);
}
END_TEST

START_TEST(test_real_trylock_spin_is_not_livelock)
{
    struct outcome o;
    run_fixture("trylock_ok", &o);
    ck_assert_msg(o.found.n == 0, "finding %s on correct trylock use",
                  o.found.n ? o.found.v[0].id : "");
    ck_assert(o.exited && o.exit_status == 0 && o.printed_done);
}
END_TEST

START_TEST(test_real_read_locks_in_any_order)
{
    struct outcome o;
    run_fixture("read_order", &o);
    ck_assert_msg(o.found.n == 0, "finding %s on read locks",
                  o.found.n ? o.found.v[0].id : "");
    ck_assert(o.exited && o.exit_status == 0 && o.printed_done);
}
END_TEST

/* Blocked, but a signal handler or a child process posts the semaphore. */
START_TEST(test_real_outside_wakeups_are_not_deadlock)
{
    const char *names[] = {"signal_wakeup", "child_post"};
    for (int i = 0; i < 2; i++) {
        struct outcome o;
        run_fixture(names[i], &o);
        ck_assert_msg(o.found.n == 0, "%s: finding %s", names[i],
                      o.found.n ? o.found.v[0].id : "");
        ck_assert(o.exited && o.exit_status == 0 && o.printed_done);
    }
}
END_TEST

/* A lock with no global is named by the argument its call passed. */
START_TEST(test_call_argument_names)
{
    char b[64];
    ck_assert_int_eq(
        rl_call_argument("Pthread_mutex_lock(&first->lock);", b, sizeof b), 0);
    ck_assert_str_eq(b, "first->lock");
    ck_assert_int_eq(
        rl_call_argument("if (x) sem_wait(&b->slots[i % 4]);", b, sizeof b), 0);
    ck_assert_str_eq(b, "b->slots[i % 4]");
    ck_assert_int_eq(
        rl_call_argument("pthread_cond_wait(&c->ok, &c->m);", b, sizeof b), 0);
    ck_assert_str_eq(b, "c->ok");
    ck_assert_int_eq(rl_call_argument("P(&mutex);", b, sizeof b), 0);
    ck_assert_str_eq(b, "mutex");
    /* No sync call, or an argument that is not a plain lvalue. */
    ck_assert_int_eq(rl_call_argument("total += f(x);", b, sizeof b), -1);
    ck_assert_int_eq(
        rl_call_argument("pthread_mutex_lock(\"x\");", b, sizeof b), -1);
    ck_assert_int_eq(rl_call_argument("pthread_mutex_lock(&m", b, sizeof b),
                     -1);
    /* gdb's answers: only C lvalue paths are kept. */
    ck_assert(rl_data_name_is_path("accounts[3].lock"));
    ck_assert(!rl_data_name_is_path("a b"));
    ck_assert(!rl_data_name_is_path("x\033[2J"));
}
END_TEST

Suite *make_probe_suite(void)
{
    Suite *s = suite_create("probe");
    TCase *tc = tcase_create("Analysis");
    tcase_set_tags(tc, "fast"); /* no tool runs: make test-fast */
    tcase_add_test(tc, test_cycle_found);
    tcase_add_test(tc, test_deadlock_needs_quiet);
    tcase_add_test(tc, test_gate_suppresses_inversion);
    tcase_add_test(tc, test_one_thread_is_no_inversion);
    tcase_add_test(tc, test_semaphore_mutex_cycle);
    tcase_add_test(tc, test_starvation_thresholds);
    tcase_add_test(tc, test_livelock_needs_backoff_evidence);
    tcase_add_test(tc, test_events_become_findings);
    tcase_add_test(tc, test_call_argument_names);
    suite_add_tcase(s, tc);

    /* Real programs, each run three times: a verdict must not flip. */
    tc = tcase_create("Programs");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup_tmp, teardown_tmp);
    tcase_add_loop_test(tc, test_real_deadlock, 0, 3);
    tcase_add_loop_test(tc, test_real_semaphore_deadlock, 0, 3);
    tcase_add_loop_test(tc, test_real_bounded_buffer_deadlock, 0, 3);
    tcase_add_loop_test(tc, test_real_deadlock_through_wrappers, 0, 3);
    tcase_add_loop_test(tc, test_real_lock_never_released, 0, 3);
    tcase_add_loop_test(tc, test_real_lost_wakeup, 0, 3);
    tcase_add_loop_test(tc, test_real_inversion, 0, 3);
    tcase_add_loop_test(tc, test_real_gate_lock, 0, 3);
    tcase_add_loop_test(tc, test_real_read_locks_in_any_order, 0, 3);
    tcase_add_loop_test(tc, test_real_livelock, 0, 3);
    tcase_add_loop_test(tc, test_real_starvation, 0, 3);
    tcase_add_loop_test(tc, test_real_thread_leak, 0, 3);
    tcase_add_loop_test(tc, test_real_correct, 0, 3);
    tcase_add_test(tc, test_other_version_is_an_error);
    tcase_add_loop_test(tc, test_real_busy_is_not_livelock, 0, 3);
    tcase_add_loop_test(tc, test_real_trylock_spin_is_not_livelock, 0, 3);
    tcase_add_loop_test(tc, test_real_outside_wakeups_are_not_deadlock, 0, 3);
    suite_add_tcase(s, tc);
    return s;
}
