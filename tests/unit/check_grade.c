/* check_grade.c: `racelab grade`: rubrics, Check's XML log, and whole
 * gradings of a fixture lab with the real tools. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "grade/check_xml.h"
#include "grade/rubric.h"
#include "grade/student_calls.h"

#define GRADE "tests/fixtures/grade/"

static void rubric_error(const char *name, const char *want)
{
    char path[256], err[512];
    struct rl_rubric r;
    snprintf(path, sizeof path, GRADE "rubrics/%s.json", name);
    ck_assert_int_eq(rl_rubric_load(path, &r, err, sizeof err), -1);
    ck_assert_msg(strstr(err, want) != NULL, "%s: got '%s', want '%s'", name,
                  err, want);
    ck_assert_msg(strstr(err, path) != NULL, "%s: no file name in '%s'", name,
                  err);
}

START_TEST(test_rubric_errors_say_what_and_where)
{
    rubric_error("not-json", "not-json.json:2:");
    rubric_error("unknown-key", "checks[0] ('c'): unknown key 'pionts'");
    rubric_error("unknown-id", "unknown failure-mode ID 'data-races'");
    rubric_error("unknown-run", "no run named 'tests'");
    rubric_error("echo-not-server", "\"echo\" needs a server run");
    rubric_error("both-expect-forbid", "exactly one of 'expect' and 'forbid'");
    rubric_error("negative-points", "'points' must be a whole number");
    rubric_error("duplicate-name", "two checks have this name");
    rubric_error("unknown-tool", "unknown tool 'gdb'");
    rubric_error("absolute-source", "must be relative");
    rubric_error("report-only-points", "report_only check has 0 points");
    rubric_error("duplicate-key", "duplicate");
    rubric_error("no-such-file", "no-such-file.json");
}
END_TEST

START_TEST(test_rubric_good_is_read_whole)
{
    char err[512] = "";
    struct rl_rubric r;
    ck_assert_msg(
        rl_rubric_load(GRADE "rubrics/good.json", &r, err, sizeof err) == 0,
        "%s", err);
    ck_assert_str_eq(r.lab, "x");
    ck_assert_str_eq(r.title, "X");
    ck_assert_int_eq(r.nruns, 2);
    ck_assert_int_eq(r.nchecks, 4);
    ck_assert_int_eq(rl_rubric_max_score(&r), 6);
    ck_assert(rl_rubric_is_student_file(&r, "a.c"));
    ck_assert(!rl_rubric_is_student_file(&r, "tests/t.c"));
    const struct rl_rubric_run *t = &r.runs[r.checks[0].run];
    ck_assert_str_eq(t->name, "t");
    ck_assert(t->check_tests && !t->server);
    ck_assert_str_eq(t->env[0], "CK_RUN_CASE=core");
    ck_assert(t->timeout == 5.0);
    ck_assert_ptr_null(t->tools);
    const struct rl_rubric_run *s = &r.runs[r.checks[1].run];
    ck_assert(s->server);
    ck_assert_str_eq(s->args[0], "x");
    ck_assert_str_eq(s->tools[0], "probe");
    ck_assert_ptr_null(s->tools[1]);
    ck_assert(s->timeout == 20.0);
    ck_assert_int_eq(r.checks[1].expect, RL_EXPECT_ECHO);
    ck_assert_int_eq(r.checks[2].expect, RL_EXPECT_TESTS_PASS);
    ck_assert_str_eq(r.checks[2].tests[0], "one");
    ck_assert_int_eq(r.checks[3].expect, RL_EXPECT_FORBID);
    ck_assert_str_eq(r.checks[3].ids[0], "iterative-blocking");
    ck_assert(r.checks[3].report_only);
    rl_rubric_free(&r);
}
END_TEST

START_TEST(test_every_lab_rubric_loads)
{
    /* The rubrics shipped with the labs are read by the same code. */
    FILE *p = popen("ls labs/*/rubric.json 2>/dev/null", "r");
    char path[256];
    int n = 0;
    while (p && fgets(path, sizeof path, p)) {
        path[strcspn(path, "\n")] = 0;
        char err[512] = "";
        struct rl_rubric r;
        ck_assert_msg(rl_rubric_load(path, &r, err, sizeof err) == 0, "%s",
                      err);
        ck_assert_msg(strstr(path, r.lab) != NULL, "%s: lab '%s'", path, r.lab);
        rl_rubric_free(&r);
        n++;
    }
    if (p)
        pclose(p);
    ck_assert_int_ge(n, 1);
}
END_TEST

START_TEST(test_check_xml_complete_log)
{
    struct rl_ck_results r;
    char err[256];
    ck_assert_int_eq(
        rl_ck_results_read(GRADE "check-xml/complete.xml", &r, err, sizeof err),
        0);
    ck_assert(r.complete);
    ck_assert_int_eq(r.n, 2);
    const struct rl_ck_test *one = rl_ck_results_find(&r, "one_thread");
    const struct rl_ck_test *two = rl_ck_results_find(&r, "two_threads");
    ck_assert_str_eq(one->result, "success");
    ck_assert_str_eq(one->suite, "counter");
    ck_assert_str_eq(one->tcase, "totals");
    ck_assert_str_eq(two->result, "failure");
    ck_assert_ptr_nonnull(strstr(two->message, "1999"));
    ck_assert_ptr_nonnull(strstr(two->fn, "check_counter.c:"));
    ck_assert_ptr_null(rl_ck_results_find(&r, "three"));
    rl_ck_results_free(&r);
}
END_TEST

START_TEST(test_check_xml_cut_short_keeps_finished_tests)
{
    struct rl_ck_results r;
    char err[256];
    ck_assert_int_eq(rl_ck_results_read(GRADE "check-xml/cut-short.xml", &r,
                                        err, sizeof err),
                     0);
    ck_assert(!r.complete);
    ck_assert_int_eq(r.n, 1);
    ck_assert_str_eq(r.v[0].name, "one_thread");
    ck_assert_str_eq(r.v[0].result, "success");
    rl_ck_results_free(&r);
}
END_TEST

START_TEST(test_check_xml_not_a_log)
{
    struct rl_ck_results r;
    char err[256];
    ck_assert_int_eq(
        rl_ck_results_read(GRADE "rubrics/good.json", &r, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "not a Check XML log"));
    ck_assert_int_eq(rl_ck_results_read(GRADE "none.xml", &r, err, sizeof err),
                     -1);
    ck_assert_ptr_nonnull(strstr(err, "cannot open"));
}
END_TEST

/* Grades a submission of a lab in the folder labs (the fixture labs, or
 * the real ones); returns racelab's exit status and the JSON grade (NULL
 * when none was written); *out gets what it printed. */
static int grade_in(const char *labs, const char *lab, const char *dir,
                    json_t **doc, char **out)
{
    char json[] = "/tmp/racelab-grade-XXXXXX";
    int fd = mkstemp(json);
    ck_assert_int_ge(fd, 0);
    close(fd);
    unlink(json);
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "RACELAB_LABS=%s bin/racelab grade %s %s --json %s "
             ">%s.out 2>&1",
             labs, lab, dir, json, json);
    int status = system(cmd);
    ck_assert(WIFEXITED(status));
    json_error_t e;
    *doc = json_load_file(json, 0, &e);
    char path[64];
    snprintf(path, sizeof path, "%s.out", json);
    FILE *f = fopen(path, "r");
    *out = calloc(1, 65536);
    if (f) {
        size_t got = fread(*out, 1, 65535, f);
        (void)got;
        fclose(f);
    }
    unlink(path);
    unlink(json);
    return WEXITSTATUS(status);
}

static int grade(const char *lab, const char *dir, json_t **doc, char **out)
{
    return grade_in(GRADE "labs", lab, dir, doc, out);
}

static json_t *check_named(json_t *doc, const char *name)
{
    size_t i;
    json_t *c;
    json_array_foreach (json_object_get(doc, "checks"), i, c) {
        if (strcmp(json_string_value(json_object_get(c, "name")), name) == 0)
            return c;
    }
    ck_abort_msg("no check '%s'", name);
    return NULL;
}

static int passed(json_t *doc, const char *name)
{
    return json_is_true(json_object_get(check_named(doc, name), "passed"));
}

static const char *first_finding_id(json_t *doc, const char *name)
{
    json_t *fs = json_object_get(check_named(doc, name), "findings");
    json_t *f = json_array_get(fs, 0);
    return f ? json_string_value(json_object_get(f, "id")) : "";
}

static long score(json_t *doc)
{
    return json_integer_value(json_object_get(doc, "score"));
}

START_TEST(test_grade_starter_loses_the_race_points)
{
    json_t *doc;
    char *out;
    /* No DIR: the lab's own folder, i.e. the starter. */
    ck_assert_int_eq(grade("counter-lab", "", &doc, &out), 0);
    ck_assert_ptr_nonnull(doc);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "lab")),
                     "counter-lab");
    ck_assert_int_eq(json_integer_value(json_object_get(doc, "max_score")), 12);
    /* The scheduler makes the lost update happen, and names its seed. */
    ck_assert(!passed(doc, "exact on every schedule"));
    ck_assert_str_eq(first_finding_id(doc, "exact on every schedule"),
                     "data-race");
    ck_assert_ptr_nonnull(strstr(out, "seen by: sched"));
    /* racelab by its own path: runnable from any folder, as printed. */
    const char *replay = strstr(out, "replay: /");
    ck_assert_msg(replay != NULL, "%s", out);
    ck_assert_ptr_nonnull(strstr(replay, "/racelab check "));
    ck_assert_ptr_nonnull(strstr(replay, " --seed "));
    ck_assert(passed(doc, "compiles"));
    ck_assert(!passed(doc, "no data race"));
    ck_assert_str_eq(first_finding_id(doc, "no data race"), "data-race");
    json_t *c = check_named(doc, "no data race");
    ck_assert_int_eq(json_integer_value(json_object_get(c, "points")), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(c, "max_points")), 3);
    ck_assert(passed(doc, "no deadlock"));
    ck_assert_ptr_nonnull(strstr(out, "FAIL   0/3   no data race"));
    ck_assert_ptr_nonnull(strstr(out, "counter.c:11"));
    json_decref(doc);
    free(out);
}
END_TEST

START_TEST(test_grade_correct_gets_full_marks)
{
    json_t *doc;
    char *out;
    ck_assert_int_eq(
        grade("counter-lab", GRADE "submissions/correct", &doc, &out), 0);
    ck_assert_ptr_nonnull(doc);
    ck_assert_msg(score(doc) == 12, "%s", out);
    ck_assert_ptr_nonnull(strstr(out, "score: 12/12"));
    json_decref(doc);
    free(out);
}
END_TEST

START_TEST(test_grade_hang_is_a_deadlock_not_a_timeout)
{
    json_t *doc;
    char *out;
    ck_assert_int_eq(
        grade("counter-lab", GRADE "submissions/deadlocks", &doc, &out), 0);
    ck_assert_ptr_nonnull(doc);
    /* The test that finished before the hang still counts. */
    ck_assert(passed(doc, "one thread"));
    ck_assert(!passed(doc, "all totals"));
    ck_assert_str_eq(first_finding_id(doc, "all totals"), "deadlock");
    ck_assert(!passed(doc, "no deadlock"));
    ck_assert(passed(doc, "no data race"));
    ck_assert_int_eq(score(doc), 7);
    ck_assert_ptr_nonnull(strstr(out, "counter.c:22"));
    json_decref(doc);
    free(out);
}
END_TEST

START_TEST(test_grade_wrong_result_shows_the_assertion)
{
    json_t *doc;
    char *out;
    ck_assert_int_eq(
        grade("counter-lab", GRADE "submissions/wrong-total", &doc, &out), 0);
    ck_assert_ptr_nonnull(doc);
    ck_assert(!passed(doc, "all totals"));
    ck_assert(passed(doc, "one thread"));
    const char *msg = json_string_value(
        json_object_get(check_named(doc, "all totals"), "message"));
    ck_assert_ptr_nonnull(strstr(msg, "two_threads"));
    ck_assert_ptr_nonnull(strstr(msg, "1999"));
    /* A wrong total with no unsynchronized access is no data race. */
    ck_assert(passed(doc, "exact on every schedule"));
    ck_assert_int_eq(score(doc), 10);
    json_decref(doc);
    free(out);
}
END_TEST

START_TEST(test_grade_no_compile_scores_zero_with_compiler_messages)
{
    json_t *doc;
    char *out;
    ck_assert_int_eq(
        grade("counter-lab", GRADE "submissions/no-compile", &doc, &out), 0);
    ck_assert_ptr_nonnull(doc);
    ck_assert_int_eq(score(doc), 0);
    ck_assert(!passed(doc, "compiles"));
    const char *msg = json_string_value(
        json_object_get(check_named(doc, "compiles"), "message"));
    ck_assert_ptr_nonnull(strstr(msg, "expected"));
    ck_assert_ptr_nonnull(strstr(out, "counter.c:6"));
    json_decref(doc);
    free(out);
}
END_TEST

START_TEST(test_grade_missing_file_is_named)
{
    json_t *doc;
    char *out;
    ck_assert_int_eq(
        grade("counter-lab", GRADE "submissions/missing", &doc, &out), 0);
    ck_assert_ptr_nonnull(doc);
    ck_assert_int_eq(score(doc), 0);
    ck_assert_ptr_nonnull(strstr(out, "the submission has no"));
    ck_assert_ptr_nonnull(strstr(out, "missing/counter.c"));
    json_decref(doc);
    free(out);
}
END_TEST

START_TEST(test_grade_usage_errors)
{
    json_t *doc;
    char *out;
    ck_assert_int_eq(grade("no-such-lab", "", &doc, &out), 2);
    ck_assert_ptr_null(doc);
    ck_assert_ptr_nonnull(strstr(out, "unknown lab 'no-such-lab'"));
    ck_assert_ptr_nonnull(strstr(out, "counter-lab"));
    free(out);
    ck_assert_int_eq(grade("counter-lab", GRADE "no-such-dir", &doc, &out), 2);
    ck_assert_ptr_nonnull(strstr(out, "no folder"));
    free(out);
    ck_assert_int_eq(grade("../grade", "", &doc, &out), 2);
    free(out);
    ck_assert_int_eq(system("bin/racelab grade >/dev/null 2>&1") >> 8, 2);
    ck_assert_int_eq(system("bin/racelab grade --help >/dev/null 2>&1") >> 8,
                     0);
}
END_TEST

START_TEST(test_grade_verdicts_repeat)
{
    /* The deadlock and the race, three times each: same score every time. */
    for (int i = 0; i < 3; i++) {
        json_t *doc;
        char *out;
        grade("counter-lab", GRADE "submissions/deadlocks", &doc, &out);
        ck_assert_msg(doc && score(doc) == 7, "run %d: %s", i, out);
        json_decref(doc);
        free(out);
        grade("counter-lab", "", &doc, &out);
        ck_assert_msg(doc && !passed(doc, "no data race") &&
                          !passed(doc, "exact on every schedule"),
                      "run %d: %s", i, out);
        json_decref(doc);
        free(out);
    }
}
END_TEST

/* The line where file defines function (a line starting "void NAME("). */
static int definition_line(const char *file, const char *function)
{
    char want[128], buf[512];
    snprintf(want, sizeof want, "void %s(", function);
    FILE *f = fopen(file, "r");
    ck_assert_ptr_nonnull(f);
    int line = 0;
    for (int n = 1; !line && fgets(buf, sizeof buf, f); n++)
        if (strncmp(buf, want, strlen(want)) == 0)
            line = n;
    fclose(f);
    ck_assert_int_gt(line, 0);
    return line;
}

/* The finding under check `name` whose racing lines are in the lab's
 * tests (a location in file tests_file), or NULL. */
static json_t *finding_in_tests(json_t *doc, const char *name,
                                const char *tests_file)
{
    size_t i, j;
    json_t *f, *loc;
    json_array_foreach (json_object_get(check_named(doc, name), "findings"), i,
                        f) {
        json_array_foreach (json_object_get(f, "locations"), j, loc) {
            const char *file = json_string_value(json_object_get(loc, "file"));
            if (file && strcmp(file, tests_file) == 0)
                return f;
        }
    }
    return NULL;
}

/*
 * Lab 09, variant relaxed_spinlock: the student's spin lock keeps the
 * threads apart but, with relaxed atomics, orders nothing, so TSan finds
 * the race on the tests' own table (check_readers_writers.c) on every
 * run.  The grade must name the student's function the racing test
 * called, rw_write_lock, at its line in rwlock.c, in the text report and
 * as a location in the JSON.  Its twin with acquire and release atomics,
 * ok_own_spinlock, gets full marks.
 */
START_TEST(test_grade_race_in_lab_tests_names_student_lock)
{
    const char *variant = "tests/labs/09-readers-writers/relaxed_spinlock";
    char rwlock_c[256], named[128];
    snprintf(rwlock_c, sizeof rwlock_c, "%s/rwlock.c", variant);
    int line = definition_line(rwlock_c, "rw_write_lock");
    snprintf(named, sizeof named, "rw_write_lock (rwlock.c:%d)", line);
    json_t *doc;
    char *out;
    ck_assert_int_eq(
        grade_in("labs", "09-readers-writers", variant, &doc, &out), 0);
    ck_assert_msg(doc != NULL, "%s", out);
    ck_assert_msg(!passed(doc, "no data race"), "%s", out);
    json_t *f = finding_in_tests(
        doc, "no data race",
        "labs/09-readers-writers/tests/check_readers_writers.c");
    ck_assert_msg(f != NULL, "no race in the lab's tests: %s", out);
    ck_assert_str_eq(json_string_value(json_object_get(f, "id")), "data-race");
    const char *detail = json_string_value(json_object_get(f, "detail"));
    ck_assert_msg(detail &&
                      strstr(detail, "the racing lines are in the lab's "
                                     "tests") &&
                      strstr(detail, named),
                  "want '%s' in: %s", named, detail ? detail : "(none)");
    size_t j;
    json_t *loc;
    int located = 0;
    json_array_foreach (json_object_get(f, "locations"), j, loc) {
        const char *fn = json_string_value(json_object_get(loc, "function"));
        const char *file = json_string_value(json_object_get(loc, "file"));
        located |= fn && strcmp(fn, "rw_write_lock") == 0 && file &&
                   strcmp(file, rwlock_c) == 0 &&
                   json_integer_value(json_object_get(loc, "line")) == line;
    }
    ck_assert_msg(located, "no location rw_write_lock at %s:%d", rwlock_c,
                  line);
    ck_assert_msg(strstr(out, named), "want '%s' in the text report: %s", named,
                  out);
    ck_assert_ptr_nonnull(strstr(out, "FAIL   0/3   no data race"));
    json_decref(doc);
    free(out);

    ck_assert_int_eq(grade_in("labs", "09-readers-writers",
                              "tests/labs/09-readers-writers/ok_own_spinlock",
                              &doc, &out),
                     0);
    ck_assert_msg(doc && score(doc) == json_integer_value(
                                           json_object_get(doc, "max_score")),
                  "the correct twin lost points: %s", out);
    json_decref(doc);
    free(out);
}
END_TEST

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

/* A race in the lab's test code names the student's lock functions the
 * racing test function called before its line; a race in the student's
 * own code is left as it is. */
START_TEST(test_race_in_tests_names_student_calls)
{
    char dir[] = "/tmp/racelab-calls-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char student[64], lab[64];
    snprintf(student, sizeof student, "%s/rw.c", dir);
    snprintf(lab, sizeof lab, "%s/check_rw.c", dir);
    write_text(student, "#include \"rw.h\"\n"
                        "static int helper(int x);\n"
                        "void rw_lock(struct rw *rw)\n"
                        "{\n"
                        "    helper(1);\n"
                        "}\n"
                        "void rw_unlock(struct rw *rw)\n"
                        "{\n"
                        "}\n");
    write_text(lab, "static int table;\n"
                    "static void *other(void *arg)\n"
                    "{\n"
                    "    rw_unlock(&rw);\n"
                    "}\n"
                    "static void *writer(void *arg)\n"
                    "{\n"
                    "    rw_lock(&rw);\n"
                    "    table++;\n"
                    "    rw_unlock(&rw);\n"
                    "}\n");
    struct rl_findings found = {0};
    struct rl_finding *f = rl_findings_add(&found, "data-race", "tsan");
    rl_finding_add_location(f, lab, 9, "writer");
    struct rl_finding *g = rl_findings_add(&found, "data-race", "tsan");
    rl_finding_add_location(g, student, 5, "rw_lock");
    char *sv[] = {student}, *lv[] = {lab};
    rl_name_student_calls(&found, sv, 1, lv, 1);
    f = &found.v[0];
    ck_assert_uint_eq(f->nlocs, 2);
    ck_assert_str_eq(f->locs[1].function, "rw_lock");
    ck_assert_int_eq(f->locs[1].line, 3);
    ck_assert_msg(f->detail && strstr(f->detail, "they call rw_lock (rw.c:3)"),
                  "%s", f->detail ? f->detail : "(none)");
    /* Only calls of the racing function before its line: not rw_unlock
     * (after it, or in another function). */
    ck_assert_ptr_null(strstr(f->detail, "rw_unlock"));
    ck_assert_uint_eq(found.v[1].nlocs, 1);
    ck_assert_ptr_null(found.v[1].detail);
    rl_findings_free(&found);
    unlink(student);
    unlink(lab);
    rmdir(dir);
}
END_TEST

Suite *make_grade_suite(void)
{
    Suite *s = suite_create("grade");
    TCase *files = tcase_create("files");
    tcase_set_tags(files, "fast"); /* no tool runs: make test-fast */
    tcase_add_test(files, test_rubric_errors_say_what_and_where);
    tcase_add_test(files, test_rubric_good_is_read_whole);
    tcase_add_test(files, test_every_lab_rubric_loads);
    tcase_add_test(files, test_check_xml_complete_log);
    tcase_add_test(files, test_check_xml_cut_short_keeps_finished_tests);
    tcase_add_test(files, test_check_xml_not_a_log);
    tcase_add_test(files, test_race_in_tests_names_student_calls);
    suite_add_tcase(s, files);
    TCase *grading = tcase_create("grading");
    tcase_set_timeout(grading, 240);
    tcase_add_test(grading, test_grade_starter_loses_the_race_points);
    tcase_add_test(grading, test_grade_correct_gets_full_marks);
    tcase_add_test(grading, test_grade_hang_is_a_deadlock_not_a_timeout);
    tcase_add_test(grading, test_grade_wrong_result_shows_the_assertion);
    tcase_add_test(grading,
                   test_grade_no_compile_scores_zero_with_compiler_messages);
    tcase_add_test(grading, test_grade_missing_file_is_named);
    tcase_add_test(grading, test_grade_usage_errors);
    tcase_add_test(grading, test_grade_verdicts_repeat);
    suite_add_tcase(s, grading);
    TCase *lab_calls = tcase_create("lab_calls"); /* a real lab, two grades */
    tcase_set_timeout(lab_calls, 240);
    tcase_add_test(lab_calls, test_grade_race_in_lab_tests_names_student_lock);
    suite_add_tcase(s, lab_calls);
    return s;
}
