/* check_labs.c: racelab grade on every lab's starter, reference solution
 * and seeded-bug variants, each compared with what it must show. */
/*
 * Usage: check-labs   (run from the project root)
 *
 * For each labs/NN-name/rubric.json:
 *   - the starter (labs/NN-name, graded unchanged) must fail exactly as
 *     tests/labs/NN-name/starter.EXPECT says;
 *   - the solution (solutions/NN-name) must get full marks (findings of
 *     report_only checks, like lab 01's iterative-blocking, do not count);
 *   - each tests/labs/NN-name/VARIANT/ holding an EXPECT file must fail
 *     exactly as it says.
 * An expectation file has the lines
 *     ids: data-race, thread-leak     (or: ids: none)
 *     fails: echoes                   (optional)
 *     max_score: 2                    (optional: the score must not
 *                                      exceed it, e.g. the starter's)
 * `ids` is the set of failure-mode IDs of the findings under the failed
 * checks; `fails` the names of failed checks that carry no finding (a
 * wrong answer, a program that does not echo).  Checks marked report_only
 * never count.  "ids: none" with no `fails` line means full marks.
 *
 * Environment: RACELAB_BIN (default bin/racelab), LABS_FILTER (substring
 * of "lab/variant" to keep), LABS_RUNS (grade each case this many times,
 * every run must agree; default 1; `make soak` uses 5).
 * One more test grades two submissions at once and requires the same
 * verdicts as one at a time.
 *
 * Every grading runs before the Check suite starts, RACELAB_TEST_JOBS at
 * a time (default: the number of cores; 1 grades one at a time), each
 * stopped after CASE_TIMEOUT seconds; the Check tests then judge what
 * each one left.  RACELAB_TEST_PROGRESS=1 prints a line as each ends.
 */
#include <check.h>
#include <dirent.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_jobs.h"

enum { MAX_ITEMS = 16, CASE_TIMEOUT = 300 };

struct expectation {
    char *ids[MAX_ITEMS];
    int nids;
    char *fails[MAX_ITEMS];
    int nfails;
    int full_marks; /* the solution: every point */
    long max_score; /* the most it may score (max_score:), or -1 */
};

/* What one grading showed. */
struct outcome {
    int status;
    long score, max;
    char ids[512];   /* sorted, ", "-joined */
    char fails[512]; /* the same for check names */
    char text[256];  /* why the outcome could not be read */
};

struct lab_case {
    char lab[NAME_MAX + 1];
    char label[2 * NAME_MAX + 2]; /* "04-threads/starter" */
    char dir[2 * PATH_MAX];       /* what racelab grade gets as DIR */
    struct expectation want;
    char error[512];        /* a malformed expectation */
    struct outcome *graded; /* LABS_RUNS of them (grade_all) */
};

static struct lab_case *cases;
static int ncases;
static const char *racelab = "bin/racelab";

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *end = s + strlen(s);
    while (end > s && strchr(" \t\r\n", end[-1]))
        *--end = '\0';
    return s;
}

static int split_list(char *list, char **out, int *n)
{
    char *save = NULL;
    for (char *w = strtok_r(list, ",", &save); w;
         w = strtok_r(NULL, ",", &save)) {
        w = trim(w);
        if (!*w || *n == MAX_ITEMS)
            return -1;
        if (strcmp(w, "none") != 0)
            out[(*n)++] = strdup(w);
    }
    return 0;
}

static void read_expectation(struct lab_case *c, const char *path)
{
    FILE *f = fopen(path, "r");
    char line[1024];
    int have_ids = 0;
    c->want.max_score = -1;
    if (!f) {
        snprintf(c->error, sizeof c->error, "cannot open '%s'", path);
        return;
    }
    while (fgets(line, sizeof line, f)) {
        char *p = trim(line);
        if (strncmp(p, "ids:", 4) == 0) {
            have_ids = 1;
            if (split_list(p + 4, c->want.ids, &c->want.nids))
                snprintf(c->error, sizeof c->error, "%s: bad ids line", path);
        } else if (strncmp(p, "fails:", 6) == 0) {
            if (split_list(p + 6, c->want.fails, &c->want.nfails))
                snprintf(c->error, sizeof c->error, "%s: bad fails line", path);
        } else if (strncmp(p, "max_score:", 10) == 0) {
            char *end;
            c->want.max_score = strtol(p + 10, &end, 10);
            if (end == p + 10 || *trim(end))
                snprintf(c->error, sizeof c->error, "%s: bad max_score line",
                         path);
        } else if (*p && *p != '#') {
            snprintf(c->error, sizeof c->error, "%s: unknown line '%s'", path,
                     p);
        }
    }
    fclose(f);
    if (!have_ids && !c->error[0])
        snprintf(c->error, sizeof c->error, "%s: no 'ids:' line", path);
}

static int keep(const char *label)
{
    const char *filter = getenv("LABS_FILTER");
    return !filter || strstr(label, filter);
}

static struct lab_case *add_case(const char *lab, const char *what,
                                 const char *dir)
{
    char label[2 * NAME_MAX + 2];
    snprintf(label, sizeof label, "%s/%s", lab, what);
    if (!keep(label))
        return NULL;
    cases = realloc(cases, (ncases + 1) * sizeof *cases);
    struct lab_case *c = &cases[ncases++];
    memset(c, 0, sizeof *c);
    snprintf(c->lab, sizeof c->lab, "%s", lab);
    snprintf(c->label, sizeof c->label, "%s", label);
    snprintf(c->dir, sizeof c->dir, "%s", dir);
    return c;
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int visible(const struct dirent *d)
{
    return d->d_name[0] != '.';
}

static void load_variants(const char *lab)
{
    char root[PATH_MAX];
    snprintf(root, sizeof root, "tests/labs/%s", lab);
    struct dirent **names;
    int n = scandir(root, &names, visible, alphasort);
    for (int i = 0; i < n; i++) {
        char dir[2 * PATH_MAX], expect[2 * PATH_MAX + 8];
        snprintf(dir, sizeof dir, "%s/%s", root, names[i]->d_name);
        snprintf(expect, sizeof expect, "%s/EXPECT", dir);
        struct lab_case *c = NULL;
        if (is_dir(dir) && access(expect, R_OK) == 0 &&
            (c = add_case(lab, names[i]->d_name, dir)))
            read_expectation(c, expect);
        free(names[i]);
    }
    if (n >= 0)
        free(names);
}

static void load_lab(const char *lab)
{
    char path[PATH_MAX];
    struct lab_case *c;
    snprintf(path, sizeof path, "labs/%s", lab);
    if ((c = add_case(lab, "starter", path))) {
        snprintf(path, sizeof path, "tests/labs/%s/starter.EXPECT", lab);
        read_expectation(c, path);
    }
    snprintf(path, sizeof path, "solutions/%s", lab);
    if ((c = add_case(lab, "solution", path))) {
        c->want.full_marks = 1;
        c->want.max_score = -1;
    }
    load_variants(lab);
}

static int has_rubric(const struct dirent *d)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "labs/%s/rubric.json", d->d_name);
    return d->d_name[0] != '.' && access(path, R_OK) == 0;
}

static void load_cases(void)
{
    struct dirent **names;
    int n = scandir("labs", &names, has_rubric, alphasort);
    for (int i = 0; i < n; i++) {
        load_lab(names[i]->d_name);
        free(names[i]);
    }
    if (n >= 0)
        free(names);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted, without duplicates, joined with ", ". */
static void join_set(char **items, int n, char *out, size_t len)
{
    qsort(items, n, sizeof *items, cmp_str);
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (i && strcmp(items[i], items[i - 1]) == 0)
            continue;
        size_t used = strlen(out);
        snprintf(out + used, len - used, "%s%s", used ? ", " : "", items[i]);
    }
}

static void read_outcome(json_t *doc, struct outcome *o)
{
    char *ids[64], *fails[64];
    int nids = 0, nfails = 0;
    size_t i, j;
    json_t *c, *f;
    o->score = json_integer_value(json_object_get(doc, "score"));
    o->max = json_integer_value(json_object_get(doc, "max_score"));
    json_array_foreach (json_object_get(doc, "checks"), i, c) {
        if (json_is_true(json_object_get(c, "passed")) ||
            json_is_true(json_object_get(c, "report_only")))
            continue;
        json_t *fs = json_object_get(c, "findings");
        if (json_array_size(fs) == 0 && nfails < 64)
            fails[nfails++] =
                (char *)json_string_value(json_object_get(c, "name"));
        json_array_foreach (fs, j, f) {
            if (nids < 64)
                ids[nids++] =
                    (char *)json_string_value(json_object_get(f, "id"));
        }
    }
    join_set(ids, nids, o->ids, sizeof o->ids);
    join_set(fails, nfails, o->fails, sizeof o->fails);
}

static int runs_per_case(void)
{
    const char *env = getenv("LABS_RUNS");
    return env && atoi(env) > 0 ? atoi(env) : 1;
}

/* One grading of c for the pool, its JSON into json (a mkstemp name). */
static struct test_job grade_job(const struct lab_case *c, char *json)
{
    char **argv = calloc(8, sizeof *argv);
    int fd = mkstemp(json);
    if (fd >= 0)
        close(fd);
    argv[0] = (char *)racelab;
    argv[1] = "grade";
    argv[2] = (char *)c->lab;
    argv[3] = (char *)c->dir;
    argv[4] = "--json";
    argv[5] = json;
    return (struct test_job){
        .argv = argv, .log = "/dev/null", .timeout = CASE_TIMEOUT};
}

/* What the ended job left in json, which goes. */
static void read_grade(const struct test_job *job, const char *json,
                       struct outcome *o)
{
    memset(o, 0, sizeof *o);
    o->status = job->status;
    json_error_t e;
    json_t *doc = job->timed_out ? NULL : json_load_file(json, 0, &e);
    if (job->timed_out)
        snprintf(o->text, sizeof o->text, "did not finish in %d s",
                 CASE_TIMEOUT);
    else if (!doc)
        snprintf(o->text, sizeof o->text, "no JSON grade (exit status %d)",
                 o->status);
    else
        read_outcome(doc, o);
    json_decref(doc);
    unlink(json);
    free(job->argv);
}

/* Every grading of every case, before the suite: LABS_RUNS per case, a
 * few at a time; each case keeps its outcomes. */
struct batch {
    struct test_job *jobs;
    char (*json)[32];
    int *case_of; /* jobs[k] grades cases[case_of[k]] */
    int *run_of;  /* as its run number run_of[k] (from 0) */
    int ended, total;
};

static void job_ended(struct test_job *job, void *arg)
{
    struct batch *b = arg;
    int k = (int)(job - b->jobs);
    struct lab_case *c = &cases[b->case_of[k]];
    struct outcome *o = &c->graded[b->run_of[k]];
    const char *show = getenv("RACELAB_TEST_PROGRESS");
    read_grade(job, b->json[k], o);
    b->ended++;
    if (show && show[0] == '1')
        fprintf(stderr, "check-labs: [%d/%d] %s: %ld/%ld, %.1f s\n", b->ended,
                b->total, c->label, o->score, o->max, job->seconds);
}

static void grade_all(void)
{
    int runs = runs_per_case(), n = ncases * runs + 1;
    struct batch b = {calloc(n, sizeof *b.jobs),
                      calloc(n, sizeof *b.json),
                      calloc(n, sizeof *b.case_of),
                      calloc(n, sizeof *b.run_of),
                      0,
                      0};
    int parallel = test_jobs_parallel();
    double t0 = test_jobs_now();
    /* Run after run, so that one case's runs are not all at once. */
    for (int run = 0; run < runs; run++) {
        for (int i = 0; i < ncases; i++) {
            if (run == 0)
                cases[i].graded = calloc(runs, sizeof *cases[i].graded);
            if (cases[i].error[0])
                continue;
            snprintf(b.json[b.total], sizeof b.json[0],
                     "/tmp/racelab-labs-XXXXXX");
            b.jobs[b.total] = grade_job(&cases[i], b.json[b.total]);
            b.case_of[b.total] = i;
            b.run_of[b.total++] = run;
        }
    }
    test_jobs_run(b.jobs, b.total, parallel, job_ended, &b);
    fprintf(stderr, "check-labs: %d gradings, %d at a time: %.0f s\n", b.total,
            parallel, test_jobs_now() - t0);
    free(b.jobs);
    free(b.json);
    free(b.case_of);
    free(b.run_of);
}

static void want_sets(const struct lab_case *c, char *ids, char *fails,
                      size_t len)
{
    char *copy[MAX_ITEMS];
    memcpy(copy, c->want.ids, sizeof copy);
    join_set(copy, c->want.nids, ids, len);
    memcpy(copy, c->want.fails, sizeof copy);
    join_set(copy, c->want.nfails, fails, len);
}

static void assert_outcome(const struct lab_case *c, const struct outcome *o,
                           int run)
{
    ck_assert_msg(o->status == 0 && !o->text[0],
                  "%s (run %d): racelab grade: %s (exit status %d)", c->label,
                  run, o->text, o->status);
    char ids[512], fails[512];
    want_sets(c, ids, fails, sizeof ids);
    if (c->want.full_marks) {
        ck_assert_msg(o->score == o->max,
                      "%s (run %d): %ld/%ld, not full marks; findings: [%s]; "
                      "failed checks: [%s]",
                      c->label, run, o->score, o->max, o->ids, o->fails);
        return;
    }
    ck_assert_msg(strcmp(o->ids, ids) == 0 && strcmp(o->fails, fails) == 0,
                  "%s (run %d): found [%s], failed [%s]; want [%s], failed "
                  "[%s]",
                  c->label, run, o->ids, o->fails, ids, fails);
    if (!c->want.nids && !c->want.nfails)
        ck_assert_int_eq(o->score, o->max);
    ck_assert_msg(c->want.max_score < 0 || o->score <= c->want.max_score,
                  "%s (run %d): %ld/%ld, more than the %ld it may score",
                  c->label, run, o->score, o->max, c->want.max_score);
}

START_TEST(test_lab_case)
{
    const struct lab_case *c = &cases[_i];
    ck_assert_msg(!c->error[0], "%s: %s", c->label, c->error);
    for (int run = 1; run <= runs_per_case(); run++)
        assert_outcome(c, &c->graded[run - 1], run);
}
END_TEST

/* Two gradings at once must agree with their expectations just as one at
 * a time does: ports, folders and cgroups are each run's own. */
START_TEST(test_two_at_once)
{
    const struct lab_case *a = NULL, *b = NULL;
    for (int i = 0; i < ncases; i++) {
        if (cases[i].error[0])
            continue;
        if (!a)
            a = &cases[i];
        else if (strcmp(cases[i].lab, a->lab) != 0 && !b)
            b = &cases[i];
    }
    if (!b) /* one lab only (a filter): grade its first case twice */
        b = a;
    ck_assert_ptr_nonnull(a);
    char ja[] = "/tmp/racelab-labs-XXXXXX", jb[] = "/tmp/racelab-labs-XXXXXX";
    struct test_job jobs[2] = {grade_job(a, ja), grade_job(b, jb)};
    test_jobs_run(jobs, 2, 2, NULL, NULL);
    struct outcome oa, ob;
    read_grade(&jobs[0], ja, &oa);
    read_grade(&jobs[1], jb, &ob);
    assert_outcome(a, &oa, 1);
    assert_outcome(b, &ob, 1);
}
END_TEST

int main(void)
{
    const char *env = getenv("RACELAB_BIN");
    if (env && env[0])
        racelab = env;
    if (access(racelab, X_OK) != 0) {
        fprintf(stderr,
                "check-labs: cannot run '%s' (run from the project "
                "root after make)\n",
                racelab);
        return 2;
    }
    load_cases();
    if (ncases == 0) {
        fprintf(stderr, "check-labs: no lab case matches\n");
        return 1;
    }
    grade_all();
    Suite *s = suite_create("labs");
    TCase *tc = tcase_create("grade");
    tcase_set_timeout(tc, CASE_TIMEOUT * (getenv("LABS_RUNS")
                                              ? atoi(getenv("LABS_RUNS")) + 1
                                              : 1));
    tcase_add_loop_test(tc, test_lab_case, 0, ncases);
    tcase_add_test(tc, test_two_at_once);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
