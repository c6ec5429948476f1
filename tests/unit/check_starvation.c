/* check_starvation.c: starvation in wait loops on condition variables. */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe/probe_analysis.h"
#include "engine/sources.h"
#include "tools/tool.h"

extern const struct rl_tool rl_tool_probe;

/* ---- hand-built tables ---- */

enum { MUTEX = 0x1000, COND = 0x2000, OTHER_COND = 0x3000 };

/* What changes between the window's two samples (a starved writer by
 * default: woken 60 times, the cond signalled 60 times, the mutex locked
 * 120 times afresh, nobody past the wait). */
struct window {
    uint64_t wakeups, posts, passes, fresh, retakes;
    int new_episode; /* the episode in `now` began after `before` */
    int ended;       /* no episode in `now` */
    int exited;      /* the waiter has exited by `now` */
};

static const struct window starved = {60, 60, 0, 120, 60, 0, 0, 0};

static struct rl_probe_sample *new_sample(double elapsed)
{
    struct rl_probe_sample *s = calloc(1, sizeof *s);
    ck_assert_ptr_nonnull(s);
    s->elapsed = elapsed;
    s->mono_ns = (uint64_t)(elapsed * 1e9) + 1000000000ull;
    s->shm.magic = RLP_MAGIC;
    return s;
}

static struct rlp_lock *add_lock(struct rlp_shm *shm, uint64_t addr, int kind)
{
    struct rlp_lock *l = &shm->locks[shm->nlocks++];
    l->addr = addr;
    l->kind = kind;
    return l;
}

/* Thread 1 (main) joins; thread 2, a reader, holds the mutex; thread 3
 * waits on COND with MUTEX; k = 0 the window's start, 1 its end. */
static void build(struct rl_probe_sample *s, const struct window *w, int k)
{
    struct rlp_shm *shm = &s->shm;
    for (int i = 0; i < 3; i++) {
        shm->threads[i].index = i;
        shm->threads[i].tid = 100 + i;
        shm->threads[i].state = RLP_T_RUNNING;
    }
    shm->nthreads = 3;
    shm->threads[0].state = RLP_T_WAIT_JOIN;
    shm->threads[0].wait_object = 3;
    shm->threads[1].held[0].lock = MUTEX;
    shm->threads[1].nheld = 1;
    struct rlp_thread *t = &shm->threads[2];
    t->state = RLP_T_WAIT_COND;
    t->wait_object = COND;
    t->cond_wait_cond = COND;
    t->cond_wait_mutex = MUTEX;
    t->cond_wait_since_ns = 500000000ull;
    t->cond_mutex_taken = 10;
    t->cond_wakeups = 7 + (k ? w->wakeups : 0);
    t->cond_episode_wakeups = 3 + (k ? w->wakeups : 0);
    if (k && w->new_episode)
        t->cond_wait_since_ns += 1;
    if (k && w->ended)
        t->cond_wait_cond = 0;
    if (k && w->exited)
        t->state = RLP_T_EXITED;
    struct rlp_lock *m = add_lock(shm, MUTEX, RLP_L_MUTEX);
    m->acquisitions = 1000 + (k ? w->fresh + w->retakes : 0);
    m->cond_retakes = 300 + (k ? w->retakes : 0);
    struct rlp_lock *c = add_lock(shm, COND, RLP_L_COND);
    c->posts = 50 + (k ? w->posts : 0);
    c->cond_passes = 4 + (k ? w->passes : 0);
}

/* The starving thread's slot over a 1.5 s window shaped by w, or -1. */
static int cond_starving(const struct window *w)
{
    struct rl_probe_sample *b = new_sample(0.5), *n = new_sample(2.0);
    build(b, w, 0);
    build(n, w, 1);
    int r = rl_probe_cond_starving(b, n);
    free(b);
    free(n);
    return r;
}

START_TEST(test_starved_writer_found)
{
    ck_assert_int_eq(cond_starving(&starved), 2);
}
END_TEST

/* Each condition of the rule, taken away alone, silences it. */
START_TEST(test_each_condition_needed)
{
    struct window w = starved;
    w.wakeups = 0; /* never woken: idle, waiting for work */
    ck_assert_int_eq(cond_starving(&w), -1);
    w = starved;
    w.posts = 0; /* woken, but nobody signalled: spurious or timed out */
    ck_assert_int_eq(cond_starving(&w), -1);
    w = starved;
    w.passes = 1; /* another waiter got past the same wait */
    ck_assert_int_eq(cond_starving(&w), -1);
    w = starved;
    w.new_episode = 1; /* it got past and came back: not one long wait */
    ck_assert_int_eq(cond_starving(&w), -1);
    w = starved;
    w.ended = 1;
    ck_assert_int_eq(cond_starving(&w), -1);
    w = starved;
    w.exited = 1;
    ck_assert_int_eq(cond_starving(&w), -1);
}
END_TEST

/* Twenty fresh locks of the mutex are needed; the waiter's own
 * re-acquisitions inside pthread_cond_wait do not count. */
START_TEST(test_fresh_acquisitions_threshold)
{
    struct window w = starved;
    w.fresh = 19;
    w.retakes = 500;
    ck_assert_int_eq(cond_starving(&w), -1);
    w.fresh = 20;
    ck_assert_int_eq(cond_starving(&w), 2);
}
END_TEST

/* The lock rule is not fooled by the cond wait, and vice versa. */
START_TEST(test_lock_rule_unchanged)
{
    struct rl_probe_sample *b = new_sample(0.5), *n = new_sample(2.0);
    build(b, &starved, 0);
    build(n, &starved, 1);
    ck_assert_int_eq(rl_probe_starving(b, n), -1);
    /* A different condition in the later sample: another wait. */
    n->shm.threads[2].cond_wait_cond = OTHER_COND;
    ck_assert_int_eq(rl_probe_cond_starving(b, n), -1);
    free(b);
    free(n);
}
END_TEST

/* Samples 0.1 s apart through the watcher: a verdict once the episode
 * spans the 1.5 s window, not before. */
START_TEST(test_watcher_decides_after_window)
{
    struct rl_hang_watch w;
    int decided_at = -1;
    rl_hang_watch_init(&w);
    for (int i = 0; i < 30 && decided_at < 0; i++) {
        struct rl_probe_sample *s = new_sample(i * 0.1);
        struct window step = starved;
        step.wakeups = step.posts = 40 * (uint64_t)i;
        step.fresh = step.retakes = 80 * (uint64_t)i;
        build(s, &step, 1);
        s->cpu = i * 0.002;
        if (rl_hang_watch_feed(&w, s))
            decided_at = i;
    }
    ck_assert_int_eq(decided_at, 15);
    ck_assert_int_eq(w.verdict.kind, RL_HANG_STARVATION);
    ck_assert_int_eq(w.verdict.thread, 2);

    struct rl_findings out = {0};
    rl_probe_hang_findings(&w.verdict, NULL, &out);
    ck_assert_uint_eq(out.n, 1);
    ck_assert_str_eq(out.v[0].id, "starvation");
    const char *d = out.v[0].detail;
    ck_assert_ptr_nonnull(d);
    /* The whole episode: 3 + 600 wake-ups; 1200 fresh locks in the window
     * and 1000 + 1200 - 300 - 10 since the episode began. */
    ck_assert_msg(strstr(d, "thread 3 has been waiting on condition "
                            "variable at 0x2000 for 2.0 s"),
                  "%s", d);
    ck_assert_msg(strstr(d, "woken 603 times (600 in the last 1.5 s)"), "%s",
                  d);
    ck_assert_msg(strstr(d, "locked mutex at 0x1000, the mutex of that wait, "
                            "1890 times (1200 in the last 1.5 s)"),
                  "%s", d);
    ck_assert_msg(strstr(d, "thread 2 holds the mutex now"), "%s", d);
    rl_findings_free(&out);
    rl_hang_watch_free(&w);
}
END_TEST

/* ---- real programs under the probe ---- */

static char tmpdir[PATH_MAX];

static void setup_tmp(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/rl-starve-test-XXXXXX");
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
    int stopped_by_watch, printed_done;
};

/* Builds tests/cases/NAME.c (plain variant) and runs it under the probe
 * in the sandbox, as `racelab check --tools probe` does. */
static void run_case(const char *name, struct outcome *o)
{
    char src[256], exe[PATH_MAX + 64], cmd[2 * PATH_MAX], bindir[PATH_MAX];
    char err[256] = "";
    struct rl_sources sources;
    snprintf(src, sizeof src, "tests/cases/%s.c", name);
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
    run.timeout = 15;
    rl_sandbox_opts_default(&run.sandbox);
    run.sandbox.timeout = 15;
    run.sandbox.cwd = tmpdir;
    run.sandbox.output_cap = 1 << 16;
    ck_assert_int_eq(rl_tool_probe.prepare(&run, err, sizeof err), 0);
    run.sandbox.env_extra = run.env.v;
    ck_assert_msg(rl_sandbox_run(run.argv.v, &run.sandbox, &run.result, err,
                                 sizeof err) == 0,
                  "sandbox: %s", err);
    memset(o, 0, sizeof *o);
    o->stopped_by_watch = run.result.stopped_by_watch;
    o->printed_done = run.result.out && strstr(run.result.out, "DONE\n");
    ck_assert_int_eq(rl_tool_probe.parse(&run, &o->found, err, sizeof err), 0);
    rl_sandbox_result_free(&run.result);
    rl_strv_free(&run.argv);
    rl_strv_free(&run.env);
    rl_sources_free(&sources);
}

/* The line of tests/cases/NAME.c that contains marker, or -1. */
static int line_of(const char *name, const char *marker)
{
    char path[256], buf[512];
    int n = 0, found = -1;
    snprintf(path, sizeof path, "tests/cases/%s.c", name);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    while (found < 0 && fgets(buf, sizeof buf, f)) {
        n++;
        if (strstr(buf, marker))
            found = n;
    }
    fclose(f);
    return found;
}

START_TEST(test_real_starved_cond_writer)
{
    struct outcome o;
    const char *name = "starvation_cond_rwlock";
    run_case(name, &o);
    ck_assert_msg(o.found.n == 1, "%zu findings", o.found.n);
    const struct rl_finding *f = &o.found.v[0];
    ck_assert_str_eq(f->id, "starvation");
    ck_assert_int_eq(o.stopped_by_watch, 1);
    int line = line_of(name, "/* starves here */");
    ck_assert_int_gt(line, 0);
    ck_assert_msg(rl_finding_has_location(f,
                                          "tests/cases/"
                                          "starvation_cond_rwlock.c",
                                          line),
                  "no location at line %d:\n%s", line, f->detail);
    ck_assert_msg(strstr(f->detail, "thread 4 (writer) has been waiting on "
                                    "condition variable writer_ok at "),
                  "%s", f->detail);
    ck_assert_msg(strstr(f->detail, "locked mutex rw_lock, the mutex of "
                                    "that wait, "),
                  "%s", f->detail);
    rl_findings_free(&o.found);
}
END_TEST

/* Correct programs that wait long on a condition while others use its
 * mutex: no finding, and they run to the end. */
static void assert_clean(const char *name)
{
    struct outcome o;
    run_case(name, &o);
    ck_assert_msg(o.found.n == 0, "%s: finding %s: %s", name,
                  o.found.n ? o.found.v[0].id : "",
                  o.found.n && o.found.v[0].detail ? o.found.v[0].detail : "");
    ck_assert_msg(o.printed_done && !o.stopped_by_watch, "%s did not finish",
                  name);
}

START_TEST(test_real_idle_pool_is_clean)
{
    assert_clean("ok_cond_idle_pool");
}
END_TEST

START_TEST(test_real_broadcast_pool_is_clean)
{
    assert_clean("ok_cond_broadcast_pool");
}
END_TEST

Suite *make_starvation_suite(void)
{
    Suite *s = suite_create("starvation");
    TCase *rule = tcase_create("cond_rule");
    tcase_set_tags(rule, "fast"); /* no tool runs: make test-fast */
    tcase_add_test(rule, test_starved_writer_found);
    tcase_add_test(rule, test_each_condition_needed);
    tcase_add_test(rule, test_fresh_acquisitions_threshold);
    tcase_add_test(rule, test_lock_rule_unchanged);
    tcase_add_test(rule, test_watcher_decides_after_window);
    suite_add_tcase(s, rule);
    TCase *real = tcase_create("cond_real");
    tcase_add_checked_fixture(real, setup_tmp, teardown_tmp);
    tcase_set_timeout(real, 60);
    tcase_add_test(real, test_real_starved_cond_writer);
    tcase_add_test(real, test_real_idle_pool_is_clean);
    tcase_add_test(real, test_real_broadcast_pool_is_clean);
    suite_add_tcase(s, real);
    return s;
}
