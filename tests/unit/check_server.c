/* check_server.c: `racelab check --server` starts, drives and stops servers. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "server/server_evidence.h"

#define FIXTURES "tests/fixtures/server/"

/* Runs bin/racelab check --server on a fixture; returns its exit status
 * and loads the JSON report into *doc (NULL when none was written). */
static int check_server(const char *fixture, json_t **doc, char **err_text)
{
    char json[] = "/tmp/racelab-server-XXXXXX";
    int fd = mkstemp(json);
    ck_assert_int_ge(fd, 0);
    close(fd);
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "bin/racelab check --server --json %s " FIXTURES "%s "
             ">/dev/null 2>%s.err",
             json, fixture, json);
    int status = system(cmd);
    ck_assert(WIFEXITED(status));
    json_error_t e;
    *doc = json_load_file(json, 0, &e);
    char errpath[64];
    snprintf(errpath, sizeof errpath, "%s.err", json);
    FILE *f = fopen(errpath, "r");
    *err_text = calloc(1, 4096);
    if (f) {
        fread(*err_text, 1, 4095, f);
        fclose(f);
    }
    unlink(errpath);
    unlink(json);
    return WEXITSTATUS(status);
}

static size_t count_id(json_t *doc, const char *id)
{
    size_t n = 0, i;
    json_t *f;
    json_array_foreach (json_object_get(doc, "findings"), i, f) {
        n += strcmp(json_string_value(json_object_get(f, "id")), id) == 0;
    }
    return n;
}

START_TEST(test_correct_server_is_clean_and_stopped)
{
    json_t *doc;
    char *err;
    ck_assert_int_eq(check_server("echo_threads_ok.c", &doc, &err), 0);
    ck_assert_ptr_nonnull(doc);
    ck_assert_int_eq(json_array_size(json_object_get(doc, "findings")), 0);
    /* every tool ran the server, which answered (no note) and was stopped
     * by the harness (not a timeout) */
    json_t *runs = json_object_get(doc, "runs"), *run;
    size_t i;
    ck_assert_int_eq(json_array_size(runs), 6);
    json_array_foreach (runs, i, run) {
        ck_assert(json_is_false(json_object_get(run, "timed_out")));
        ck_assert(json_is_null(json_object_get(run, "note")));
    }
    ck_assert_msg(strlen(err) == 0, "unexpected messages: %s", err);
    json_decref(doc);
    free(err);
}
END_TEST

START_TEST(test_racy_server_report_is_collected)
{
    json_t *doc;
    char *err;
    ck_assert_int_eq(check_server("echo_count_race.c", &doc, &err), 1);
    ck_assert_ptr_nonnull(doc);
    ck_assert_int_eq(json_array_size(json_object_get(doc, "findings")), 1);
    ck_assert_int_eq(count_id(doc, "data-race"), 1);
    json_decref(doc);
    free(err);
}
END_TEST

START_TEST(test_server_that_never_listens_is_explained)
{
    json_t *doc;
    char *err;
    ck_assert_int_eq(check_server("never_listens.c", &doc, &err), 2);
    ck_assert_msg(strstr(err, "never accepted a connection"), "%s", err);
    /* the other tools were not made to wait for it too */
    ck_assert_int_eq(json_array_size(json_object_get(doc, "runs")), 1);
    json_decref(doc);
    free(err);
}
END_TEST

/* ---- iterative-blocking: the scenarios and their kernel evidence ---- */

/* Runs `bin/racelab check --server ARGS` (ARGS: options and files) and
 * loads its JSON report; returns the exit status. */
static int run_check(const char *args, json_t **doc)
{
    char json[] = "/tmp/racelab-server-XXXXXX";
    int fd = mkstemp(json);
    ck_assert_int_ge(fd, 0);
    close(fd);
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "bin/racelab check --server --json %s %s >/dev/null 2>&1", json,
             args);
    int status = system(cmd);
    ck_assert(WIFEXITED(status));
    json_error_t e;
    *doc = json_load_file(json, 0, &e);
    unlink(json);
    ck_assert_msg(*doc != NULL, "no report from: %s", cmd);
    return WEXITSTATUS(status);
}

/* The finding with this id (the program may have others). */
static json_t *finding(json_t *doc, const char *id)
{
    size_t i;
    json_t *f;
    json_array_foreach (json_object_get(doc, "findings"), i, f) {
        if (strcmp(json_string_value(json_object_get(f, "id")), id) == 0)
            return f;
    }
    ck_abort_msg("no %s finding", id);
    return NULL;
}

static json_t *only_finding(json_t *doc, const char *id)
{
    json_t *findings = json_object_get(doc, "findings");
    ck_assert_msg(json_array_size(findings) == 1,
                  "expected one finding, got %zu", json_array_size(findings));
    json_t *f = json_array_get(findings, 0);
    ck_assert_str_eq(json_string_value(json_object_get(f, "id")), id);
    return f;
}

/* The detail line starting with `prefix`, and its position; fails the
 * test when there is none. */
static const char *detail_line(const char *detail, const char *prefix,
                               int *index)
{
    const char *p = detail;
    for (int i = 0; p && *p; i++) {
        if (strncmp(p, prefix, strlen(prefix)) == 0) {
            *index = i;
            return p;
        }
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    ck_abort_msg("no detail line '%s' in:\n%s", prefix, detail);
    return NULL;
}

static int has_location(json_t *f, const char *file, const char *function)
{
    size_t i;
    json_t *l;
    json_array_foreach (json_object_get(f, "locations"), i, l) {
        const char *fn = json_string_value(json_object_get(l, "function"));
        if (strcmp(json_string_value(json_object_get(l, "file")), file) == 0 &&
            fn && strcmp(fn, function) == 0)
            return 1;
    }
    return 0;
}

/*
 * Checks the evidence, in order: client 1 and what it did; client 2's
 * connect (queued: accept queue length 1), write (its 32 bytes buffered
 * unread), read (waited, at most ~1 s); the server in `call` on client
 * 1's connection, named by client 1's port.
 */
static void check_evidence(json_t *f, const char *did, const char *call,
                           int queued)
{
    const char *detail = json_string_value(json_object_get(f, "detail"));
    ck_assert_ptr_nonnull(detail);
    int c1, conn, wr, rd, where;
    unsigned port = 0;
    const char *l = detail_line(detail, "client 1 (127.0.0.1:", &c1);
    ck_assert_int_eq(sscanf(l, "client 1 (127.0.0.1:%u)", &port), 1);
    ck_assert_msg(strstr(l, did) && strstr(l, did) < strchr(l, '\n'),
                  "client 1 should have '%s': %s", did, detail);
    l = detail_line(detail, "client 2's connect returned", &conn);
    if (queued)
        ck_assert_msg(strstr(l, "accept queue (accept queue length 1)"), "%s",
                      detail);
    l = detail_line(detail, "client 2's write returned", &wr);
    ck_assert_msg(strstr(l, "buffered its 32 bytes (32 bytes wait unread"),
                  "%s", detail);
    double waited = 0;
    l = detail_line(detail, "client 2's read waited", &rd);
    ck_assert_int_eq(sscanf(l, "client 2's read waited %lf s", &waited), 1);
    ck_assert_msg(waited > 0.1 && waited < 1.0, "verdict after %.2f s", waited);
    char expect[160];
    snprintf(expect, sizeof expect,
             "waits in %s() on descriptor %%d: client 1's connection "
             "(127.0.0.1:%u)",
             call, port);
    int fd = -1;
    where = -1;
    l = detail;
    for (int i = 0; l && *l && where < 0; i++) {
        const char *w = strstr(l, "waits in ");
        const char *end = strchr(l, '\n');
        if (w && (!end || w < end) && sscanf(w, expect, &fd) == 1)
            where = i;
        l = end ? end + 1 : NULL;
    }
    ck_assert_msg(where >= 0, "want '%s' in:\n%s", expect, detail);
    ck_assert_msg(c1 < conn && conn < wr && wr < rd && rd < where,
                  "lines out of order:\n%s", detail);
    ck_assert_int_ge(fd, 3);
}

static void check_iterative(const char *args, const char *file,
                            const char *function, const char *did,
                            const char *call, int queued)
{
    json_t *doc;
    ck_assert_int_eq(run_check(args, &doc), 1);
    json_t *f = finding(doc, "iterative-blocking");
    json_t *tools = json_object_get(f, "tools");
    ck_assert_int_eq(json_array_size(tools), 1);
    ck_assert_str_eq(json_string_value(json_array_get(tools, 0)), "server");
    ck_assert_msg(has_location(f, file, function), "no %s in %s", function,
                  file);
    check_evidence(f, did, call, queued);
    json_decref(doc);
}

/* The lab 01 solution: an iterative server, blocked in read() on client
 * 1 (csapp's readline, called from the student's echo). */
START_TEST(test_iterative_solution_blocks)
{
    for (int run = 0; run < 3; run++)
        check_iterative("--tools probe solutions/01-iterative/echoserver.c "
                        "labs/common/csapp.c",
                        "solutions/01-iterative/echoserver.c", "echo",
                        "stays idle", "read", 1);
}
END_TEST

/* The exact lines of a fixture: the blocking read and main's call. */
START_TEST(test_iterative_fixture_lines)
{
    json_t *doc;
    ck_assert_int_eq(
        run_check("--tools probe " FIXTURES "echo_iterative.c", &doc), 1);
    json_t *f = only_finding(doc, "iterative-blocking");
    json_t *locs = json_object_get(f, "locations");
    ck_assert_int_eq(json_array_size(locs), 2);
    ck_assert_int_eq(
        json_integer_value(json_object_get(json_array_get(locs, 0), "line")),
        13);
    ck_assert_int_eq(
        json_integer_value(json_object_get(json_array_get(locs, 1), "line")),
        35);
    json_decref(doc);
}
END_TEST

/* A process per connection, but the parent waits for each child: the
 * child holds client 1, the parent sits in wait4(). */
START_TEST(test_fork_and_wait_blocks)
{
    for (int run = 0; run < 3; run++)
        check_iterative("--tools probe " FIXTURES "echo_fork_waits.c",
                        FIXTURES "echo_fork_waits.c", "echo", "stays idle",
                        "read", 1);
}
END_TEST

/* The lab 03 starter: its select loop calls a readline that waits for
 * the newline of client 1's half line. */
START_TEST(test_half_line_blocks_select_starter)
{
    for (int run = 0; run < 3; run++)
        check_iterative("--tools probe labs/03-events/echoserver.c "
                        "labs/common/csapp.c",
                        "labs/03-events/echoserver.c", "serve_line",
                        "sent half a line", "read", 1);
}
END_TEST

/* A select loop that writes echoes with a blocking send: stuck on the
 * client that never reads. */
START_TEST(test_never_reading_client_blocks_select_server)
{
    for (int run = 0; run < 3; run++)
        check_iterative("--tools probe " FIXTURES
                        "echo_select_blocking_write.c",
                        FIXTURES "echo_select_blocking_write.c", "serve",
                        "never read the echoes", "sendto", 1);
}
END_TEST

/* Correct concurrent servers: no finding and no note, three runs each. */
static void check_concurrent(const char *args)
{
    json_t *doc;
    char all[512];
    snprintf(all, sizeof all, "--tools probe --runs 3 %s", args);
    ck_assert_int_eq(run_check(all, &doc), 0);
    ck_assert_int_eq(json_array_size(json_object_get(doc, "findings")), 0);
    json_t *runs = json_object_get(doc, "runs"), *run;
    size_t i;
    ck_assert_int_eq(json_array_size(runs), 3);
    json_array_foreach (runs, i, run) {
        json_t *note = json_object_get(run, "note");
        ck_assert_msg(json_is_null(note), "%s: %s", args,
                      json_string_value(note));
    }
    json_decref(doc);
}

START_TEST(test_concurrent_solutions_do_not_block)
{
    static const char *const servers[] = {
        "solutions/02-process/echoserver.c labs/common/csapp.c",
        "solutions/03-events/echoserver.c labs/common/csapp.c",
        "solutions/04-threads/echoserver.c labs/common/csapp.c",
        FIXTURES "echo_threads_ok.c",
    };
    check_concurrent(servers[_i]);
}
END_TEST

/* Two checks of the same program at once: each run has its own network
 * namespace, so the same port never collides, and the verdicts agree. */
START_TEST(test_two_checks_at_once_agree)
{
    const char *args[2] = {"--tools probe " FIXTURES "echo_iterative.c",
                           "--tools probe solutions/03-events/echoserver.c "
                           "labs/common/csapp.c"};
    int expect[2] = {1, 0};
    for (int k = 0; k < 2; k++) {
        pid_t pids[2];
        for (int i = 0; i < 2; i++) {
            char cmd[512];
            snprintf(cmd, sizeof cmd,
                     "bin/racelab check --server %s >/dev/null 2>&1", args[k]);
            pids[i] = fork();
            ck_assert_int_ge(pids[i], 0);
            if (pids[i] == 0) {
                int st = system(cmd);
                _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 99);
            }
        }
        for (int i = 0; i < 2; i++) {
            int st;
            ck_assert_int_eq(waitpid(pids[i], &st, 0), pids[i]);
            ck_assert(WIFEXITED(st));
            ck_assert_msg(WEXITSTATUS(st) == expect[k], "%s: status %d",
                          args[k], WEXITSTATUS(st));
        }
    }
}
END_TEST

/* The valgrind and sanitizer runs do not play the scenarios (too slow to
 * judge timing): the finding comes from the probe's run alone, and the
 * memcheck run ends without a note. */
START_TEST(test_only_probe_run_decides)
{
    json_t *doc;
    ck_assert_int_eq(
        run_check("--tools probe,memcheck " FIXTURES "echo_iterative.c", &doc),
        1);
    only_finding(doc, "iterative-blocking");
    json_t *runs = json_object_get(doc, "runs"), *run;
    size_t i;
    ck_assert_int_eq(json_array_size(runs), 2);
    json_array_foreach (runs, i, run)
        ck_assert(json_is_false(json_object_get(run, "timed_out")));
    json_decref(doc);
}
END_TEST

/* ---- the /proc parsers, on files captured from a real kernel ---------- */

/* An iterative server on port 5000 blocked on client 1 (port 38182)
 * while client 2 (port 38194) waits with 32 bytes sent. */
START_TEST(test_tcp_table_iterative_capture)
{
    struct rl_tcp_table t = {0};
    ck_assert_int_eq(
        rl_tcp_table_add_file(FIXTURES "proc_net_tcp_iterative.txt", &t), 0);
    ck_assert_int_eq(t.n, 5);
    const struct rl_tcp_sock *l = rl_tcp_find(&t, 5000, 0);
    ck_assert_ptr_nonnull(l);
    ck_assert_int_eq(l->state, 0x0A);
    ck_assert_int_eq(l->rx_queue, 1); /* the accept queue */
    const struct rl_tcp_sock *c1 = rl_tcp_find(&t, 5000, 38182);
    ck_assert_ptr_nonnull(c1);
    ck_assert_int_eq(c1->inode, 3011649);
    ck_assert_str_eq(c1->remote, "127.0.0.1");
    const struct rl_tcp_sock *c2 = rl_tcp_find(&t, 5000, 38194);
    ck_assert_ptr_nonnull(c2);
    ck_assert_int_eq(c2->inode, 0); /* not accepted */
    ck_assert_int_eq(c2->rx_queue, 32);
    ck_assert_ptr_nonnull(rl_tcp_find(&t, 38194, 5000)); /* client's end */
    ck_assert_ptr_null(rl_tcp_find(&t, 5000, 1234));
    rl_tcp_table_free(&t);
}
END_TEST

/* A dual-stack listener on [::]:5001: a v4 client seen as mapped, a v6
 * client with 6 bytes unread. */
START_TEST(test_tcp_table_ipv6_capture)
{
    struct rl_tcp_table t = {0};
    ck_assert_int_eq(
        rl_tcp_table_add_file(FIXTURES "proc_net_tcp6_dualstack.txt", &t), 0);
    ck_assert_int_eq(t.n, 4);
    ck_assert_int_eq(rl_tcp_find(&t, 5001, 0)->rx_queue, 2);
    const struct rl_tcp_sock *v4 = rl_tcp_find(&t, 5001, 49784);
    ck_assert_ptr_nonnull(v4);
    ck_assert_str_eq(v4->remote, "127.0.0.1");
    const struct rl_tcp_sock *v6 = rl_tcp_find(&t, 5001, 40620);
    ck_assert_ptr_nonnull(v6);
    ck_assert_str_eq(v6->remote, "::1");
    ck_assert_int_eq(v6->rx_queue, 6);
    rl_tcp_table_free(&t);
    ck_assert_int_eq(rl_tcp_table_add_file(FIXTURES "missing.txt", &t), -1);
}
END_TEST

/* That server's thread, captured in read(4, buf, 256). */
START_TEST(test_syscall_capture)
{
    char text[256] = "";
    FILE *f = fopen(FIXTURES "proc_syscall_read.txt", "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(fgets(text, sizeof text, f));
    fclose(f);
    struct rl_task_state t;
    memset(&t, 0, sizeof t);
    rl_task_parse_syscall(text, &t);
    ck_assert_str_eq(rl_syscall_name(t.nr), "read");
    ck_assert(rl_syscall_takes_fd(t.nr));
    ck_assert_int_eq(t.args[0], 4);
    ck_assert_int_eq(t.args[2], 256);
    ck_assert_uint_eq(t.sp, 0x7ffc5a17f5b8ul);
    rl_task_parse_syscall("running\n", &t);
    ck_assert_int_eq(t.nr, -1);
    rl_task_parse_syscall("-1 0x7ffc5a17f5b8 0x7f7f284612ad\n", &t);
    ck_assert_int_eq(t.nr, -1);
}
END_TEST

Suite *make_server_suite(void)
{
    Suite *s = suite_create("server");
    TCase *core = tcase_create("Core");
    tcase_set_timeout(core, 120);
    tcase_add_test(core, test_correct_server_is_clean_and_stopped);
    tcase_add_test(core, test_racy_server_report_is_collected);
    suite_add_tcase(s, core);
    TCase *errors = tcase_create("Errors");
    tcase_set_timeout(errors, 120);
    tcase_add_test(errors, test_server_that_never_listens_is_explained);
    suite_add_tcase(s, errors);
    TCase *blocking = tcase_create("Blocking");
    tcase_set_timeout(blocking, 240);
    tcase_add_test(blocking, test_iterative_solution_blocks);
    tcase_add_test(blocking, test_iterative_fixture_lines);
    tcase_add_test(blocking, test_fork_and_wait_blocks);
    tcase_add_test(blocking, test_half_line_blocks_select_starter);
    tcase_add_test(blocking, test_never_reading_client_blocks_select_server);
    tcase_add_loop_test(blocking, test_concurrent_solutions_do_not_block, 0, 4);
    tcase_add_test(blocking, test_two_checks_at_once_agree);
    tcase_add_test(blocking, test_only_probe_run_decides);
    suite_add_tcase(s, blocking);
    TCase *parsers = tcase_create("Parsers");
    tcase_set_tags(parsers, "fast"); /* no tool runs: make test-fast */
    tcase_add_test(parsers, test_tcp_table_iterative_capture);
    tcase_add_test(parsers, test_tcp_table_ipv6_capture);
    tcase_add_test(parsers, test_syscall_capture);
    suite_add_tcase(s, parsers);
    return s;
}
