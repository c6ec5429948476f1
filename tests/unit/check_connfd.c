/* check_connfd.c: lab 04's connection-thread checks (connfd-race held on
 * cue, thread-leak, fd-leak) on real servers under the probe and TSan. */
#include <check.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/build.h"
#include "probe/connfd_analysis.h"
#include "engine/policy.h"
#include "engine/runner.h"
#include "server/server_driver.h"
#include "tools/tool.h"
#include "lib/workdir.h"

enum { RUNS = 3 }; /* every verdict must hold on every run */

#define CSAPP "labs/common/csapp.c"
#define STARTER "labs/04-threads/echoserver.c"
#define SOLUTION "solutions/04-threads/echoserver.c"
#define VARIANT(name) "tests/labs/04-threads/" name "/echoserver.c"

static char *workdir;

static void setup(void)
{
    char err[256];
    workdir = rl_workdir_create("racelab-connfd", err, sizeof err);
    ck_assert_msg(workdir != NULL, "%s", err);
}

static void teardown(void)
{
    rl_workdir_remove(workdir);
    free(workdir);
}

/* ---- building and running a server as racelab does ---- */

struct server {
    struct rl_sources src;
    struct rl_build build;
};

/* Builds main + csapp.c in the plain and TSan variants. */
static void build_server(struct server *s, const char *main_file)
{
    char err[256];
    char *files[] = {(char *)main_file, CSAPP};
    int wanted[RL_VARIANT_COUNT] = {
        [RL_VARIANT_PLAIN] = 1, [RL_VARIANT_TSAN] = 1};
    ck_assert_msg(rl_sources_init(&s->src, files, 2, err, sizeof err) == 0,
                  "%s", err);
    char *out = rl_workdir_sub(workdir, "build", err, sizeof err);
    ck_assert_msg(out != NULL, "%s", err);
    ck_assert_msg(
        rl_build_all(&s->src, wanted, out, &s->build, err, sizeof err) == 0,
        "%s", err);
    free(out);
    ck_assert_msg(
        !s->build.failed[RL_VARIANT_PLAIN] && !s->build.failed[RL_VARIANT_TSAN],
        "'%s' did not compile: %s", main_file,
        s->build.output[RL_VARIANT_PLAIN] ? s->build.output[RL_VARIANT_PLAIN]
                                          : "");
}

static void free_server(struct server *s)
{
    rl_build_free(&s->build);
    rl_sources_free(&s->src);
}

/* Runs the server once under a tool (probe or tsan), driven by racelab's
 * clients; appends the tool's raw findings to out; returns the driver's
 * outcome (RL_SERVER_ECHOED when every client was answered). */
static int run_tool(struct server *s, const char *tool, int round,
                    struct rl_findings *out)
{
    char err[256] = "", name[64];
    struct rl_run_setup setup = {&s->src, NULL, rl_harness_dir(), 1};
    struct rl_job job;
    memset(&job, 0, sizeof job);
    job.tool = rl_tool_find(tool);
    ck_assert_ptr_nonnull(job.tool);
    job.exe = s->build.exe[job.tool->variant];
    snprintf(name, sizeof name, "%s%d", tool, round);
    job.workdir = rl_workdir_sub(workdir, name, err, sizeof err);
    ck_assert_msg(job.workdir != NULL, "%s", err);
    job.timeout = 30;
    rl_job_run(&setup, &job);
    ck_assert_msg(!job.error[0], "%s run: %s", tool, job.error);
    int outcome = job.server_outcome;
    rl_findings_take(out, &job.found);
    rl_strv_free(&job.argv);
    rl_strv_free(&job.env);
    free(job.workdir);
    return outcome;
}

static const struct rl_finding *find(const struct rl_findings *l,
                                     const char *id)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].id, id) == 0)
            return &l->v[i];
    return NULL;
}

/* The finding with this id must be there, seen by tool, at file:line for
 * every line given (0-terminated). */
static const struct rl_finding *expect(const struct rl_findings *l,
                                       const char *id, const char *tool,
                                       const char *file, const int *lines)
{
    const struct rl_finding *f = find(l, id);
    ck_assert_msg(f != NULL, "no %s finding", id);
    ck_assert_msg(rl_finding_has_tool(f, tool), "%s not seen by %s", id, tool);
    for (int i = 0; lines[i]; i++)
        ck_assert_msg(rl_finding_has_location(f, file, lines[i]),
                      "%s has no location %s:%d", id, file, lines[i]);
    return f;
}

/* Findings of these checks (connfd_analysis.c): the probe's other
 * checks (descriptors open at exit) and the server rounds have theirs. */
static int is_mine(const struct rl_finding *f)
{
    return strcmp(f->id, "connfd-race") == 0 ||
           (f->detail && strstr(f->detail, "connection threads"));
}

static int count_mine(const struct rl_findings *l, const char *id)
{
    int n = 0;
    for (size_t i = 0; i < l->n; i++)
        n += strcmp(l->v[i].id, id) == 0 &&
             rl_finding_has_tool(&l->v[i], "probe") && is_mine(&l->v[i]);
    return n;
}

/* ---- the starter: &connfd, never detached, never closed ---- */

START_TEST(test_starter_race_held_and_confirmed_by_tsan)
{
    struct server s;
    build_server(&s, STARTER);
    for (int round = 0; round < RUNS; round++) {
        struct rl_findings raw = {0};
        /* The hold makes a client go unanswered every time. */
        ck_assert_int_eq(run_tool(&s, "probe", round, &raw),
                         RL_SERVER_BAD_ECHO);
        run_tool(&s, "tsan", round, &raw);
        rl_connfd_relabel(&raw);
        /* accept in the loop (the write), the read of *vargp, the create */
        const int race_lines[] = {38, 21, 39, 0};
        const struct rl_finding *f =
            expect(&raw, "connfd-race", "probe", STARTER, race_lines);
        ck_assert(rl_finding_has_tool(f, "tsan"));
        ck_assert_str_eq(f->locs[0].function, "main");
        ck_assert_int_eq(f->locs[0].line, 38);
        ck_assert_msg(strstr(f->detail, "a later accept stored fd") &&
                          strstr(f->detail, "never answered"),
                      "%s", f->detail);
        /* tsan's race on connfd is this race, not another finding */
        ck_assert_int_eq(rl_findings_count_id(&raw, "data-race"), 0);
        ck_assert_int_eq(rl_findings_count_id(&raw, "connfd-race"), 1);
        const int create[] = {39, 0}, accept_line[] = {38, 0};
        f = expect(&raw, "thread-leak", "probe", STARTER, create);
        ck_assert_ptr_nonnull(strstr(f->detail, "ended threads not reaped"));
        f = expect(&raw, "fd-leak", "probe", STARTER, accept_line);
        ck_assert_ptr_nonnull(strstr(f->detail, "descriptors left open"));
        rl_findings_free(&raw);
    }
    free_server(&s);
}
END_TEST

/* ---- the solution: malloc'd copy, freed, detached, closed ---- */

START_TEST(test_solution_is_not_held_and_clean)
{
    struct server s;
    build_server(&s, SOLUTION);
    for (int round = 0; round < RUNS; round++) {
        struct rl_findings raw = {0}, verdict = {0};
        ck_assert_int_eq(run_tool(&s, "probe", round, &raw), RL_SERVER_ECHOED);
        ck_assert_int_eq(run_tool(&s, "tsan", round, &raw), RL_SERVER_ECHOED);
        ck_assert_ptr_null(find(&raw, "connfd-race"));
        ck_assert_int_eq(count_mine(&raw, "thread-leak"), 0);
        ck_assert_int_eq(count_mine(&raw, "fd-leak"), 0);
        rl_connfd_relabel(&raw);
        rl_policy_apply(&raw, &verdict);
        ck_assert_msg(verdict.n == 0, "unexpected %s", verdict.v[0].id);
        rl_findings_free(&raw);
        rl_findings_free(&verdict);
    }
    free_server(&s);
}
END_TEST

/* ---- seeded variants, under the probe alone ---- */

/* Runs a variant RUNS times under the probe; the connection-thread IDs
 * it reports must be exactly `ids` (a space-separated list, "" none),
 * and the clients answered when `echoes`. */
static void probe_verdicts(const char *file, const char *ids, int echoes)
{
    static const char *const mine[] = {"connfd-race", "thread-leak", "fd-leak"};
    struct server s;
    build_server(&s, file);
    for (int round = 0; round < RUNS; round++) {
        struct rl_findings raw = {0};
        int outcome = run_tool(&s, "probe", round, &raw);
        if (echoes)
            ck_assert_int_eq(outcome, RL_SERVER_ECHOED);
        for (int i = 0; i < 3; i++) {
            int want = strstr(ids, mine[i]) != NULL;
            ck_assert_msg((count_mine(&raw, mine[i]) > 0) == want,
                          "%s: %s %s (round %d)", file, mine[i],
                          want ? "missing" : "reported", round + 1);
        }
        rl_findings_free(&raw);
    }
    free_server(&s);
}

START_TEST(test_connfd_pointer_is_a_race_only)
{
    /* detached and closing: the race alone (its lost descriptors are
     * the race's doing, not a missing close) */
    probe_verdicts(VARIANT("connfd-pointer"), "connfd-race", 0);
}
END_TEST

START_TEST(test_handshake_is_released_and_clean)
{
    /* &connfd, but main waits on a semaphore until the thread copied
     * it: the hold must let the thread go at once, or nobody answers */
    probe_verdicts(VARIANT("handshake"), "", 1);
}
END_TEST

START_TEST(test_never_detached_is_a_thread_leak)
{
    probe_verdicts(VARIANT("never-detached"), "thread-leak", 1);
}
END_TEST

START_TEST(test_thread_keeps_fd_is_an_fd_leak)
{
    probe_verdicts(VARIANT("thread-keeps-fd"), "fd-leak", 0);
}
END_TEST

START_TEST(test_fd_by_value_is_not_held)
{
    probe_verdicts(VARIANT("fd-by-value"), "", 1);
}
END_TEST

START_TEST(test_global_connfd_is_held_and_a_race)
{
    /* &connfd of a global: in the executable's data, held all the same */
    probe_verdicts(VARIANT("global-connfd"), "connfd-race", 0);
}
END_TEST

START_TEST(test_early_post_is_held_after_its_signal)
{
    /* the handshake posted before the read: held again after sem_post,
     * the thread then serves the later descriptor */
    probe_verdicts(VARIANT("early-post-sem"), "connfd-race", 0);
}
END_TEST

START_TEST(test_handshake_after_read_is_clean)
{
    /* signalled under its lock, after the copy: held after the unlock,
     * serves its own descriptor */
    probe_verdicts(VARIANT("handshake-cond"), "", 1);
}
END_TEST

START_TEST(test_slot_pool_is_clean)
{
    /* slots in the executable's data, each reused only once given back */
    probe_verdicts(VARIANT("slot-pool"), "", 1);
}
END_TEST

/* ---- the command: what a student sees ---- */

/* The sorted, comma-separated IDs of `racelab check --server` on file. */
static void check_ids(const char *file, char *ids, size_t len)
{
    char json[PATH_MAX], cmd[3 * PATH_MAX];
    snprintf(json, sizeof json, "%s/check.json", workdir);
    /* RACELAB_BIN: another build of racelab, to try a change with */
    const char *racelab = getenv("RACELAB_BIN");
    snprintf(cmd, sizeof cmd,
             "%s check --server --json %s %s " CSAPP " >/dev/null 2>&1",
             racelab ? racelab : "bin/racelab", json, file);
    int status = system(cmd);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) <= 1);
    json_error_t e;
    json_t *doc = json_load_file(json, 0, &e), *f;
    ck_assert_msg(doc != NULL, "no JSON report: %s", e.text);
    size_t i, used = 0;
    ids[0] = '\0';
    /* findings come sorted by the failure-mode table, one per bug */
    json_array_foreach (json_object_get(doc, "findings"), i, f) {
        const char *id = json_string_value(json_object_get(f, "id"));
        if (!strstr(ids, id))
            used +=
                snprintf(ids + used, len - used, "%s%s", used ? ", " : "", id);
    }
    json_decref(doc);
    unlink(json);
}

START_TEST(test_command_starter_and_solution)
{
    char ids[256];
    for (int round = 0; round < RUNS; round++) {
        check_ids(STARTER, ids, sizeof ids);
        ck_assert_str_eq(ids, "connfd-race, thread-leak, fd-leak");
        check_ids(SOLUTION, ids, sizeof ids);
        ck_assert_str_eq(ids, "");
    }
}
END_TEST

/* TSan's race on a descriptor joins the connfd-race by its location
 * kind, whatever its detail says and though it shares no line with it. */
START_TEST(test_relabel_fd_race_by_location_kind)
{
    struct rl_findings raw = {0};
    struct rl_finding *c = rl_findings_add(&raw, "connfd-race", "probe");
    rl_finding_add_location(c, "echo.c", 20, "main");
    struct rl_finding *d = rl_findings_add(&raw, "data-race", "tsan");
    rl_finding_add_location(d, "csapp.c", 700, "rio_readlineb");
    rl_finding_set_detail(d, "on a descriptor, in other words");
    d->location_kind = RL_LOCATION_FD;
    d->fd = 4;
    d = rl_findings_add(&raw, "data-race", "tsan"); /* another race */
    rl_finding_add_location(d, "echo.c", 50, "count");
    rl_finding_set_detail(d, "location is file descriptor 4 (words only)");
    rl_connfd_relabel(&raw);
    ck_assert_uint_eq(raw.n, 2);
    ck_assert_str_eq(raw.v[0].id, "connfd-race");
    ck_assert(rl_finding_has_tool(&raw.v[0], "tsan"));
    ck_assert_int_eq(raw.v[0].fd, 4);
    /* a race on a descriptor lies in the I/O helpers: lines not taken */
    ck_assert_uint_eq(raw.v[0].nlocs, 1);
    ck_assert_str_eq(raw.v[1].id, "data-race");
    rl_findings_free(&raw);
}
END_TEST

/* A handoff the probe could not decide becomes the connfd-race when tsan
 * saw a race on its accept line, and goes when it did not. */
START_TEST(test_handoff_confirmed_by_tsan_only)
{
    struct rl_findings raw = {0};
    struct rl_finding *h = rl_findings_add(&raw, RL_CONNFD_HANDOFF, "probe");
    rl_finding_add_location(h, "echo.c", 43, "main");
    rl_finding_add_location(h, "echo.c", 20, "thread");
    struct rl_finding *d = rl_findings_add(&raw, "data-race", "tsan");
    rl_finding_add_location(d, "echo.c", 43, "main");
    rl_finding_add_location(d, "echo.c", 26, "thread");
    d->location_kind = RL_LOCATION_STACK;
    rl_connfd_relabel(&raw);
    ck_assert_uint_eq(raw.n, 1);
    ck_assert_str_eq(raw.v[0].id, "connfd-race");
    ck_assert(rl_finding_has_tool(&raw.v[0], "tsan"));
    ck_assert(rl_finding_has_location(&raw.v[0], "echo.c", 26));
    rl_findings_free(&raw);

    h = rl_findings_add(&raw, RL_CONNFD_HANDOFF, "probe");
    rl_finding_add_location(h, "echo.c", 43, "main");
    d = rl_findings_add(&raw, "data-race", "tsan"); /* elsewhere */
    rl_finding_add_location(d, "echo.c", 60, "count");
    rl_connfd_relabel(&raw);
    ck_assert_uint_eq(raw.n, 1);
    ck_assert_str_eq(raw.v[0].id, "data-race");
    rl_findings_free(&raw);
}
END_TEST

Suite *make_connfd_suite(void)
{
    Suite *s = suite_create("connfd");
    TCase *tc = tcase_create("Race");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, test_starter_race_held_and_confirmed_by_tsan);
    tcase_add_test(tc, test_solution_is_not_held_and_clean);
    suite_add_tcase(s, tc);
    tc = tcase_create("Variants");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, test_connfd_pointer_is_a_race_only);
    tcase_add_test(tc, test_handshake_is_released_and_clean);
    tcase_add_test(tc, test_never_detached_is_a_thread_leak);
    tcase_add_test(tc, test_thread_keeps_fd_is_an_fd_leak);
    tcase_add_test(tc, test_fd_by_value_is_not_held);
    tcase_add_test(tc, test_global_connfd_is_held_and_a_race);
    tcase_add_test(tc, test_early_post_is_held_after_its_signal);
    tcase_add_test(tc, test_handshake_after_read_is_clean);
    tcase_add_test(tc, test_slot_pool_is_clean);
    suite_add_tcase(s, tc);
    tc = tcase_create("Relabel");
    tcase_add_test(tc, test_relabel_fd_race_by_location_kind);
    tcase_add_test(tc, test_handoff_confirmed_by_tsan_only);
    suite_add_tcase(s, tc);
    tc = tcase_create("Command");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_command_starter_and_solution);
    suite_add_tcase(s, tc);
    return s;
}
