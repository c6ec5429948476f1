/* check_schedule.c: the seeded scheduler on the programs of tests/sched. */
#include <check.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/check_options.h"
#include "cli/cmd.h"
#include "sched/sched_explore.h"
#include "sched/sched_trace.h"
#include "lib/workdir.h"
#include "lib/xalloc.h"

/* Each seeded bug, what it must be reported as, and its correct twin.
 * A livelocked seed runs its whole step budget (~80 ms): 20 seeds. */
static const struct {
    const char *buggy, *id, *correct;
    int verdict; /* how its failing seeds end */
    int seeds;   /* explored twice; a failure must be among them */
} programs[] = {
    {"lost_update.c", "data-race", "lost_update_ok.c", RS_VERDICT_NONE, 200},
    {"lock_order.c", "deadlock", "lock_order_ok.c", RS_VERDICT_DEADLOCK, 200},
    {"sbuf_nomutex.c", "data-race", "sbuf_ok.c", RS_VERDICT_NONE, 200},
    {"cond_if.c", "data-race", "cond_while.c", RS_VERDICT_NONE, 200},
    {"livelock_polite.c", "livelock", "livelock_polite_ok.c",
     RS_VERDICT_LIVELOCK, 20},
};
enum { NPROGRAMS = sizeof programs / sizeof *programs };

struct built {
    struct rl_sources src;
    char *workdir, *exe;
};

static void build(const char *name, struct built *b)
{
    char err[256], *output = NULL;
    char *path = xasprintf("tests/sched/%s", name);
    memset(b, 0, sizeof *b);
    ck_assert_int_eq(rl_sources_init(&b->src, &path, 1, err, sizeof err), 0);
    b->workdir = rl_workdir_create("check-schedule", err, sizeof err);
    ck_assert_ptr_nonnull(b->workdir);
    int rc =
        rl_sched_build(&b->src, b->workdir, &b->exe, &output, err, sizeof err);
    ck_assert_msg(rc == 0, "%s: %s %s", name, err, output ? output : "");
    free(output);
    free(path);
}

static void built_free(struct built *b)
{
    rl_workdir_remove(b->workdir);
    free(b->workdir);
    free(b->exe);
    rl_sources_free(&b->src);
}

static void explore(struct built *b, long long first, int count, int trace_all,
                    struct rl_explore *x)
{
    char err[256];
    struct rl_explore_opts o = {first, count, 3, 1, trace_all, 10, NULL};
    ck_assert_msg(
        rl_sched_explore(b->exe, b->workdir, &o, x, err, sizeof err) == 0, "%s",
        err);
    ck_assert_uint_eq(x->nseeds, (size_t)count);
}

/* The failing seeds, in order, as one string ("3 8 17"). */
static char *failing(const struct rl_explore *x)
{
    char *s = xstrdup("");
    for (size_t i = 0; i < x->nseeds; i++)
        if (rl_seed_failed(&x->seeds[i])) {
            char *n = xasprintf("%s %lld", s, x->seeds[i].seed);
            free(s);
            s = n;
        }
    return s;
}

/* The finding the first recorded failing trace makes. */
static void first_finding(struct built *b, const struct rl_explore *x,
                          struct rl_findings *out)
{
    char err[256];
    ck_assert_uint_ge(x->ntraces, 1);
    const struct rl_seed_trace *t = &x->traces[0];
    const struct rl_seed_result *r = NULL;
    for (size_t i = 0; i < x->nseeds; i++)
        if (x->seeds[i].seed == t->seed)
            r = &x->seeds[i];
    ck_assert_ptr_nonnull(r);
    struct rl_symbolizer *sym = rl_symbolizer_new(b->exe, &b->src);
    rl_sched_trace_symbols(sym, t);
    ck_assert_int_eq(rl_symbolizer_run(sym, err, sizeof err), 0);
    rl_sched_finding(t, r, sym, out);
    rl_symbolizer_free(sym);
}

START_TEST(test_bug_found_same_seeds)
{
    struct built b;
    struct rl_explore x1, x2;
    build(programs[_i].buggy, &b);
    explore(&b, 1, programs[_i].seeds, 0, &x1);
    explore(&b, 1, programs[_i].seeds, 0, &x2);
    char *s1 = failing(&x1), *s2 = failing(&x2);
    ck_assert_msg(s1[0] != '\0', "%s: no failing seed in %d",
                  programs[_i].buggy, programs[_i].seeds);
    ck_assert_str_eq(s1, s2); /* the same seeds fail on every rerun */
    for (size_t i = 0; i < x1.nseeds; i++)
        if (rl_seed_failed(&x1.seeds[i]))
            ck_assert_int_eq(x1.seeds[i].verdict, programs[_i].verdict);
    struct rl_findings found = {0};
    first_finding(&b, &x1, &found);
    ck_assert_uint_eq(found.n, 1);
    ck_assert_str_eq(found.v[0].id, programs[_i].id);
    ck_assert(found.v[0].has_seed);
    ck_assert_uint_gt(found.v[0].ntrace, 0);
    ck_assert_uint_gt(found.v[0].nlocs, 0);
    rl_findings_free(&found);
    free(s1);
    free(s2);
    rl_explore_free(&x1);
    rl_explore_free(&x2);
    built_free(&b);
}
END_TEST

START_TEST(test_correct_never_fails)
{
    struct built b;
    struct rl_explore x;
    build(programs[_i].correct, &b);
    explore(&b, 1, 1000, 0, &x);
    char *s = failing(&x);
    ck_assert_msg(s[0] == '\0', "%s failed on seeds%s", programs[_i].correct,
                  s);
    ck_assert_uint_eq(x.ntraces, 0);
    free(s);
    rl_explore_free(&x);
    built_free(&b);
}
END_TEST

/* The lost update: its lines, the stale store marked. */
START_TEST(test_lost_update_trace)
{
    struct built b;
    struct rl_explore x;
    build("lost_update.c", &b);
    explore(&b, 1, 200, 0, &x);
    struct rl_findings found = {0};
    first_finding(&b, &x, &found);
    const struct rl_finding *f = &found.v[0];
    ck_assert(rl_finding_has_location(f, "tests/sched/lost_update.c", 12));
    int losing = 0, reads = 0;
    for (size_t i = 0; i < f->ntrace; i++) {
        const struct rl_trace_step *s = &f->trace[i];
        if (s->losing) {
            losing++;
            ck_assert_int_eq(s->losing, RL_LOSING_STALE);
            ck_assert_str_eq(s->op, "write");
            ck_assert_int_eq(s->line, 12);
            ck_assert_ptr_nonnull(strstr(s->detail, "cnt = "));
        }
        reads += strcmp(s->op, "read") == 0 && s->line == 12;
    }
    ck_assert_int_eq(losing, 1);
    ck_assert_int_ge(reads, 2);
    ck_assert_ptr_nonnull(strstr(f->detail, "lost update"));
    rl_findings_free(&found);
    rl_explore_free(&x);
    built_free(&b);
}
END_TEST

/* The deadlock: reported with its cycle, both lock lines of each side. */
START_TEST(test_deadlock_cycle)
{
    struct built b;
    struct rl_explore x;
    build("lock_order.c", &b);
    explore(&b, 1, 200, 0, &x);
    struct rl_findings found = {0};
    first_finding(&b, &x, &found);
    const struct rl_finding *f = &found.v[0];
    ck_assert_str_eq(f->id, "deadlock");
    for (int line = 12; line <= 24; line += line == 13 ? 10 : 1)
        ck_assert_msg(
            rl_finding_has_location(f, "tests/sched/lock_order.c", line),
            "no location for line %d", line);
    ck_assert_ptr_nonnull(strstr(f->detail, "(cycle)"));
    ck_assert_ptr_nonnull(strstr(f->detail, "lock_a"));
    ck_assert_ptr_nonnull(strstr(f->detail, "lock_b"));
    ck_assert_uint_eq(x.traces[0].nwaiters, 3); /* main, T1, T2 */
    rl_findings_free(&found);
    rl_explore_free(&x);
    built_free(&b);
}
END_TEST

/* The livelock: both threads' give-way loop named, no deadlock. */
START_TEST(test_livelock_lines)
{
    struct built b;
    struct rl_explore x;
    build("livelock_polite.c", &b);
    explore(&b, 1, 3, 0, &x);
    ck_assert_int_eq(x.seeds[0].verdict, RS_VERDICT_LIVELOCK);
    struct rl_findings found = {0};
    first_finding(&b, &x, &found);
    const struct rl_finding *f = &found.v[0];
    ck_assert_str_eq(f->id, "livelock");
    ck_assert(rl_finding_has_location(f, "tests/sched/livelock_polite.c", 23));
    ck_assert_uint_le(f->ntrace, 2000);
    rl_findings_free(&found);
    rl_explore_free(&x);
    built_free(&b);
}
END_TEST

/* A failure the trace cannot blame on the interleaving is not a finding:
 * the program checks its own timing, and every access is locked. */
START_TEST(test_unexplained_failure_silent)
{
    struct built b;
    struct rl_explore x;
    build("timing_self_check_ok.c", &b);
    explore(&b, 1, 200, 0, &x);
    char *s = failing(&x);
    ck_assert_msg(s[0] != '\0', "the program's own check never failed");
    struct rl_findings found = {0};
    for (size_t i = 0; i < x.ntraces; i++) {
        struct rl_symbolizer *sym = rl_symbolizer_new(b.exe, &b.src);
        char err[256];
        rl_sched_trace_symbols(sym, &x.traces[i]);
        ck_assert_int_eq(rl_symbolizer_run(sym, err, sizeof err), 0);
        for (size_t j = 0; j < x.nseeds; j++)
            if (x.seeds[j].seed == x.traces[i].seed)
                ck_assert_ptr_null(
                    rl_sched_finding(&x.traces[i], &x.seeds[j], sym, &found));
        rl_symbolizer_free(sym);
    }
    ck_assert_uint_eq(found.n, 0);
    free(s);
    rl_explore_free(&x);
    built_free(&b);
}
END_TEST

/* The options this suite's command adds to `racelab check`. */
START_TEST(test_options)
{
    struct rl_check_options o;
    char *plain[] = {"check", "a.c", NULL};
    ck_assert_int_eq(rl_check_parse_options(2, plain, &o), 0);
    ck_assert_int_eq(o.schedules, 0);
    ck_assert_int_eq(o.seed_set, 0);
    ck_assert_int_eq(o.depth, 3);
    char *words[] = {"check",        "--schedules", "50",
                     "--depth",      "2",           "--seed",
                     "123456789012", "--trace",     "--no-spurious",
                     "a.c",          NULL};
    ck_assert_int_eq(rl_check_parse_options(10, words, &o), 0);
    ck_assert_int_eq(o.schedules, 50);
    ck_assert_int_eq(o.depth, 2);
    ck_assert(o.seed == 123456789012LL);
    ck_assert_int_eq(o.seed_set, 1);
    ck_assert_int_eq(o.trace, 1);
    ck_assert_int_eq(o.no_spurious, 1);
    char *bad[] = {"check", "--depth", "0", "a.c", NULL};
    ck_assert_int_eq(rl_check_parse_options(4, bad, &o), -1);
    char *bad2[] = {"check", "--seed", "-3", "a.c", NULL};
    ck_assert_int_eq(rl_check_parse_options(4, bad2, &o), -1);
}
END_TEST

/* Runs `racelab check` with these words; its stdout into `out`. */
static int run_check(char **words, int n, const char *out)
{
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(fd, 1);
        int rc = cmd_check(n, words);
        fflush(stdout);
        _exit(rc);
    }
    int status;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    char *buf = xcalloc(1, 1 << 20);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* A replayed seed prints the same trace, byte for byte; and exploring
 * finds the very steps that replaying it shows. */
START_TEST(test_replay_identical)
{
    struct built b;
    struct rl_explore x, r1, r2;
    build("lost_update.c", &b);
    explore(&b, 1, 200, 0, &x);
    long long seed = x.traces[0].seed;
    explore(&b, seed, 1, 1, &r1);
    explore(&b, seed, 1, 1, &r2);
    ck_assert_uint_eq(r1.traces[0].nsteps, x.traces[0].nsteps);
    ck_assert(memcmp(r1.traces[0].steps, x.traces[0].steps,
                     x.traces[0].nsteps * sizeof(struct rs_step)) == 0);
    ck_assert(memcmp(r1.traces[0].steps, r2.traces[0].steps,
                     x.traces[0].nsteps * sizeof(struct rs_step)) == 0);

    char *dir = xstrdup(b.workdir), seedtext[32];
    char *out1 = xasprintf("%s/replay1.txt", dir);
    char *out2 = xasprintf("%s/replay2.txt", dir);
    snprintf(seedtext, sizeof seedtext, "%lld", seed);
    char *w1[] = {
        "check", "--seed", seedtext, "--trace", "tests/sched/lost_update.c",
        NULL};
    char *w2[] = {
        "check", "--seed", seedtext, "--trace", "tests/sched/lost_update.c",
        NULL};
    ck_assert_int_eq(run_check(w1, 5, out1), 1);
    ck_assert_int_eq(run_check(w2, 5, out2), 1);
    char *t1 = slurp(out1), *t2 = slurp(out2);
    ck_assert_str_eq(t1, t2);
    ck_assert_ptr_nonnull(strstr(t1, "<== lost update"));
    ck_assert_ptr_nonnull(strstr(t1, "data-race"));
    free(t1);
    free(t2);
    free(out1);
    free(out2);
    free(dir);
    rl_explore_free(&x);
    rl_explore_free(&r1);
    rl_explore_free(&r2);
    built_free(&b);
}
END_TEST

/* --json: the finding carries "seed" and "trace" steps. */
START_TEST(test_json_seed_trace)
{
    char dir[] = "/tmp/check-schedule-json.XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char *json = xasprintf("%s/out.json", dir);
    char *txt = xasprintf("%s/out.txt", dir);
    char *w[] = {"check",  "--schedules", "200",
                 "--json", json,          "tests/sched/lock_order.c",
                 NULL};
    ck_assert_int_eq(run_check(w, 6, txt), 1);
    json_error_t e;
    json_t *doc = json_load_file(json, 0, &e);
    ck_assert_ptr_nonnull(doc);
    json_t *f = json_array_get(json_object_get(doc, "findings"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(f, "id")), "deadlock");
    ck_assert(json_is_integer(json_object_get(f, "seed")));
    json_t *trace = json_object_get(f, "trace");
    ck_assert_uint_gt(json_array_size(trace), 3);
    json_t *step = json_array_get(trace, 0);
    const char *keys[] = {"thread", "op", "file", "line", "detail"};
    for (int i = 0; i < 5; i++)
        ck_assert_ptr_nonnull(json_object_get(step, keys[i]));
    json_decref(doc);
    unlink(json);
    unlink(txt);
    rmdir(dir);
    free(json);
    free(txt);
}
END_TEST

Suite *make_schedule_suite(void)
{
    Suite *s = suite_create("schedule");
    TCase *found = tcase_create("Bugs");
    tcase_set_timeout(found, 60);
    tcase_add_loop_test(found, test_bug_found_same_seeds, 0, NPROGRAMS);
    tcase_add_test(found, test_lost_update_trace);
    tcase_add_test(found, test_deadlock_cycle);
    tcase_add_test(found, test_livelock_lines);
    suite_add_tcase(s, found);
    TCase *silent = tcase_create("Correct");
    tcase_set_timeout(silent, 60);
    tcase_add_loop_test(silent, test_correct_never_fails, 0, NPROGRAMS);
    tcase_add_test(silent, test_unexplained_failure_silent);
    suite_add_tcase(s, silent);
    TCase *opts = tcase_create("Options");
    tcase_set_tags(opts, "fast"); /* no tool runs: make test-fast */
    tcase_add_test(opts, test_options);
    suite_add_tcase(s, opts);
    TCase *replay = tcase_create("Replay");
    tcase_set_timeout(replay, 60);
    tcase_add_test(replay, test_replay_identical);
    tcase_add_test(replay, test_json_seed_trace);
    suite_add_tcase(s, replay);
    return s;
}
