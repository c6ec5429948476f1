/* check_grade_platforms.c: the real `racelab grade` on lab 06 with every
 * output format at once, on a correct, a buggy, a non-compiling and a
 * hostile submission; each file validated field by field against what
 * its consumer documents (docs/platforms.md, "Output formats"). */
#include <check.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "format_validate.h"
#include "test_files.h"

#define LAB "06-counter"

/* The submissions; each graded once, by the fixture.  LESSON is lab 01's
 * solution, whose rubric has a report_only check that shows a finding
 * (the lesson) and scores nothing. */
enum {
    CORRECT,
    BUGGY,
    NO_COMPILE,
    HOSTILE,
    LESSON,
    CRASH,
    HANG, /* a test that never ends: a deadlock, found while it hangs */
    /* lab 01: a server whose last words on stderr, which the report
     * quotes, are forged commands and results */
    HOSTILE_SERVER,
    NSUBMISSIONS
};

static const struct submission {
    const char *name, *lab;
    const char *source, *file; /* the file handed in, and its name */
} submissions[NSUBMISSIONS] = {
    [CORRECT] = {"correct", LAB, "solutions/" LAB "/counter.c", "counter.c"},
    /* the starter */
    [BUGGY] = {"buggy", LAB, "labs/" LAB "/counter.c", "counter.c"},
    [NO_COMPILE] = {"no-compile", LAB,
                    "tests/fixtures/formats/no-compile/counter.c", "counter.c"},
    [HOSTILE] = {"hostile", LAB, "tests/fixtures/formats/hostile/counter.c",
                 "counter.c"},
    [CRASH] = {"crash", LAB, "tests/fixtures/formats/crash/counter.c",
               "counter.c"},
    [HANG] = {"hang", LAB, "tests/fixtures/formats/hang/counter.c",
              "counter.c"},
    [HOSTILE_SERVER] = {"hostile-server", "01-iterative",
                        "tests/fixtures/formats/server-hostile/echoserver.c",
                        "echoserver.c"},
    [LESSON] = {"lesson", "01-iterative", "solutions/01-iterative/echoserver.c",
                "echoserver.c"},
};

/* What one grading left: every format's file, and everything racelab
 * printed on stdout and stderr together, in order (as Autolab and GitHub
 * Actions read a job's output). */
struct graded {
    int status;
    json_t *json, *gradescope, *prairielearn, *sarif;
    char *pl_path, *junit_path;
    char *all; /* stdout and stderr, as the job's log has them */
};

static char scratch[] = "/tmp/racelab-platforms-XXXXXX";
static struct graded graded[NSUBMISSIONS];

static char *path_in(const char *name, const char *file)
{
    char *p;
    ck_assert_int_ge(asprintf(&p, "%s/%s/%s", scratch, name, file), 0);
    return p;
}

static json_t *load(const char *name, const char *file)
{
    char *p = path_in(name, file);
    json_error_t e;
    json_t *doc = json_load_file(p, 0, &e);
    free(p);
    return doc;
}

static void grade_one(int i)
{
    const struct submission *s = &submissions[i];
    struct graded *g = &graded[i];
    char *dir = path_in(s->name, "");
    ck_assert_int_eq(mkdir(dir, 0755), 0);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cp %s %s/%s", s->source, dir, s->file);
    ck_assert_int_eq(system(cmd), 0);
    /* stdout and stderr in one file, as Autolab (make's output) and
     * GitHub Actions (a step's log) read them: the scores line last in
     * both is last on stdout too. */
    snprintf(cmd, sizeof cmd,
             "bin/racelab grade %s %s --json %s/grade.json "
             "--gradescope %s/gradescope.json "
             "--prairielearn %s/prairielearn.json --junit %s/junit.xml "
             "--sarif %s/sarif.json --github --autolab - >%s/all.txt 2>&1",
             s->lab, dir, dir, dir, dir, dir, dir, dir);
    int status = system(cmd);
    ck_assert(WIFEXITED(status));
    g->status = WEXITSTATUS(status);
    g->json = load(s->name, "grade.json");
    g->gradescope = load(s->name, "gradescope.json");
    g->prairielearn = load(s->name, "prairielearn.json");
    g->sarif = load(s->name, "sarif.json");
    g->pl_path = path_in(s->name, "prairielearn.json");
    g->junit_path = path_in(s->name, "junit.xml");
    char *all = path_in(s->name, "all.txt");
    g->all = test_read_all(all);
    free(all);
    free(dir);
}

static void grade_all(void)
{
    ck_assert_ptr_nonnull(mkdtemp(scratch));
    for (int i = 0; i < NSUBMISSIONS; i++)
        grade_one(i);
}

static void forget_all(void)
{
    for (int i = 0; i < NSUBMISSIONS; i++) {
        json_decref(graded[i].json);
        json_decref(graded[i].gradescope);
        json_decref(graded[i].prairielearn);
        json_decref(graded[i].sarif);
        free(graded[i].pl_path);
        free(graded[i].junit_path);
        free(graded[i].all);
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", scratch);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", scratch);
}

/* --- shared checks ---------------------------------------------------- */

static json_t *field(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    ck_assert_msg(v != NULL, "no \"%s\"", key);
    return v;
}

/* Every key of o is one its consumer documents. */
static void only_keys(json_t *o, const char *const *allowed, const char *what)
{
    const char *key;
    json_t *v;
    json_object_foreach (o, key, v) {
        int known = 0;
        for (size_t i = 0; allowed[i]; i++)
            known |= strcmp(key, allowed[i]) == 0;
        ck_assert_msg(known, "%s: undocumented field \"%s\"", what, key);
    }
}

static int one_of(const char *s, const char *const *values)
{
    for (size_t i = 0; values[i]; i++)
        if (strcmp(s, values[i]) == 0)
            return 1;
    return 0;
}

/* Text a student reads: no byte that moves a terminal's cursor or
 * changes its colours (newlines and tabs are text). */
static void printable(const char *s, const char *what)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        ck_assert_msg(*p >= 0x20 || *p == '\n' || *p == '\t',
                      "%s: raw control byte 0x%02x", what, *p);
    ck_assert_msg(strchr(s, 0x7f) == NULL, "%s: raw DEL", what);
}

static const char *str(json_t *o, const char *key)
{
    json_t *v = field(o, key);
    ck_assert_msg(json_is_string(v), "\"%s\" is not a string", key);
    return json_string_value(v);
}

static long integer(json_t *o, const char *key)
{
    json_t *v = field(o, key);
    ck_assert_msg(json_is_integer(v), "\"%s\" is not an integer", key);
    return (long)json_integer_value(v);
}

static long json_score(int i)
{
    ck_assert_msg(graded[i].json != NULL, "%s: no --json file",
                  submissions[i].name);
    return integer(graded[i].json, "score");
}

static json_t *json_check(int i, size_t k)
{
    json_t *c = json_array_get(field(graded[i].json, "checks"), k);
    ck_assert_ptr_nonnull(c);
    return c;
}

static size_t json_nchecks(int i)
{
    return json_array_size(field(graded[i].json, "checks"));
}

/* --- the grade itself ------------------------------------------------- */

START_TEST(test_grades_are_what_the_submissions_deserve)
{
    for (int i = 0; i < NSUBMISSIONS; i++)
        ck_assert_msg(graded[i].status == 0, "%s: exit status %d\n%s",
                      submissions[i].name, graded[i].status, graded[i].all);
    ck_assert_int_eq(json_score(CORRECT),
                     integer(graded[CORRECT].json, "max_score"));
    ck_assert_int_lt(json_score(BUGGY), json_score(CORRECT));
    ck_assert_int_eq(json_score(NO_COMPILE), 0);
    /* Printing forged results gains nothing over the starter. */
    ck_assert_int_le(json_score(HOSTILE), json_score(BUGGY));
    ck_assert_int_lt(json_score(CRASH), json_score(CORRECT));
    ck_assert_int_lt(json_score(HOSTILE_SERVER), json_score(LESSON));
    /* Its forged lines reach the log, quoted (so the fence matters). */
    ck_assert_ptr_nonnull(strstr(graded[HOSTILE_SERVER].all, "pwned"));
    /* The lesson: full marks, and a report_only check with its finding. */
    ck_assert_int_eq(json_score(LESSON),
                     integer(graded[LESSON].json, "max_score"));
    json_t *last = json_check(LESSON, json_nchecks(LESSON) - 1);
    ck_assert(json_is_true(field(last, "report_only")));
    ck_assert_int_ge(json_array_size(field(last, "findings")), 1);
}
END_TEST

/* --- Gradescope -------------------------------------------------------- */

static const char *const gs_top[] = {
    "score",         "execution_time",     "output",
    "output_format", "test_output_format", "test_name_format",
    "visibility",    "stdout_visibility",  "extra_data",
    "tests",         "leaderboard",        NULL};
static const char *const gs_test[] = {
    "score",  "max_score",     "status", "name",       "name_format", "number",
    "output", "output_format", "tags",   "visibility", "extra_data",  NULL};
static const char *const gs_formats[] = {"text", "html", "simple_format",
                                         "md",   "ansi", NULL};
static const char *const gs_visibility[] = {"hidden", "after_due_date",
                                            "after_published", "visible", NULL};

START_TEST(test_gradescope_results_json)
{
    int i = _i;
    const char *name = submissions[i].name;
    json_t *doc = graded[i].gradescope;
    ck_assert_msg(doc != NULL, "%s: no valid results.json\n%s", name,
                  graded[i].all);
    only_keys(doc, gs_top, "results.json");
    json_t *score = field(doc, "score");
    ck_assert(json_is_number(score));
    ck_assert_msg(json_number_value(score) == json_score(i),
                  "%s: Gradescope %g, --json %ld", name,
                  json_number_value(score), json_score(i));
    ck_assert(json_is_number(field(doc, "execution_time")));
    ck_assert(json_number_value(field(doc, "execution_time")) >= 0);
    printable(str(doc, "output"), "output");
    ck_assert(one_of(str(doc, "output_format"), gs_formats));
    ck_assert(one_of(str(doc, "visibility"), gs_visibility));
    json_t *tests = field(doc, "tests");
    ck_assert(json_is_array(tests));
    ck_assert_int_eq(json_array_size(tests), json_nchecks(i));
    double sum = 0;
    for (size_t k = 0; k < json_array_size(tests); k++) {
        json_t *t = json_array_get(tests, k), *c = json_check(i, k);
        only_keys(t, gs_test, "tests[]");
        ck_assert_str_eq(str(t, "name"), str(c, "name"));
        char number[32];
        snprintf(number, sizeof number, "%zu", k + 1);
        ck_assert_str_eq(str(t, "number"), number);
        int report_only = json_is_true(json_object_get(c, "report_only"));
        if (report_only) {
            ck_assert_ptr_null(json_object_get(t, "score"));
        } else {
            ck_assert(json_number_value(field(t, "score")) ==
                      integer(c, "points"));
            ck_assert(json_number_value(field(t, "max_score")) ==
                      integer(c, "max_points"));
            sum += json_number_value(field(t, "score"));
        }
        int passed = json_is_true(field(c, "passed"));
        ck_assert_str_eq(str(t, "status"), passed ? "passed" : "failed");
        const char *out = str(t, "output");
        printable(out, "tests[].output");
        ck_assert_msg(strstr(out, str(c, "name")) != NULL,
                      "%s: test %zu's output lacks its check's block", name, k);
        ck_assert(one_of(str(t, "output_format"), gs_formats));
        ck_assert(one_of(str(t, "visibility"), gs_visibility));
    }
    ck_assert(sum == json_score(i));
    if (i == NO_COMPILE)
        ck_assert_ptr_nonnull(strstr(str(json_array_get(tests, 0), "output"),
                                     "does not compile"));
    /* The reason a check could not be measured reaches the student. */
    if (i == CRASH)
        ck_assert_ptr_nonnull(
            strstr(str(doc, "output"), "crashed with SIGSEGV"));
}
END_TEST

/* --- PrairieLearn ------------------------------------------------------ */

static const char *const pl_top[] = {"gradable",      "score", "message",
                                     "output",        "tests", "images",
                                     "format_errors", NULL};
static const char *const pl_test[] = {"name",       "description", "points",
                                      "max_points", "message",     "output",
                                      "images",     NULL};

START_TEST(test_prairielearn_results_json)
{
    int i = _i;
    const char *name = submissions[i].name;
    json_t *doc = graded[i].prairielearn;
    ck_assert_msg(doc != NULL, "%s: no valid results.json\n%s", name,
                  graded[i].all);
    struct stat st;
    ck_assert_int_eq(stat(graded[i].pl_path, &st), 0);
    ck_assert_msg(st.st_size < 1000 * 1000, "%s: %lld bytes", name,
                  (long long)st.st_size);
    only_keys(doc, pl_top, "results.json");
    ck_assert(json_is_true(field(doc, "gradable")));
    json_t *score = field(doc, "score");
    ck_assert(json_is_number(score));
    double s = json_number_value(score);
    ck_assert(s >= 0.0 && s <= 1.0);
    long max = integer(graded[i].json, "max_score");
    ck_assert_msg(fabs(s - (double)json_score(i) / max) < 1e-9,
                  "%s: PrairieLearn %g, --json %ld/%ld", name, s, json_score(i),
                  max);
    printable(str(doc, "message"), "message");
    printable(str(doc, "output"), "output");
    json_t *tests = field(doc, "tests");
    ck_assert_int_eq(json_array_size(tests), json_nchecks(i));
    long sum = 0;
    for (size_t k = 0; k < json_array_size(tests); k++) {
        json_t *t = json_array_get(tests, k), *c = json_check(i, k);
        only_keys(t, pl_test, "tests[]");
        ck_assert_str_eq(str(t, "name"), str(c, "name"));
        str(t, "description");
        /* Every test has both or PrairieLearn shows no test's points. */
        long points = integer(t, "points"), maxp = integer(t, "max_points");
        ck_assert(points >= 0 && points <= maxp);
        ck_assert_int_eq(points, integer(c, "points"));
        if (json_is_true(json_object_get(c, "report_only")))
            ck_assert_int_eq(maxp, 0); /* shown grey, scored nothing */
        else
            ck_assert_int_eq(maxp, integer(c, "max_points"));
        sum += points;
        printable(str(t, "message"), "tests[].message");
        printable(str(t, "output"), "tests[].output");
    }
    ck_assert_int_eq(sum, json_score(i));
}
END_TEST

/* --- Autolab ----------------------------------------------------------- */

/* The last line of the job's output, and whether any other line looks
 * like an autoresult (a JSON object with "scores"). */
START_TEST(test_autolab_scores_line_is_last_and_alone)
{
    int i = _i;
    const char *name = submissions[i].name;
    char *all = graded[i].all;
    ck_assert_ptr_nonnull(all);
    size_t n = strlen(all);
    ck_assert_msg(n > 0 && all[n - 1] == '\n', "%s: output not ended", name);
    all[n - 1] = '\0';
    char *last = strrchr(all, '\n');
    last = last ? last + 1 : all;
    json_error_t e;
    json_t *line = json_loads(last, 0, &e);
    all[n - 1] = '\n';
    ck_assert_msg(line != NULL, "%s: last line is not JSON: %s", name, e.text);
    json_t *scores = field(line, "scores");
    ck_assert(json_is_object(scores));
    json_t *board = field(line, "scoreboard");
    ck_assert(json_is_array(board));
    ck_assert_int_eq(json_integer_value(json_array_get(board, 0)),
                     json_score(i));
    /* Each scored check by its name, with the points --json gave it. */
    long sum = 0;
    for (size_t k = 0; k < json_nchecks(i); k++) {
        json_t *c = json_check(i, k);
        if (json_is_true(json_object_get(c, "report_only")))
            continue;
        json_t *v = field(scores, str(c, "name"));
        ck_assert_int_eq(json_integer_value(v), integer(c, "points"));
        sum += json_integer_value(v);
    }
    ck_assert_int_eq(sum, json_score(i));
    size_t scored = 0;
    for (size_t k = 0; k < json_nchecks(i); k++)
        scored +=
            !json_is_true(json_object_get(json_check(i, k), "report_only"));
    ck_assert_int_eq(json_object_size(scores), scored);
    json_decref(line);
    /* Nothing before it starts like a JSON object or names "scores". */
    for (char *p = all; p < last;) {
        char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *q = p;
        while (q < p + len && (*q == ' ' || *q == '\t'))
            q++;
        ck_assert_msg(q == p + len || *q != '{',
                      "%s: a line imitates the scores line: %.*s", name,
                      (int)len, p);
        p += len + 1;
    }
    /* The hostile program's own output never reaches the job's log. */
    if (i == HOSTILE)
        ck_assert_ptr_null(strstr(all, "pwned"));
    printable(all, "job output");
}
END_TEST

/* --- JUnit ------------------------------------------------------------ */

/* A check's first finding's first location, or NULL. */
static json_t *first_location(json_t *check)
{
    size_t i;
    json_t *f;
    json_array_foreach (json_object_get(check, "findings"), i, f) {
        json_t *loc = json_array_get(json_object_get(f, "locations"), 0);
        if (loc)
            return loc;
    }
    return NULL;
}

START_TEST(test_junit_testcase_per_check)
{
    int i = _i;
    const char *name = submissions[i].name;
    struct junit_doc d;
    junit_read(graded[i].junit_path, &d);
    ck_assert_str_eq(d.suite_name, submissions[i].lab);
    ck_assert_ptr_nonnull(d.score);
    ck_assert_int_eq(atol(d.score), json_score(i));
    ck_assert_int_eq(atol(d.max_score), integer(graded[i].json, "max_score"));
    ck_assert_int_eq(d.ncases, json_nchecks(i));
    for (size_t k = 0; k < d.ncases; k++) {
        struct junit_case *c = &d.cases[k];
        json_t *jc = json_check(i, k);
        ck_assert_str_eq(c->classname, submissions[i].lab);
        ck_assert_str_eq(c->name, str(jc, "name"));
        int passed = json_is_true(field(jc, "passed"));
        ck_assert_msg(passed == (c->outcome == NULL), "%s: %s: %s", name,
                      c->name, c->outcome ? c->outcome : "passed");
        json_t *at = first_location(jc);
        if (at) {
            ck_assert_str_eq(c->file, str(at, "file"));
            ck_assert_int_eq(c->line, integer(at, "line"));
        }
        if (passed)
            continue;
        /* The message names why, the body is the check's whole block. */
        ck_assert(strlen(c->message) > 0 && !strchr(c->message, '\n'));
        ck_assert_msg(strstr(c->body, c->name) != NULL, "%s: %s", name,
                      c->body);
        printable(c->body, "failure body");
        json_t *first = json_array_get(field(jc, "findings"), 0);
        if (first) {
            ck_assert_str_eq(c->outcome, "failure");
            ck_assert_str_eq(c->type, str(first, "id"));
            ck_assert_ptr_nonnull(strstr(c->body, str(first, "id")));
        }
        if (i == NO_COMPILE) {
            ck_assert_str_eq(c->outcome, "error");
            ck_assert_ptr_nonnull(strstr(c->message, "does not compile"));
        }
    }
    junit_free(&d);
}
END_TEST

/* --- SARIF ------------------------------------------------------------ */

/* The URI a SARIF location gives a file racelab named (absolute ones as
 * file://; the scratch folder's names need no %-escapes). */
static void expected_uri(char *buf, size_t len, const char *file)
{
    snprintf(buf, len, "%s%s", file[0] == '/' ? "file://" : "", file);
}

/* Does the result have exactly the JSON finding's locations? */
static int same_locations(json_t *result, json_t *finding)
{
    json_t *locs = json_object_get(result, "locations");
    json_t *want = json_object_get(finding, "locations");
    if (json_array_size(locs) != json_array_size(want))
        return 0;
    for (size_t k = 0; k < json_array_size(want); k++) {
        json_t *w = json_array_get(want, k);
        json_t *phys =
            json_object_get(json_array_get(locs, k), "physicalLocation");
        char uri[1024];
        expected_uri(uri, sizeof uri, str(w, "file"));
        const char *got = json_string_value(
            json_object_get(json_object_get(phys, "artifactLocation"), "uri"));
        json_t *line =
            json_object_get(json_object_get(phys, "region"), "startLine");
        if (!got || strcmp(got, uri) != 0 ||
            json_integer_value(line) != integer(w, "line"))
            return 0;
    }
    return 1;
}

START_TEST(test_sarif_rule_per_id_result_per_finding)
{
    int i = _i;
    const char *name = submissions[i].name;
    json_t *doc = graded[i].sarif;
    sarif_check(doc);
    json_t *run = sarif_run(doc);
    json_t *rules = json_object_get(
        json_object_get(json_object_get(run, "tool"), "driver"), "rules");
    json_t *results = json_object_get(run, "results");
    ck_assert_int_eq(json_integer_value(json_object_get(
                         json_object_get(run, "properties"), "score")),
                     json_score(i));
    /* Every finding of --json is a result with its ID and locations, and
     * its ID a rule; every rule is the ID of a finding. */
    size_t nfindings = 0;
    for (size_t k = 0; k < json_nchecks(i); k++) {
        size_t j;
        json_t *f;
        json_array_foreach (field(json_check(i, k), "findings"), j, f) {
            nfindings++;
            int found = 0;
            for (size_t r = 0; r < json_array_size(results); r++) {
                json_t *res = json_array_get(results, r);
                found |= strcmp(str(res, "ruleId"), str(f, "id")) == 0 &&
                         same_locations(res, f);
            }
            ck_assert_msg(found, "%s: no result for %s", name, str(f, "id"));
            int ruled = 0;
            for (size_t r = 0; r < json_array_size(rules); r++)
                ruled |= strcmp(str(json_array_get(rules, r), "id"),
                                str(f, "id")) == 0;
            ck_assert_msg(ruled, "%s: no rule %s", name, str(f, "id"));
        }
    }
    ck_assert_int_le(json_array_size(results), nfindings);
    for (size_t r = 0; r < json_array_size(rules); r++) {
        const char *id = str(json_array_get(rules, r), "id");
        int used = 0;
        for (size_t k = 0; k < json_array_size(results); k++)
            used |= strcmp(str(json_array_get(results, k), "ruleId"), id) == 0;
        ck_assert_msg(used, "%s: rule %s has no result", name, id);
    }
    json_t *inv = json_array_get(field(run, "invocations"), 0);
    int successful = json_is_true(field(inv, "executionSuccessful"));
    if (i == CORRECT) {
        ck_assert_int_eq(json_array_size(results), 0);
        ck_assert(successful);
    }
    if (i == BUGGY) {
        /* The lost update: TSan's two stacks, or the schedule's threads. */
        int flows = 0;
        for (size_t k = 0; k < json_array_size(results); k++)
            flows |= json_object_get(json_array_get(results, k), "codeFlows") !=
                     NULL;
        ck_assert_msg(flows, "%s: no codeFlows", name);
    }
    for (size_t k = 0; k < json_array_size(results); k++) {
        /* A finding only a report_only check shows fails nothing. */
        const char *level = str(json_array_get(results, k), "level");
        ck_assert_str_eq(level, i == LESSON ? "note" : "error");
    }
    if (i == LESSON)
        ck_assert_int_ge(json_array_size(results), 1);
    if (i == HANG) {
        int deadlock = 0;
        for (size_t k = 0; k < json_array_size(results); k++)
            deadlock |= strcmp(str(json_array_get(results, k), "ruleId"),
                               "deadlock") == 0;
        ck_assert_msg(deadlock, "the hang is no deadlock result");
    }
    if (i == NO_COMPILE) {
        ck_assert_int_eq(json_array_size(results), 0);
        ck_assert(!successful);
        json_t *note =
            json_array_get(field(inv, "toolExecutionNotifications"), 0);
        ck_assert_ptr_nonnull(note);
        ck_assert_ptr_nonnull(
            strstr(str(field(note, "message"), "text"), "does not compile"));
    }
}
END_TEST

/* --- GitHub ----------------------------------------------------------- */

START_TEST(test_github_annotations_cannot_be_forged)
{
    int i = _i;
    const char *name = submissions[i].name;
    struct gh_log g;
    gh_read(graded[i].all, &g);
    ck_assert_msg(g.n > 0, "%s: no annotation", name);
    /* The score, as in --json. */
    struct gh_command *last = &g.commands[g.n - 1];
    char score[64];
    snprintf(score, sizeof score, "score %ld/%ld", json_score(i),
             integer(graded[i].json, "max_score"));
    ck_assert_str_eq(last->kind, "notice");
    ck_assert_str_eq(last->message, score);
    /* Every failed check is named, every finding placed. */
    for (size_t k = 0; k < json_nchecks(i); k++) {
        json_t *c = json_check(i, k);
        if (json_is_true(field(c, "passed")))
            continue;
        char quoted[512];
        snprintf(quoted, sizeof quoted, "'%s' (", str(c, "name"));
        int named = 0;
        for (size_t a = 0; a < g.n; a++)
            named |= strcmp(g.commands[a].kind, "error") == 0 &&
                     strstr(g.commands[a].message, quoted) != NULL;
        ck_assert_msg(named, "%s: no annotation names %s", name, quoted);
        json_t *at = first_location(c);
        if (!at)
            continue;
        int placed = 0;
        for (size_t a = 0; a < g.n; a++)
            placed |= strcmp(g.commands[a].file, str(at, "file")) == 0 &&
                      g.commands[a].line == integer(at, "line");
        ck_assert_msg(placed, "%s: %s not annotated at its line", name,
                      str(c, "name"));
    }
    if (i == CORRECT || i == LESSON)
        ck_assert_int_eq(g.n, 1); /* the score alone */
    /* What the student wrote reaches no title or file of an annotation. */
    for (size_t a = 0; a < g.n; a++) {
        ck_assert_ptr_null(strstr(g.commands[a].title, "pwned"));
        ck_assert_ptr_null(strstr(g.commands[a].file, "pwned"));
    }
    gh_free(&g);
}
END_TEST

/* Gradescope's and PrairieLearn's files are rewritten after each run, so
 * that a platform that kills racelab at its time limit still finds valid
 * results: the first file that appears (after lab 06's Check tests, before
 * its scheduler run, which takes seconds) is partial and says so, the
 * scheduler's check scores 0 "not graded yet"; the last is the grade. */
START_TEST(test_partial_results_while_grading)
{
    char dir[] = "/tmp/racelab-partial-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(chmod(dir, 0755), 0);
    char cmd[2048], gs[256], pl[256];
    snprintf(cmd, sizeof cmd, "cp labs/" LAB "/counter.c %s/", dir);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(gs, sizeof gs, "%s/gs.json", dir);
    snprintf(pl, sizeof pl, "%s/pl.json", dir);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        execl("bin/racelab", "racelab", "grade", LAB, dir, "--gradescope", gs,
              "--prairielearn", pl, (char *)NULL);
        _exit(127);
    }
    json_t *first = NULL;
    for (int i = 0; i < 60000 && !first; i++) {
        json_error_t e;
        first = json_load_file(gs, 0, &e);
        if (!first)
            usleep(2000);
    }
    json_t *first_pl = json_load_file(pl, 0, NULL);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ck_assert_ptr_nonnull(first);
    ck_assert_msg(strstr(str(first, "output"), "GRADING DID NOT FINISH"),
                  "the first results are not marked partial: %s",
                  str(first, "output"));
    size_t k;
    json_t *t;
    int pending = 0;
    json_array_foreach (field(first, "tests"), k, t)
        if (strstr(str(t, "output"), "not graded yet")) {
            pending++;
            ck_assert_int_eq(integer(t, "score"), 0);
        }
    ck_assert_int_ge(pending, 1);
    ck_assert_ptr_nonnull(first_pl);
    ck_assert_ptr_nonnull(strstr(str(first_pl, "message"), "DID NOT FINISH"));
    json_t *last = json_load_file(gs, 0, NULL);
    ck_assert_ptr_nonnull(last);
    ck_assert_ptr_null(strstr(str(last, "output"), "DID NOT FINISH"));
    json_array_foreach (field(last, "tests"), k, t)
        ck_assert_ptr_null(strstr(str(t, "output"), "not graded yet"));
    json_decref(first);
    json_decref(first_pl);
    json_decref(last);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

Suite *make_grade_platforms_suite(void)
{
    Suite *s = suite_create("grade_platforms");
    TCase *t = tcase_create("platforms");
    tcase_set_timeout(t, 300);
    tcase_add_unchecked_fixture(t, grade_all, forget_all);
    tcase_add_test(t, test_grades_are_what_the_submissions_deserve);
    tcase_add_loop_test(t, test_gradescope_results_json, 0, NSUBMISSIONS);
    tcase_add_loop_test(t, test_prairielearn_results_json, 0, NSUBMISSIONS);
    tcase_add_loop_test(t, test_autolab_scores_line_is_last_and_alone, 0,
                        NSUBMISSIONS);
    tcase_add_loop_test(t, test_junit_testcase_per_check, 0, NSUBMISSIONS);
    tcase_add_loop_test(t, test_sarif_rule_per_id_result_per_finding, 0,
                        NSUBMISSIONS);
    tcase_add_loop_test(t, test_github_annotations_cannot_be_forged, 0,
                        NSUBMISSIONS);
    suite_add_tcase(s, t);
    TCase *partial = tcase_create("partial");
    tcase_set_timeout(partial, 300);
    tcase_add_test(partial, test_partial_results_while_grading);
    suite_add_tcase(s, partial);
    return s;
}
