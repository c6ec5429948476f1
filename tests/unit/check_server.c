/* check_server.c: `racelab check --server` starts, drives and stops servers. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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
    return s;
}
