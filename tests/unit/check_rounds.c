/* check_rounds.c: rounds of clients, what grows with them, and clean stops. */
#include <arpa/inet.h>
#include <check.h>
#include <ftw.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "engine/build.h"
#include "engine/finding.h"
#include "engine/policy.h"
#include "engine/runner.h"
#include "server/server_driver.h"
#include "server/server_rounds.h"
#include "engine/sources.h"
#include "tools/tool.h"
#include "lib/workdir.h"

extern const struct rl_tool rl_tool_probe, rl_tool_tsan, rl_tool_asan;

#define FIX "tests/fixtures/server/"
#define STARTER "labs/02-process/echoserver.c"
#define CSAPP "labs/common/csapp.c"
#define STOP_HOOK "harness/runtime/hooks/stop_hook.c"

/* Correct servers must stay silent this many times; buggy ones must be
 * flagged every time. */
enum { REPEAT = 3, STARTER_REPEAT = 5 };

static char workdir[64]; /* /tmp/racelab-rounds-XXXXXX */

static void setup(void)
{
    snprintf(workdir, sizeof workdir, "/tmp/racelab-rounds-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(workdir));
    ck_assert_msg(access(FIX "fork_ok.c", R_OK) == 0,
                  "run from the repository root: no '" FIX "fork_ok.c'");
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

/* ---- building and running a server ------------------------------------ */

static int has_arg(const struct rl_strv *argv, const char *part)
{
    for (size_t i = 0; i < argv->n; i++)
        if (strstr(argv->v[i], part))
            return 1;
    return 0;
}

/* Builds one variant as racelab does; the sanitized ones get the stop
 * hook (added here until build.c compiles it in by itself). */
static char *build(const struct rl_sources *src, enum rl_variant v,
                   const char *name)
{
    struct rl_build b;
    char err[256] = "", dir[PATH_MAX], hook[PATH_MAX];
    int wanted[RL_VARIANT_COUNT] = {0};
    wanted[v] = 1;
    snprintf(dir, sizeof dir, "%s/%s", workdir, name);
    mkdir(dir, 0755);
    ck_assert_msg(rl_build_all(src, wanted, dir, &b, err, sizeof err) == 0,
                  "%s", err);
    if (v != RL_VARIANT_PLAIN && !has_arg(&b.command[v], "stop-hook") &&
        !has_arg(&b.command[v], "stop_hook")) {
        rl_build_free(&b);
        ck_assert_ptr_nonnull(realpath(STOP_HOOK, hook));
        char *flags[] = {hook, NULL};
        struct rl_build_extras extras = {NULL, flags};
        ck_assert_msg(rl_build_all_with(src, wanted, &extras, dir, &b, err,
                                        sizeof err) == 0,
                      "%s", err);
    }
    ck_assert_msg(!b.failed[v], "build failed: %s",
                  b.output[v] ? b.output[v] : "");
    char *exe = strdup(b.exe[v]);
    rl_build_free(&b);
    return exe;
}

/* Free on this machine, and in the sandbox's own network namespace. */
static int pick_port(void)
{
    return rl_server_pick_port();
}

static int wait_for_listen(struct rl_sandbox *sb, int port)
{
    struct timespec step = {0, 20 * 1000 * 1000};
    for (int i = 0; i < 500; i++) {
        int fd = rl_sandbox_socket(sb, AF_INET, SOCK_STREAM);
        struct sockaddr_in a = {.sin_family = AF_INET,
                                .sin_port = htons(port),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        int ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
        if (fd >= 0)
            close(fd);
        if (ok)
            return 0;
        nanosleep(&step, NULL);
    }
    return -1;
}

/* What one run gave. */
struct result {
    int outcome;
    char note[256];
    int exited, exit_status;
    struct rl_findings raw;     /* the tool's and the rounds' findings */
    struct rl_findings verdict; /* after the policy */
};

/*
 * Runs exe under tool as `racelab check --server` would: start, rounds,
 * clean stop, parse; `tag` names the run's folder.
 */
static void run_server(const struct rl_sources *src, const char *exe,
                       const struct rl_tool *tool, const char *tag,
                       struct result *res)
{
    char err[256] = "", port[16];
    struct rl_run run = {0};
    memset(res, 0, sizeof *res);
    snprintf(port, sizeof port, "%d", pick_port());
    char *args[] = {port, NULL};
    char *dir = rl_workdir_sub(workdir, tag, err, sizeof err);
    ck_assert_msg(dir != NULL, "%s", err);
    run.tool = tool;
    run.sources = src;
    run.exe = exe;
    run.program_args = args;
    run.workdir = dir;
    run.harness_dir = rl_harness_dir();
    run.timeout = 60;
    rl_sandbox_opts_default(&run.sandbox);
    run.sandbox.cwd = dir;
    run.sandbox.timeout = 60;
    run.sandbox.max_procs = 256;
    run.sandbox.address_limit_ok = 0;
    ck_assert_msg(tool->prepare(&run, err, sizeof err) == 0, "%s", err);
    rl_strv_pushf(&run.env, "%s=1", RL_STOP_ENV);
    run.sandbox.env_extra = run.env.v;
    struct rl_sandbox *sb =
        rl_sandbox_start(run.argv.v, &run.sandbox, err, sizeof err);
    ck_assert_msg(sb != NULL, "%s", err);
    if (wait_for_listen(sb, atoi(port)) == 0)
        res->outcome =
            rl_server_rounds(sb, &run, &res->raw, res->note, sizeof res->note);
    else
        res->outcome = RL_SERVER_NO_LISTEN;
    rl_server_stop(sb, &run);
    rl_sandbox_wait(sb, &run.result);
    res->exited = run.result.exited;
    res->exit_status = run.result.exit_status;
    ck_assert_msg(tool->parse(&run, &res->raw, err, sizeof err) == 0, "%s",
                  err);
    struct rl_findings copy = {0};
    for (size_t i = 0; i < res->raw.n; i++) {
        const struct rl_finding *f = &res->raw.v[i];
        struct rl_finding *c = rl_findings_add(&copy, f->id, f->tools[0]);
        for (size_t t = 1; t < f->ntools; t++)
            rl_finding_add_tool(c, f->tools[t]);
        for (size_t l = 0; l < f->nlocs; l++)
            rl_finding_add_location(c, f->locs[l].file, f->locs[l].line,
                                    f->locs[l].function);
        if (f->detail)
            rl_finding_set_detail(c, f->detail);
    }
    rl_policy_apply(&copy, &res->verdict);
    rl_findings_free(&copy);
    if (getenv("RACELAB_ROUNDS_VERBOSE")) /* to see what a run found */
        for (size_t i = 0; i < res->verdict.n; i++)
            fprintf(
                stderr, "%s %s: %s at %s:%d\n%s\n", tag, res->verdict.v[i].id,
                res->verdict.v[i].tools[0],
                res->verdict.v[i].nlocs ? res->verdict.v[i].locs[0].file : "?",
                res->verdict.v[i].nlocs ? res->verdict.v[i].locs[0].line : 0,
                res->verdict.v[i].detail ? res->verdict.v[i].detail : "");
    rl_sandbox_result_free(&run.result);
    rl_strv_free(&run.argv);
    rl_strv_free(&run.env);
    free(dir);
}

static void result_free(struct result *res)
{
    rl_findings_free(&res->raw);
    rl_findings_free(&res->verdict);
}

/* "zombie-children fd-leak" for messages. */
static const char *ids(const struct rl_findings *l)
{
    static char buf[512];
    buf[0] = '\0';
    for (size_t i = 0; i < l->n; i++) {
        strncat(buf, l->v[i].id, sizeof buf - strlen(buf) - 2);
        strcat(buf, " ");
    }
    return buf;
}

static const struct rl_finding *find(const struct rl_findings *l,
                                     const char *id, const char *tool)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].id, id) == 0 &&
            (!tool || rl_finding_has_tool(&l->v[i], tool)))
            return &l->v[i];
    return NULL;
}

/* The verdict has exactly these ids (each at least once). */
static void expect_ids(const struct result *res, const char *const want[],
                       const char *what)
{
    size_t nwant = 0;
    for (; want[nwant]; nwant++)
        ck_assert_msg(find(&res->verdict, want[nwant], NULL),
                      "%s: no %s; got: %s (note: %s)", what, want[nwant],
                      ids(&res->verdict), res->note);
    for (size_t i = 0; i < res->verdict.n; i++) {
        int wanted = 0;
        for (size_t j = 0; j < nwant; j++)
            wanted |= strcmp(res->verdict.v[i].id, want[j]) == 0;
        ck_assert_msg(wanted, "%s: unexpected %s: %s", what,
                      res->verdict.v[i].id,
                      res->verdict.v[i].detail ? res->verdict.v[i].detail : "");
    }
}

/* The line number of the first line of path holding text. */
static int line_of(const char *path, const char *text)
{
    FILE *f = fopen(path, "r");
    char line[512];
    int n = 0;
    ck_assert_ptr_nonnull(f);
    while (fgets(line, sizeof line, f)) {
        n++;
        if (strstr(line, text)) {
            fclose(f);
            return n;
        }
    }
    fclose(f);
    ck_abort_msg("no '%s' in '%s'", text, path);
    return 0;
}

static void init_sources(struct rl_sources *src, const char *a, const char *b)
{
    char err[256] = "";
    char *paths[] = {(char *)a, (char *)b};
    ck_assert_msg(rl_sources_init(src, paths, b ? 2 : 1, err, sizeof err) == 0,
                  "%s", err);
}

/* Builds a fixture's plain variant and runs it under the probe `times`
 * times; each run must echo everything and give exactly `want`. */
static void probe_runs(const char *fixture, int times, const char *const want[],
                       struct result *last)
{
    struct rl_sources src;
    char path[PATH_MAX], tag[32];
    snprintf(path, sizeof path, FIX "%s", fixture);
    init_sources(&src, path, NULL);
    char name[64];
    snprintf(name, sizeof name, "%.20s-plain", fixture);
    char *exe = build(&src, RL_VARIANT_PLAIN, name);
    for (int i = 0; i < times; i++) {
        struct result res;
        snprintf(tag, sizeof tag, "%.20s-probe%d", fixture, i);
        run_server(&src, exe, &rl_tool_probe, tag, &res);
        ck_assert_msg(res.outcome == RL_SERVER_ECHOED, "%s: run %d: %s",
                      fixture, i, res.note);
        expect_ids(&res, want, fixture);
        if (last && i == times - 1)
            *last = res;
        else
            result_free(&res);
    }
    free(exe);
    rl_sources_free(&src);
}

static const char *const NOTHING[] = {NULL};

/* ---- the process lab -------------------------------------------------- */

/* The starter, unchanged: zombies and descriptors grow with the clients,
 * every time, at the student's own lines. */
START_TEST(test_starter_leaks_zombies_and_fds)
{
    struct rl_sources src;
    init_sources(&src, STARTER, CSAPP);
    char *exe = build(&src, RL_VARIANT_PLAIN, "plain");
    int fork_line = line_of(STARTER, "Fork() == 0");
    int accept_line = line_of(STARTER, "Accept(listenfd");
    for (int i = 0; i < STARTER_REPEAT; i++) {
        struct result res;
        char tag[32];
        snprintf(tag, sizeof tag, "starter%d", i);
        run_server(&src, exe, &rl_tool_probe, tag, &res);
        ck_assert_msg(res.outcome == RL_SERVER_ECHOED, "%s", res.note);
        const char *want[] = {"zombie-children", "fd-leak", NULL};
        expect_ids(&res, want, "starter");
        const struct rl_finding *z =
            find(&res.verdict, "zombie-children", "server");
        ck_assert_ptr_nonnull(z);
        ck_assert_msg(rl_finding_has_location(z, STARTER, fork_line),
                      "zombies not at the fork line %d", fork_line);
        /* one zombie per client: 1, 11, 61 more than before */
        ck_assert_ptr_nonnull(z->detail);
        ck_assert_msg(strstr(z->detail, "after rounds of 1, 10 and 50"), "%s",
                      z->detail);
        int a, b, c, before;
        const char *fig = strstr(z->detail, "clients: ");
        ck_assert_ptr_nonnull(fig);
        ck_assert_int_eq(sscanf(fig, "clients: %d, %d, %d (before: %d)", &a, &b,
                                &c, &before),
                         4);
        ck_assert_int_eq(a - before, 1);
        ck_assert_int_eq(b - before, 11);
        ck_assert_int_eq(c - before, 61);
        /* the parent keeps connfd (accept line), the child keeps
         * listenfd (fork line) */
        int server_fd = 0, child_fd = 0;
        for (size_t k = 0; k < res.verdict.n; k++) {
            const struct rl_finding *f = &res.verdict.v[k];
            if (strcmp(f->id, "fd-leak") != 0)
                continue;
            if (rl_finding_has_location(f, STARTER, accept_line)) {
                server_fd = 1;
                ck_assert_msg(strstr(f->detail, "descriptors open in the "
                                                "server after rounds"),
                              "%s", f->detail);
                ck_assert_msg(strstr(f->detail, "no end-of-file"), "%s",
                              f->detail);
            }
            if (rl_finding_has_location(f, STARTER, fork_line)) {
                child_fd = 1;
                ck_assert_msg(strstr(f->detail, "listening socket"), "%s",
                              f->detail);
            }
        }
        ck_assert_msg(server_fd && child_fd, "fd-leak: server %d, child %d",
                      server_fd, child_fd);
        result_free(&res);
    }
    free(exe);
    rl_sources_free(&src);
}
END_TEST

/* The reference solution and a correct fork server stay silent. */
START_TEST(test_correct_fork_servers_are_clean)
{
    struct rl_sources src;
    init_sources(&src, "solutions/02-process/echoserver.c", CSAPP);
    char *exe = build(&src, RL_VARIANT_PLAIN, "plain");
    for (int i = 0; i < REPEAT; i++) {
        struct result res;
        char tag[32];
        snprintf(tag, sizeof tag, "solution%d", i);
        run_server(&src, exe, &rl_tool_probe, tag, &res);
        ck_assert_msg(res.outcome == RL_SERVER_ECHOED, "%s", res.note);
        expect_ids(&res, NOTHING, "solutions/02-process");
        result_free(&res);
    }
    free(exe);
    rl_sources_free(&src);
    probe_runs("fork_ok.c", REPEAT, NOTHING, NULL);
}
END_TEST

/* `if` instead of `while`: serial disconnects are all reaped, the burst
 * leaves zombies. */
START_TEST(test_if_reaping_leaves_burst_zombies)
{
    static const char *const want[] = {"zombie-children", NULL};
    struct result res;
    probe_runs("fork_if_reap.c", REPEAT, want, &res);
    const struct rl_finding *z = find(&res.verdict, "zombie-children", NULL);
    ck_assert_msg(strstr(z->detail, "only the last round"), "%s", z->detail);
    ck_assert_msg(rl_finding_has_location(
                      z, FIX "fork_if_reap.c",
                      line_of(FIX "fork_if_reap.c", "if (fork() == 0)")),
                  "not at the fork line");
    result_free(&res);
}
END_TEST

/* The parent never closes connfd: the client sees no end-of-file. */
START_TEST(test_parent_keeping_connfd_leaks)
{
    static const char *const want[] = {"fd-leak", NULL};
    struct result res;
    probe_runs("fork_keep_connfd.c", REPEAT, want, &res);
    int accept_line = line_of(FIX "fork_keep_connfd.c", "= accept(");
    const struct rl_finding *f = NULL;
    for (size_t i = 0; i < res.verdict.n; i++)
        if (rl_finding_has_location(&res.verdict.v[i], FIX "fork_keep_connfd.c",
                                    accept_line))
            f = &res.verdict.v[i];
    ck_assert_msg(f != NULL, "no fd-leak at the accept line %d", accept_line);
    ck_assert_msg(strstr(f->detail, "no end-of-file"), "%s", f->detail);
    ck_assert_msg(strstr(f->detail, "descriptors open in the server"), "%s",
                  f->detail);
    result_free(&res);
}
END_TEST

/* The child keeps listenfd. */
START_TEST(test_child_keeping_listenfd_leaks)
{
    static const char *const want[] = {"fd-leak", NULL};
    struct result res;
    probe_runs("fork_keep_listenfd.c", REPEAT, want, &res);
    const struct rl_finding *f = find(&res.verdict, "fd-leak", "server");
    ck_assert_msg(strstr(f->detail, "kept the listening socket open"), "%s",
                  f->detail);
    ck_assert(rl_finding_has_location(
        f, FIX "fork_keep_listenfd.c",
        line_of(FIX "fork_keep_listenfd.c", "if (fork() == 0)")));
    ck_assert_msg(!strstr(f->detail, "no end-of-file"), "%s", f->detail);
    result_free(&res);
}
END_TEST

/* Handlers: printf is unsafe, waitpid without saving errno clobbers it;
 * the probe sees both during the rounds, and nothing else is wrong. */
START_TEST(test_handler_misuse_is_seen)
{
    static const char *const unsafe[] = {"signal-unsafe-call", NULL};
    static const char *const clobber[] = {"errno-clobber", NULL};
    probe_runs("fork_printf_handler.c", REPEAT, unsafe, NULL);
    probe_runs("fork_errno_handler.c", REPEAT, clobber, NULL);
}
END_TEST

/* accept fails with EINTR after the first SIGCHLD: the next round is
 * refused, and the note says why. */
START_TEST(test_server_giving_up_on_eintr_is_explained)
{
    struct rl_sources src;
    init_sources(&src, FIX "fork_accept_dies.c", NULL);
    char *exe = build(&src, RL_VARIANT_PLAIN, "plain");
    for (int i = 0; i < REPEAT; i++) {
        struct result res;
        char tag[32];
        snprintf(tag, sizeof tag, "dies%d", i);
        run_server(&src, exe, &rl_tool_probe, tag, &res);
        ck_assert_int_eq(res.outcome, RL_SERVER_STOPPED_SERVING);
        ck_assert_msg(strstr(res.note, "once earlier clients were gone"), "%s",
                      res.note);
        ck_assert_msg(strstr(res.note, "EINTR"), "%s", res.note);
        result_free(&res);
    }
    free(exe);
    rl_sources_free(&src);
}
END_TEST

/* ---- threads and events ----------------------------------------------- */

START_TEST(test_correct_thread_and_event_servers_are_clean)
{
    probe_runs("echo_threads_ok.c", REPEAT, NOTHING, NULL);
    static const char *const lab[] = {"solutions/03-events/echoserver.c",
                                      "solutions/04-threads/echoserver.c"};
    for (int k = 0; k < 2; k++) {
        struct rl_sources src;
        init_sources(&src, lab[k], CSAPP);
        char name[32];
        snprintf(name, sizeof name, "lab%d-plain", k);
        char *exe = build(&src, RL_VARIANT_PLAIN, name);
        for (int i = 0; i < REPEAT; i++) {
            struct result res;
            char tag[32];
            snprintf(tag, sizeof tag, "lab%d-%d", k, i);
            run_server(&src, exe, &rl_tool_probe, tag, &res);
            ck_assert_msg(res.outcome == RL_SERVER_ECHOED, "%s: %s", lab[k],
                          res.note);
            expect_ids(&res, NOTHING, lab[k]);
            result_free(&res);
        }
        free(exe);
        rl_sources_free(&src);
    }
}
END_TEST

/* Threads never joined nor detached: the probe's table counts them. */
START_TEST(test_unjoined_threads_grow)
{
    static const char *const want[] = {"thread-leak", NULL};
    struct result res;
    probe_runs("threads_nodetach.c", REPEAT, want, &res);
    const struct rl_finding *f = find(&res.verdict, "thread-leak", "probe");
    ck_assert_ptr_nonnull(f);
    ck_assert_msg(strstr(f->detail, "never joined nor detached"), "%s",
                  f->detail);
    ck_assert(rl_finding_has_location(
        f, FIX "threads_nodetach.c",
        line_of(FIX "threads_nodetach.c", "pthread_create(")));
    result_free(&res);
}
END_TEST

/* ---- the clean stop ---------------------------------------------------- */

/* A sanitized build of fixture, run and stopped cleanly `times` times;
 * each run must have exited (not been killed) and give `want`. */
static void sanitized_runs(const char *fixture, const char *file2,
                           const struct rl_tool *tool, int times,
                           const char *const want[], struct result *last)
{
    static int seq; /* folders of one test must not collide */
    struct rl_sources src;
    init_sources(&src, fixture, file2);
    char name[64];
    snprintf(name, sizeof name, "%d-%s", ++seq, tool->name);
    char *exe = build(&src, tool->variant, name);
    for (int i = 0; i < times; i++) {
        struct result res;
        char tag[80];
        snprintf(tag, sizeof tag, "%s-run%d", name, i);
        run_server(&src, exe, tool, tag, &res);
        ck_assert_msg(res.outcome == RL_SERVER_ECHOED, "%s: %s", fixture,
                      res.note);
        ck_assert_msg(res.exited, "%s under %s was killed, not stopped",
                      fixture, tool->name);
        expect_ids(&res, want, fixture);
        if (last && i == times - 1)
            *last = res;
        else
            result_free(&res);
    }
    free(exe);
    rl_sources_free(&src);
}

/* TSan's thread-leak report is written at exit: the clean stop gets it. */
START_TEST(test_tsan_reports_thread_leak_after_clean_stop)
{
    static const char *const want[] = {"thread-leak", NULL};
    struct result res;
    sanitized_runs(FIX "threads_nodetach.c", NULL, &rl_tool_tsan, 1, want,
                   &res);
    const struct rl_finding *f = find(&res.verdict, "thread-leak", "tsan");
    ck_assert_ptr_nonnull(f);
    ck_assert(rl_finding_has_location(
        f, FIX "threads_nodetach.c",
        line_of(FIX "threads_nodetach.c", "pthread_create(")));
    result_free(&res);
}
END_TEST

/* LSan's exit-time check: a block per connection, at its malloc line. */
START_TEST(test_asan_reports_leak_after_clean_stop)
{
    static const char *const want[] = {"memory-leak", NULL};
    struct result res;
    sanitized_runs(FIX "threads_malloc_leak.c", NULL, &rl_tool_asan, 1, want,
                   &res);
    const struct rl_finding *f = find(&res.verdict, "memory-leak", "asan");
    ck_assert_ptr_nonnull(f);
    ck_assert(rl_finding_has_location(
        f, FIX "threads_malloc_leak.c",
        line_of(FIX "threads_malloc_leak.c", "= malloc(")));
    result_free(&res);
}
END_TEST

/* The runner's own --server path: its driver runs the rounds, then the
 * clean stop; the TSan run exits and reports the leaked threads. */
START_TEST(test_runner_stops_server_cleanly)
{
    struct rl_sources src;
    char err[256] = "";
    init_sources(&src, FIX "threads_nodetach.c", NULL);
    char *exe = build(&src, RL_VARIANT_TSAN, "runner-tsan");
    struct rl_run_setup setup = {&src, NULL, rl_harness_dir(), 1};
    struct rl_job job;
    memset(&job, 0, sizeof job);
    job.tool = &rl_tool_tsan;
    job.exe = exe;
    job.workdir = rl_workdir_sub(workdir, "runner", err, sizeof err);
    ck_assert_msg(job.workdir != NULL, "%s", err);
    job.timeout = 60;
    rl_job_run(&setup, &job);
    ck_assert_msg(!job.error[0], "%s", job.error);
    ck_assert_msg(job.server_outcome == RL_SERVER_ECHOED, "%s", job.note);
    ck_assert_msg(job.exited, "the server was killed, not stopped");
    ck_assert_msg(!job.timed_out, "the server ran into the timeout");
    const struct rl_finding *f = find(&job.found, "thread-leak", "tsan");
    ck_assert_msg(f != NULL, "no thread-leak from tsan: %s", ids(&job.found));
    ck_assert(rl_finding_has_location(
        f, FIX "threads_nodetach.c",
        line_of(FIX "threads_nodetach.c", "pthread_create(")));
    rl_findings_free(&job.found);
    rl_strv_free(&job.argv);
    rl_strv_free(&job.env);
    free(job.workdir);
    free(exe);
    rl_sources_free(&src);
}
END_TEST

/* Correct servers stopped cleanly under TSan and ASan: nothing. */
START_TEST(test_correct_servers_clean_under_sanitizers)
{
    const struct rl_tool *tools[] = {&rl_tool_tsan, &rl_tool_asan};
    for (int t = 0; t < 2; t++) {
        sanitized_runs(FIX "echo_threads_ok.c", NULL, tools[t], REPEAT, NOTHING,
                       NULL);
        sanitized_runs("solutions/02-process/echoserver.c", CSAPP, tools[t],
                       REPEAT, NOTHING, NULL);
        sanitized_runs("solutions/04-threads/echoserver.c", CSAPP, tools[t],
                       REPEAT, NOTHING, NULL);
    }
}
END_TEST

Suite *make_rounds_suite(void)
{
    Suite *s = suite_create("rounds");
    TCase *proc = tcase_create("Process");
    tcase_add_checked_fixture(proc, setup, teardown);
    tcase_set_timeout(proc, 240);
    tcase_add_test(proc, test_starter_leaks_zombies_and_fds);
    tcase_add_test(proc, test_correct_fork_servers_are_clean);
    tcase_add_test(proc, test_if_reaping_leaves_burst_zombies);
    tcase_add_test(proc, test_parent_keeping_connfd_leaks);
    tcase_add_test(proc, test_child_keeping_listenfd_leaks);
    tcase_add_test(proc, test_handler_misuse_is_seen);
    tcase_add_test(proc, test_server_giving_up_on_eintr_is_explained);
    suite_add_tcase(s, proc);
    TCase *threads = tcase_create("Threads");
    tcase_add_checked_fixture(threads, setup, teardown);
    tcase_set_timeout(threads, 240);
    tcase_add_test(threads, test_correct_thread_and_event_servers_are_clean);
    tcase_add_test(threads, test_unjoined_threads_grow);
    suite_add_tcase(s, threads);
    TCase *stop = tcase_create("CleanStop");
    tcase_add_checked_fixture(stop, setup, teardown);
    tcase_set_timeout(stop, 300);
    tcase_add_test(stop, test_tsan_reports_thread_leak_after_clean_stop);
    tcase_add_test(stop, test_asan_reports_leak_after_clean_stop);
    tcase_add_test(stop, test_runner_stops_server_cleanly);
    tcase_add_test(stop, test_correct_servers_clean_under_sanitizers);
    suite_add_tcase(s, stop);
    return s;
}
