/* check_check_formats.c: the real `racelab check --junit --sarif
 * --github` on a correct program, a racy one, one that does not compile
 * and a hostile one (it prints forged results, workflow commands and
 * terminal controls); each file read back as its consumer reads it and
 * matched against the findings of --json. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "format_validate.h"
#include "test_files.h"

enum { CORRECT, BUGGY, NO_COMPILE, HOSTILE, NPROGRAMS };

static const struct program {
    const char *name, *source;
    int status; /* racelab check's exit status for it */
} programs[NPROGRAMS] = {
    [CORRECT] = {"correct", "tests/cases/ok_counter_mutex.c", 0},
    /* The flag and the message: two races, each between two lines. */
    [BUGGY] = {"buggy", "tests/cases/race_flag_handoff.c", 1},
    [NO_COMPILE] = {"no-compile", "tests/fixtures/formats/check/no-compile.c",
                    2},
    [HOSTILE] = {"hostile", "tests/fixtures/formats/check/hostile.c", 1},
};

struct checked {
    int status;
    json_t *json, *sarif;
    char *junit_path, *all;
};

static char scratch[] = "/tmp/racelab-check-formats-XXXXXX";
static struct checked checked[NPROGRAMS];

static char *path_in(const char *name, const char *what)
{
    char *p;
    ck_assert_int_ge(asprintf(&p, "%s/%s.%s", scratch, name, what), 0);
    return p;
}

static void check_all(void)
{
    ck_assert_ptr_nonnull(mkdtemp(scratch));
    for (int i = 0; i < NPROGRAMS; i++) {
        const char *n = programs[i].name;
        char *json = path_in(n, "json"), *sarif = path_in(n, "sarif");
        char *all = path_in(n, "log"), cmd[2048];
        checked[i].junit_path = path_in(n, "xml");
        snprintf(cmd, sizeof cmd,
                 "bin/racelab check --json %s --junit %s --sarif %s --github "
                 "%s >%s 2>&1",
                 json, checked[i].junit_path, sarif, programs[i].source, all);
        int status = system(cmd);
        ck_assert(WIFEXITED(status));
        checked[i].status = WEXITSTATUS(status);
        json_error_t e;
        checked[i].json = json_load_file(json, 0, &e);
        checked[i].sarif = json_load_file(sarif, 0, &e);
        checked[i].all = test_read_all(all);
        free(json);
        free(sarif);
        free(all);
    }
}

static void forget_all(void)
{
    for (int i = 0; i < NPROGRAMS; i++) {
        json_decref(checked[i].json);
        json_decref(checked[i].sarif);
        free(checked[i].junit_path);
        free(checked[i].all);
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", scratch);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", scratch);
}

/* --json's findings; an empty list for the program that did not compile,
 * which gets no --json file (as always). */
static json_t *findings(int i)
{
    static json_t *none;
    if (!none)
        none = json_array();
    if (i == NO_COMPILE) {
        ck_assert_ptr_null(checked[i].json);
        return none;
    }
    ck_assert_msg(checked[i].json != NULL, "%s: no --json\n%s",
                  programs[i].name, checked[i].all);
    return json_object_get(checked[i].json, "findings");
}

static const char *s(json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    ck_assert_msg(v != NULL, "no \"%s\"", key);
    return v;
}

static long n(json_t *o, const char *key)
{
    return (long)json_integer_value(json_object_get(o, key));
}

START_TEST(test_check_exit_statuses_stand)
{
    for (int i = 0; i < NPROGRAMS; i++)
        ck_assert_msg(checked[i].status == programs[i].status,
                      "%s: exit status %d\n%s", programs[i].name,
                      checked[i].status, checked[i].all);
    ck_assert_int_eq(json_array_size(findings(CORRECT)), 0);
    ck_assert_int_ge(json_array_size(findings(BUGGY)), 1);
    ck_assert_int_ge(json_array_size(findings(HOSTILE)), 1);
}
END_TEST

START_TEST(test_check_junit_testcase_per_finding)
{
    int i = _i;
    json_t *fs = findings(i);
    struct junit_doc d;
    junit_read(checked[i].junit_path, &d);
    ck_assert_str_eq(d.suite_name, programs[i].source);
    size_t nf = json_array_size(fs);
    if (nf == 0) {
        /* One testcase all the same: a pass, or the reason it did not run. */
        ck_assert_int_eq(d.ncases, 1);
        if (i == NO_COMPILE) {
            ck_assert_str_eq(d.cases[0].outcome, "error");
            ck_assert_ptr_nonnull(strstr(d.cases[0].body, "did not compile"));
        } else {
            ck_assert_ptr_null(d.cases[0].outcome);
        }
    } else {
        ck_assert_int_eq(d.ncases, nf);
    }
    for (size_t k = 0; k < nf; k++) {
        json_t *f = json_array_get(fs, k);
        json_t *at = json_array_get(json_object_get(f, "locations"), 0);
        struct junit_case *c = &d.cases[k];
        ck_assert_str_eq(c->classname, programs[i].source);
        ck_assert_str_eq(c->outcome, "failure");
        ck_assert_str_eq(c->type, s(f, "id"));
        ck_assert_str_eq(c->message, s(f, "title"));
        ck_assert_str_eq(c->file, s(at, "file"));
        ck_assert_int_eq(c->line, n(at, "line"));
        ck_assert_ptr_nonnull(strstr(c->body, s(f, "title")));
        /* GitLab keeps one testcase per classname and name. */
        for (size_t j = 0; j < k; j++)
            ck_assert_str_ne(d.cases[j].name, c->name);
    }
    junit_free(&d);
}
END_TEST

START_TEST(test_check_sarif_result_per_finding)
{
    int i = _i;
    json_t *fs = findings(i);
    sarif_check(checked[i].sarif);
    json_t *run = sarif_run(checked[i].sarif);
    json_t *rules = json_object_get(
        json_object_get(json_object_get(run, "tool"), "driver"), "rules");
    json_t *results = json_object_get(run, "results");
    ck_assert_int_eq(json_array_size(results), json_array_size(fs));
    /* The rules are exactly the findings' IDs. */
    for (size_t r = 0; r < json_array_size(rules); r++) {
        const char *id = s(json_array_get(rules, r), "id");
        int found = 0;
        for (size_t k = 0; k < json_array_size(fs); k++)
            found |= strcmp(s(json_array_get(fs, k), "id"), id) == 0;
        ck_assert_msg(found, "rule %s is no finding's", id);
    }
    for (size_t k = 0; k < json_array_size(fs); k++) {
        json_t *f = json_array_get(fs, k), *res = json_array_get(results, k);
        ck_assert_str_eq(s(res, "ruleId"), s(f, "id"));
        json_t *want = json_object_get(f, "locations");
        json_t *got = json_object_get(res, "locations");
        ck_assert_int_eq(json_array_size(got), json_array_size(want));
        for (size_t l = 0; l < json_array_size(want); l++) {
            json_t *phys =
                json_object_get(json_array_get(got, l), "physicalLocation");
            ck_assert_str_eq(
                s(json_object_get(phys, "artifactLocation"), "uri"),
                s(json_array_get(want, l), "file"));
            ck_assert_int_eq(n(json_object_get(phys, "region"), "startLine"),
                             n(json_array_get(want, l), "line"));
        }
        /* A data race's two accesses, one threadFlow each, each at the
         * line of its own access. */
        if (strcmp(s(f, "id"), "data-race") == 0) {
            json_t *flow = json_array_get(json_object_get(res, "codeFlows"), 0);
            ck_assert_msg(flow != NULL, "%s: a race without codeFlows",
                          programs[i].name);
            json_t *threads = json_object_get(flow, "threadFlows");
            ck_assert_int_eq(json_array_size(threads), 2);
            for (size_t t = 0; t < 2; t++) {
                json_t *steps =
                    json_object_get(json_array_get(threads, t), "locations");
                json_t *step =
                    json_array_get(steps, json_array_size(steps) - 1);
                long line =
                    n(json_object_get(
                          json_object_get(json_object_get(step, "location"),
                                          "physicalLocation"),
                          "region"),
                      "startLine");
                int listed = 0;
                for (size_t l = 0; l < json_array_size(want); l++)
                    listed |= n(json_array_get(want, l), "line") == line;
                ck_assert_msg(listed, "thread %zu's access at line %ld", t,
                              line);
            }
        }
    }
    json_t *inv = json_array_get(json_object_get(run, "invocations"), 0);
    ck_assert(json_is_true(json_object_get(inv, "executionSuccessful")) ==
              (i != NO_COMPILE));
}
END_TEST

START_TEST(test_check_github_annotation_per_finding)
{
    int i = _i;
    json_t *fs = findings(i);
    struct gh_log g;
    gh_read(checked[i].all, &g);
    if (i == CORRECT) {
        ck_assert_int_eq(g.n, 1);
        ck_assert_str_eq(g.commands[0].kind, "notice");
        ck_assert_ptr_nonnull(strstr(g.commands[0].message, "no concurrency"));
    } else if (i == NO_COMPILE) {
        ck_assert_int_ge(g.n, 1);
        ck_assert_str_eq(g.commands[0].kind, "error");
        ck_assert_ptr_nonnull(strstr(g.commands[0].message, "did not compile"));
    } else {
        ck_assert_int_eq(g.n, json_array_size(fs));
    }
    for (size_t k = 0; k < json_array_size(fs); k++) {
        json_t *f = json_array_get(fs, k);
        json_t *at = json_array_get(json_object_get(f, "locations"), 0);
        struct gh_command *c = &g.commands[k];
        ck_assert_str_eq(c->kind, "error");
        ck_assert_str_eq(c->file, s(at, "file"));
        ck_assert_int_eq(c->line, n(at, "line"));
        ck_assert(strncmp(c->title, s(f, "id"), strlen(s(f, "id"))) == 0);
    }
    for (size_t a = 0; a < g.n; a++) {
        ck_assert_ptr_null(strstr(g.commands[a].title, "pwned"));
        ck_assert_ptr_null(strstr(g.commands[a].file, "pwned"));
    }
    gh_free(&g);
}
END_TEST

Suite *make_check_formats_suite(void)
{
    Suite *s = suite_create("check_formats");
    TCase *t = tcase_create("check_formats");
    tcase_set_timeout(t, 300);
    tcase_add_unchecked_fixture(t, check_all, forget_all);
    tcase_add_test(t, test_check_exit_statuses_stand);
    tcase_add_loop_test(t, test_check_junit_testcase_per_finding, 0, NPROGRAMS);
    tcase_add_loop_test(t, test_check_sarif_result_per_finding, 0, NPROGRAMS);
    tcase_add_loop_test(t, test_check_github_annotation_per_finding, 0,
                        NPROGRAMS);
    suite_add_tcase(s, t);
    return s;
}
