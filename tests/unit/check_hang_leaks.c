/* check_hang_leaks.c: leak reports of ASan programs that hang or never end. */
#include <check.h>
#include <dirent.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/build.h"
#include "engine/finding.h"
#include "fixture_root.h"
#include "engine/runner.h"
#include "engine/sources.h"
#include "tools/tool.h"
#include "lib/workdir.h"

extern const struct rl_tool rl_tool_asan;

/* Programs and the captured live check (capture.sh beside them). */
#define HANG_DIR "tests/fixtures/asan_hang"
#define HSRC(name) HANG_DIR "/" name ".c"
#define MARKER "lsan-live.pid"
/* The line of every program's malloc that loses its block. */
enum { LEAK_LINE = 14, SLEEP_LEAK_LINE = 12, EXIT_LEAK_LINE = 11 };

/* How often each real run repeats: the verdict must hold every time. */
enum { REPEAT = 3 };

static char workdir[64]; /* /tmp/racelab-hang-XXXXXX */

static void setup(void)
{
    snprintf(workdir, sizeof workdir, "/tmp/racelab-hang-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(workdir));
    ck_assert_msg(access(HSRC("deadlock_leak"), R_OK) == 0,
                  "run from the repository root: no '%s'",
                  HSRC("deadlock_leak"));
}

static int remove_entry(const char *path, const struct stat *st, int flag,
                        struct FTW *ftw)
{
    return remove(path);
}

static void teardown(void)
{
    nftw(workdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void init_sources(struct rl_sources *src, const char *path)
{
    char err[256] = "";
    char *paths[] = {(char *)path};
    ck_assert_msg(rl_sources_init(src, paths, 1, err, sizeof err) == 0, "%s",
                  err);
}

static const struct rl_finding *only_leak(const struct rl_findings *l,
                                          const char *source, int line)
{
    ck_assert_msg(l->n == 1, "expected one memory-leak, got %zu finding(s)%s%s",
                  l->n, l->n ? ", first " : "", l->n ? l->v[0].id : "");
    ck_assert_str_eq(l->v[0].id, "memory-leak");
    ck_assert(rl_finding_has_tool(&l->v[0], "asan"));
    ck_assert_msg(rl_finding_has_location(&l->v[0], source, line),
                  "memory-leak not at %s:%d", source, line);
    return &l->v[0];
}

/* ---- the parser, on a captured live check ------------------------------ */

static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    ck_assert_msg(in && out, "cannot copy '%s' to '%s'", from, to);
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        ck_assert_uint_eq(fwrite(buf, 1, n, out), n);
    fclose(in);
    fclose(out);
}

/* Copies the captured files into the workdir, as after a run; the marker
 * only when with_marker. */
static void stage(int with_marker)
{
    char from[PATH_MAX * 2], to[PATH_MAX * 2];
    struct dirent **names;
    int n = scandir(HANG_DIR "/deadlock_leak", &names, NULL, alphasort);
    ck_assert_int_ge(n, 0);
    for (int i = 0; i < n; i++) {
        const char *name = names[i]->d_name;
        if (name[0] != '.' && (with_marker || strcmp(name, MARKER) != 0)) {
            snprintf(from, sizeof from, HANG_DIR "/deadlock_leak/%s", name);
            snprintf(to, sizeof to, "%s/%s", workdir, name);
            copy_file(from, to);
        }
        free(names[i]);
    }
    free(names);
}

/* Parses the workdir as asan would after a run stopped from outside. */
static void parse_stopped(struct rl_findings *out)
{
    struct rl_sources src;
    struct rl_run run = {0};
    char err[256] = "";
    init_sources(&src, HSRC("deadlock_leak"));
    fixture_remap_sources(&src);
    run.tool = &rl_tool_asan;
    run.sources = &src;
    run.workdir = workdir;
    run.result.exited = 0;
    run.result.signal = 9;
    ck_assert_msg(rl_tool_asan.parse(&run, out, err, sizeof err) == 0, "%s",
                  err);
    rl_sources_free(&src);
}

/* The live check finished (its marker names the reporting process): its
 * leaks count although the program never exited. */
START_TEST(test_live_check_counts)
{
    struct rl_findings l = {0};
    stage(1);
    parse_stopped(&l);
    const struct rl_finding *f =
        only_leak(&l, HSRC("deadlock_leak"), LEAK_LINE);
    ck_assert_ptr_nonnull(strstr(f->detail, "48 byte(s) in 1 object(s)"));
    rl_findings_free(&l);
}
END_TEST

/* No marker: the check never completed, so the run is like any other
 * stopped run and its leak reports are dropped. */
START_TEST(test_no_marker_ignored)
{
    struct rl_findings l = {0};
    stage(0);
    parse_stopped(&l);
    ck_assert_uint_eq(l.n, 0);
    rl_findings_free(&l);
}
END_TEST

/* A marker of another process (e.g. left by a forked child) does not
 * vouch for these reports. */
START_TEST(test_marker_of_other_pid_ignored)
{
    struct rl_findings l = {0};
    char path[PATH_MAX];
    stage(1);
    snprintf(path, sizeof path, "%s/%s", workdir, MARKER);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "1\n");
    fclose(f);
    parse_stopped(&l);
    ck_assert_uint_eq(l.n, 0);
    rl_findings_free(&l);
}
END_TEST

/* prepare names the marker in the program's environment. */
START_TEST(test_prepare_names_marker)
{
    struct rl_run run = {0};
    char err[256] = "", want[PATH_MAX];
    run.exe = "/x/prog";
    run.workdir = workdir;
    ck_assert_msg(rl_tool_asan.prepare(&run, err, sizeof err) == 0, "%s", err);
    snprintf(want, sizeof want, "RACELAB_LSAN_MARKER=%s/%s", workdir, MARKER);
    int found = 0;
    for (size_t i = 0; i < run.env.n; i++)
        found |= strcmp(run.env.v[i], want) == 0;
    ck_assert_msg(found, "no %s", want);
    ck_assert_ptr_nonnull(rl_tool_asan.before_stop);
    rl_strv_free(&run.argv);
    rl_strv_free(&run.env);
}
END_TEST

/* ---- real programs, built by build.c, run by the runner ----------------- */

/* Builds source's ASan variant as racelab does (with the hook). */
static char *build_asan(const struct rl_sources *src)
{
    struct rl_build b;
    char err[256] = "";
    int wanted[RL_VARIANT_COUNT] = {[RL_VARIANT_ASAN] = 1};
    ck_assert_msg(rl_build_all(src, wanted, workdir, &b, err, sizeof err) == 0,
                  "%s", err);
    ck_assert_msg(!b.failed[RL_VARIANT_ASAN], "build failed: %s",
                  b.output[RL_VARIANT_ASAN] ? b.output[RL_VARIANT_ASAN] : "");
    /* The hook is part of the build: `make` put it beside the binaries. */
    int hooked = 0;
    for (size_t i = 0; i < b.command[RL_VARIANT_ASAN].n; i++)
        hooked |= strstr(b.command[RL_VARIANT_ASAN].v[i],
                         "racelab-asan-hook.c") != NULL;
    ck_assert_msg(hooked, "no racelab-asan-hook.c in '%s' (run make first)",
                  rl_harness_dir());
    char *exe = strdup(b.exe[RL_VARIANT_ASAN]);
    rl_build_free(&b);
    return exe;
}

struct outcome {
    int exited, timed_out, stopped_by_watch, marker;
};

/* One job of the runner, in a fresh folder; its findings go to out. */
static void run_job(const struct rl_sources *src, const char *exe, int round,
                    double timeout, int idle, struct rl_findings *out,
                    struct outcome *o)
{
    char err[256] = "", name[32], marker[PATH_MAX];
    struct rl_run_setup setup = {src, NULL, rl_harness_dir(), 0};
    struct rl_job job;
    memset(&job, 0, sizeof job);
    snprintf(name, sizeof name, "run%d", round);
    job.tool = &rl_tool_asan;
    job.exe = exe;
    job.workdir = rl_workdir_sub(workdir, name, err, sizeof err);
    ck_assert_msg(job.workdir != NULL, "%s", err);
    job.timeout = timeout;
    job.stop_when_idle = idle;
    rl_job_run(&setup, &job);
    ck_assert_msg(!job.error[0], "%s", job.error);
    snprintf(marker, sizeof marker, "%s/%s", job.workdir, MARKER);
    *o = (struct outcome){job.exited, job.timed_out, job.stopped_by_watch,
                          access(marker, F_OK) == 0};
    rl_findings_take(out, &job.found);
    rl_findings_free(&job.found);
    rl_strv_free(&job.argv);
    rl_strv_free(&job.env);
    free(job.workdir);
}

/*
 * Builds a program and runs it REPEAT times; each run must end as
 * `how` says (0 exited, 1 stopped as idle, 2 timed out) and find the
 * leak at `line`, or nothing when line is 0.
 */
static void check_runs(const char *program, int how, int line)
{
    char source[PATH_MAX];
    struct rl_sources src;
    snprintf(source, sizeof source, HSRC("%s"), program);
    init_sources(&src, source);
    char *exe = build_asan(&src);
    for (int i = 0; i < REPEAT; i++) {
        struct rl_findings l = {0};
        struct outcome o;
        run_job(&src, exe, i, how == 2 ? 2.0 : 20.0, how == 1, &l, &o);
        if (how == 0) {
            ck_assert_msg(o.exited, "%s: run %d did not exit", program, i);
            ck_assert_msg(!o.marker, "%s: a live check of an exited run",
                          program);
        } else {
            ck_assert_msg(!o.exited, "%s: run %d exited", program, i);
            ck_assert_int_eq(o.stopped_by_watch, how == 1);
            ck_assert_int_eq(o.timed_out, how == 2);
            /* The live check ran, whatever it found. */
            ck_assert_msg(o.marker, "%s: run %d: no live check", program, i);
        }
        if (line)
            only_leak(&l, source, line);
        else
            ck_assert_msg(l.n == 0, "%s: run %d found %s", program, i,
                          l.n ? l.v[0].id : "");
        rl_findings_free(&l);
    }
    free(exe);
    rl_sources_free(&src);
}

/* Deadlocked, stopped once it stands still (after the probe saw it). */
START_TEST(test_deadlock_leak_idle)
{
    check_runs("deadlock_leak", 1, LEAK_LINE);
}
END_TEST

/* Deadlocked, stopped at the timeout. */
START_TEST(test_deadlock_leak_timeout)
{
    check_runs("deadlock_leak", 2, LEAK_LINE);
}
END_TEST

/* The same hang, its buffer still reachable: nothing leaked. */
START_TEST(test_deadlock_noleak)
{
    check_runs("deadlock_noleak", 1, 0);
}
END_TEST

/* A server-like loop that never ends: its leak at the timeout. */
START_TEST(test_sleep_leak_timeout)
{
    check_runs("sleep_leak", 2, SLEEP_LEAK_LINE);
}
END_TEST

/* An ordinary exit: the exit-time report alone, one finding. */
START_TEST(test_exit_leak_once)
{
    check_runs("exit_leak", 0, EXIT_LEAK_LINE);
}
END_TEST

static TCase *tcase(const char *name, int timeout)
{
    TCase *tc = tcase_create(name);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, timeout);
    return tc;
}

Suite *make_hang_leaks_suite(void)
{
    Suite *s = suite_create("hang_leaks");
    TCase *parse = tcase("Parser", 10);
    tcase_set_tags(parse, "fast"); /* no tool runs: make test-fast */
    tcase_add_test(parse, test_live_check_counts);
    tcase_add_test(parse, test_no_marker_ignored);
    tcase_add_test(parse, test_marker_of_other_pid_ignored);
    tcase_add_test(parse, test_prepare_names_marker);
    suite_add_tcase(s, parse);

    /* Each test builds with clang and runs REPEAT times (a few s each). */
    TCase *runs = tcase("Runs", 120);
    tcase_add_test(runs, test_deadlock_leak_idle);
    tcase_add_test(runs, test_deadlock_leak_timeout);
    tcase_add_test(runs, test_deadlock_noleak);
    tcase_add_test(runs, test_sleep_leak_timeout);
    tcase_add_test(runs, test_exit_leak_once);
    suite_add_tcase(s, runs);
    return s;
}
