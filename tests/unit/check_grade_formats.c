/* check_grade_formats.c: `racelab grade`'s output formats from a result
 * built by hand, without running anything. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/grade_formats.h"
#include "test_files.h"

/* Two checks of one run that did not compile: the second refers back. */
static void compile_error_result(struct rl_grade_result *r,
                                 struct rl_grade_check_result checks[2],
                                 struct rl_grade_run_result *run, char *message)
{
    memset(r, 0, sizeof *r);
    memset(run, 0, sizeof *run);
    run->name = "tests";
    run->sched_note = "";
    for (int i = 0; i < 2; i++)
        checks[i] = (struct rl_grade_check_result){
            .name = i ? "no data race" : "compiles",
            .status = RL_GRADE_FAIL,
            .max_points = i ? 4 : 1,
            .problem = RL_GRADE_PROBLEM_COMPILE_ERROR,
            .message = message,
        };
    r->lab = "06-counter";
    r->max_score = 5;
    r->checks = checks;
    r->nchecks = 2;
    r->runs = run;
    r->nruns = 1;
}

/* Runs an emitter into a temporary file and returns what it wrote. */
static char *emit_to_string(const char *format, const struct rl_grade_result *r)
{
    char path[] = "/tmp/racelab-grade-format-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    char err[256] = "";
    const struct rl_grade_format *f = rl_grade_format_find(format);
    ck_assert_ptr_nonnull(f);
    ck_assert_msg(f->emit(r, path, err, sizeof err) == 0, "%s", err);
    FILE *in = fopen(path, "r");
    char *text = calloc(1, 65536);
    size_t got = fread(text, 1, 65535, in);
    (void)got;
    fclose(in);
    unlink(path);
    return text;
}

START_TEST(test_json_keeps_a_latin1_message_as_a_string)
{
    struct rl_grade_result r;
    struct rl_grade_check_result checks[2];
    struct rl_grade_run_result run;
    char message[] = "the program does not compile:\n"
                     "counter.c:3:8: error: stray '\\351' in program\n"
                     "    3 | int caf\xe9 = 1;\n";
    compile_error_result(&r, checks, &run, message);
    char *text = emit_to_string("json", &r);
    json_error_t e;
    json_t *doc = json_loads(text, 0, &e);
    ck_assert_msg(doc != NULL, "not JSON: %s", e.text);
    json_t *c = json_array_get(json_object_get(doc, "checks"), 0);
    json_t *m = json_object_get(c, "message");
    ck_assert_msg(json_is_string(m), "message is not a string: %s", text);
    ck_assert_ptr_nonnull(strstr(json_string_value(m), "int caf? = 1;"));
    ck_assert_str_eq(json_string_value(json_object_get(doc, "lab")),
                     "06-counter");
    ck_assert_int_eq(json_integer_value(json_object_get(doc, "max_score")), 5);
    ck_assert(json_is_false(json_object_get(c, "passed")));
    json_decref(doc);
    free(text);
}
END_TEST

START_TEST(test_text_shows_the_compiler_once_per_run)
{
    struct rl_grade_result r;
    struct rl_grade_check_result checks[2];
    struct rl_grade_run_result run;
    char message[] = "the program does not compile:\ncounter.c:3: error";
    compile_error_result(&r, checks, &run, message);
    char *text = emit_to_string("text", &r);
    ck_assert_str_eq(text, "FAIL   0/1   compiles\n"
                           "        the program does not compile:\n"
                           "        counter.c:3: error\n"
                           "FAIL   0/4   no data race\n"
                           "        the program does not compile (the "
                           "compiler's messages are above)\n"
                           "\nruns:\n"
                           "  tests: did not run\n"
                           "\nscore: 0/5\n");
    free(text);
}
END_TEST

static size_t count(const char *text, const char *what)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, what)); p += strlen(what))
        n++;
    return n;
}

/* One deadlock failing three checks: one block, then references to it. */
START_TEST(test_text_shows_each_finding_once)
{
    struct rl_check check;
    memset(&check, 0, sizeof check);
    rl_findings_add(&check.verdict, "deadlock", "probe");
    const struct rl_finding *f = &check.verdict.v[0];
    struct rl_grade_run_result run = {
        .name = "tests", .check = &check, .sched_note = ""};
    struct rl_grade_check_result checks[3];
    static const char *const names[] = {"opposite", "self", "no deadlock"};
    for (int i = 0; i < 3; i++)
        checks[i] = (struct rl_grade_check_result){.name = names[i],
                                                   .status = RL_GRADE_FAIL,
                                                   .max_points = 1,
                                                   .findings = &f,
                                                   .nfindings = 1};
    struct rl_grade_result r = {.lab = "08-deadlock",
                                .max_score = 3,
                                .checks = checks,
                                .nchecks = 3,
                                .runs = &run,
                                .nruns = 1};
    char *text = emit_to_string("text", &r);
    ck_assert_int_eq(count(text, "What it means:"), 1);
    ck_assert_int_eq(count(text, "deadlock: see the finding under "
                                 "'opposite' above"),
                     2);
    free(text);
    rl_findings_free(&check.verdict);
}
END_TEST

/* PrairieLearn refuses results over 1 MB: 1000 checks, each failing with
 * 100 KB of compiler output, still fit, every test still listed. */
START_TEST(test_prairielearn_stays_under_its_limit)
{
    enum { NCHECKS = 1000, MESSAGE = 100 * 1000 };
    struct rl_grade_result r;
    struct rl_grade_check_result two[2];
    struct rl_grade_run_result run;
    char *message = malloc(MESSAGE + 1);
    for (size_t i = 0; i < MESSAGE; i++)
        message[i] = i % 80 == 79 ? '\n' : 'x';
    message[MESSAGE] = '\0';
    compile_error_result(&r, two, &run, message);
    struct rl_grade_check_result *checks = calloc(NCHECKS, sizeof *checks);
    for (size_t i = 0; i < NCHECKS; i++)
        checks[i] = two[i % 2];
    r.checks = checks;
    r.nchecks = NCHECKS;
    char path[] = "/tmp/racelab-pl-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    char err[256] = "";
    ck_assert(
        rl_grade_format_find("prairielearn")->emit(&r, path, err, sizeof err) ==
        0);
    char *text = test_read_all(path);
    unlink(path);
    ck_assert_msg(strlen(text) < 1000 * 1000, "%zu bytes", strlen(text));
    json_error_t e;
    json_t *doc = json_loads(text, 0, &e);
    ck_assert_msg(doc != NULL, "not JSON: %s", e.text);
    ck_assert_int_eq(json_array_size(json_object_get(doc, "tests")), NCHECKS);
    ck_assert(json_real_value(json_object_get(doc, "score")) == 0.0);
    json_decref(doc);
    free(text);
    free(checks);
    free(message);
}
END_TEST

START_TEST(test_every_format_is_in_the_table)
{
    ck_assert_ptr_nonnull(rl_grade_format_find("text"));
    ck_assert_ptr_nonnull(rl_grade_format_find("json"));
    /* The CI formats are racelab check's too; the platforms' are not. */
    static const char *const both[] = {"junit", "sarif", "github"};
    for (size_t i = 0; i < 3; i++)
        ck_assert_ptr_nonnull(rl_grade_format_find(both[i])->check_emit);
    ck_assert_ptr_null(rl_grade_format_find("gradescope")->check_emit);
    ck_assert_ptr_null(rl_grade_format_find("nonesuch"));
}
END_TEST

Suite *make_grade_formats_suite(void)
{
    Suite *s = suite_create("grade_formats");
    TCase *t = tcase_create("emitters");
    tcase_set_tags(t, "fast"); /* no tool runs: make test-fast */
    tcase_add_test(t, test_json_keeps_a_latin1_message_as_a_string);
    tcase_add_test(t, test_text_shows_the_compiler_once_per_run);
    tcase_add_test(t, test_every_format_is_in_the_table);
    tcase_add_test(t, test_prairielearn_stays_under_its_limit);
    tcase_add_test(t, test_text_shows_each_finding_once);
    suite_add_tcase(s, t);
    return s;
}
