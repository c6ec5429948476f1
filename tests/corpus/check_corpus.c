/* check_corpus.c: racelab check on each corpus program, verdict vs header. */
/*
 * Usage: check-corpus [DIR]   (DIR defaults to tests/cases)
 *
 * Each C file in DIR names its verdict in its header comment:
 *     // EXPECT: data-race, thread-leak      (or: // EXPECT: none)
 *     // RACELAB: --timeout 4                (optional extra options)
 *     // SAYS: deadlock: accounts[3].lock    (optional, any number)
 *     // NEVER-SAYS: +152                    (optional, any number)
 * Before the Check suite starts, every program is checked with
 *     racelab check --json TMP/out.json [options] DIR/NAME.c
 * a few at a time (tests/common/test_jobs.c); then one Check loop test per
 * program requires exactly the expected failure-mode IDs of what that run
 * left, each finding pointing at a line of the program itself.  For
 * "none" it also requires exit status 0 and no run that timed out.
 * A SAYS line requires the finding of that ID to contain the text in its
 * title, explanation, fix or detail (what a student reads); a NEVER-SAYS
 * line requires that no finding contains it anywhere.
 *
 * racelab is found next to this runner (dirname of /proc/self/exe); the
 * environment variable RACELAB_BIN overrides that path, and
 * RACELAB_CORPUS_FILTER=substring keeps only the programs whose file name
 * contains the substring.  RACELAB_TEST_JOBS is how many checks run at
 * once (default: the number of cores; 1 is the old one-at-a-time run),
 * and RACELAB_TEST_PROGRESS=1 prints a line as each check ends.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/failure_modes.h"
#include "test_jobs.h"

#define MAX_IDS 16
#define MAX_OPTS 16
#define MAX_SAYS 16
#define HEADER_LINES 40  /* verdict lines must come this early */
#define CASE_TIMEOUT 120 /* seconds per program, all tools included */

struct corpus_case {
    char path[PATH_MAX]; /* DIR/NAME.c as given to racelab */
    char name[NAME_MAX + 1];
    char *ids[MAX_IDS]; /* expected IDs; none for EXPECT: none */
    int nids;
    int has_expect;
    char *opts[MAX_OPTS]; /* words of the RACELAB: line */
    int nopts;
    char *says_id[MAX_SAYS], *says[MAX_SAYS]; /* SAYS: id: text */
    int nsays;
    char *never[MAX_SAYS]; /* NEVER-SAYS: text */
    int nnever;
    char header_error[512]; /* non-empty: the header is malformed */
    /* What its racelab check left (run_checks, before the suite): */
    char tmp[32]; /* folder of out.json and racelab.log */
    char json[64], log[64];
    int status; /* exit status, 128+signal, -1: did not finish */
    double seconds;
};

/* Filled once in main before the suite runs; forked tests inherit it. */
static struct corpus_case *cases;
static int ncases;
static char racelab_path[PATH_MAX + 16];

/* An ID racelab may report: one of the failure-mode table. */
static int is_known_id(const char *id)
{
    return rl_failure_mode_find(id) != NULL;
}

static char *trim(char *s)
{
    char *end;

    while (*s == ' ' || *s == '\t')
        s++;
    end = s + strlen(s);
    while (end > s && strchr(" \t\r\n", end[-1]) != NULL)
        *--end = '\0';
    return s;
}

/* Splits "a, b,c" into c->ids; "none" means no ID at all. */
static void parse_expect(struct corpus_case *c, char *list)
{
    char *save = NULL;

    c->has_expect = 1;
    for (char *w = strtok_r(list, ",", &save); w != NULL;
         w = strtok_r(NULL, ",", &save)) {
        w = trim(w);
        if (strcmp(w, "none") == 0 && c->nids == 0 &&
            strtok_r(NULL, ",", &save) == NULL)
            return;
        if (strcmp(w, "none") == 0) {
            snprintf(c->header_error, sizeof c->header_error,
                     "'none' cannot be combined with other ids");
            return;
        }
        if (!is_known_id(w) || c->nids == MAX_IDS) {
            snprintf(c->header_error, sizeof c->header_error,
                     "unknown failure-mode id '%s' in EXPECT", w);
            return;
        }
        c->ids[c->nids++] = strdup(w);
    }
    if (c->nids == 0)
        snprintf(c->header_error, sizeof c->header_error, "empty EXPECT");
}

static void parse_opts(struct corpus_case *c, char *words)
{
    char *save = NULL;

    for (char *w = strtok_r(words, " \t", &save); w != NULL;
         w = strtok_r(NULL, " \t", &save)) {
        if (c->nopts == MAX_OPTS) {
            snprintf(c->header_error, sizeof c->header_error,
                     "too many RACELAB options");
            return;
        }
        c->opts[c->nopts++] = strdup(w);
    }
}

/* "deadlock: accounts[3].lock": the ID, then the text its finding says. */
static void parse_says(struct corpus_case *c, char *line)
{
    char *colon = strchr(line, ':');

    if (colon == NULL || c->nsays == MAX_SAYS) {
        snprintf(c->header_error, sizeof c->header_error,
                 "SAYS needs 'id: text' (at most %d lines)", MAX_SAYS);
        return;
    }
    *colon = '\0';
    if (!is_known_id(trim(line)) || *trim(colon + 1) == '\0') {
        snprintf(c->header_error, sizeof c->header_error,
                 "SAYS: unknown id '%s' or no text", trim(line));
        return;
    }
    c->says_id[c->nsays] = strdup(trim(line));
    c->says[c->nsays++] = strdup(trim(colon + 1));
}

static void parse_never(struct corpus_case *c, char *text)
{
    if (*text == '\0' || c->nnever == MAX_SAYS) {
        snprintf(c->header_error, sizeof c->header_error,
                 "NEVER-SAYS needs a text (at most %d lines)", MAX_SAYS);
        return;
    }
    c->never[c->nnever++] = strdup(text);
}

/* Reads the EXPECT and RACELAB lines of one program's header. */
static void parse_header(struct corpus_case *c)
{
    char line[1024], *p;
    FILE *f = fopen(c->path, "r");

    if (f == NULL) {
        snprintf(c->header_error, sizeof c->header_error,
                 "cannot open '%s': %s", c->name, strerror(errno));
        return;
    }
    for (int n = 0; n < HEADER_LINES && fgets(line, sizeof line, f); n++) {
        p = trim(line);
        if (strncmp(p, "// EXPECT:", 10) == 0 && !c->has_expect)
            parse_expect(c, p + 10);
        else if (strncmp(p, "// RACELAB:", 11) == 0)
            parse_opts(c, trim(p + 11));
        else if (strncmp(p, "// SAYS:", 8) == 0)
            parse_says(c, trim(p + 8));
        else if (strncmp(p, "// NEVER-SAYS:", 14) == 0)
            parse_never(c, trim(p + 14));
    }
    fclose(f);
    if (!c->has_expect && c->header_error[0] == '\0')
        snprintf(c->header_error, sizeof c->header_error,
                 "no '// EXPECT:' line in the first %d lines", HEADER_LINES);
}

static int is_c_file(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    const char *filter = getenv("RACELAB_CORPUS_FILTER");

    if (n < 3 || strcmp(d->d_name + n - 2, ".c") != 0 || d->d_name[0] == '.')
        return 0;
    return filter == NULL || strstr(d->d_name, filter) != NULL;
}

/* Lists the C files of dir sorted by name and parses each header. */
static int load_cases(const char *dir)
{
    struct dirent **names;
    int n = scandir(dir, &names, is_c_file, alphasort);

    if (n < 0) {
        fprintf(stderr, "check-corpus: cannot read '%s': %s\n", dir,
                strerror(errno));
        return -1;
    }
    cases = calloc(n > 0 ? n : 1, sizeof *cases);
    if (cases == NULL)
        return -1;
    for (int i = 0; i < n; i++) {
        struct corpus_case *c = &cases[ncases++];

        snprintf(c->name, sizeof c->name, "%s", names[i]->d_name);
        snprintf(c->path, sizeof c->path, "%s/%s", dir, names[i]->d_name);
        parse_header(c);
        free(names[i]);
    }
    free(names);
    return 0;
}

/* bin/racelab next to this runner, unless RACELAB_BIN says otherwise. */
static int find_racelab(void)
{
    const char *env = getenv("RACELAB_BIN");
    char self[PATH_MAX];
    ssize_t n;
    char *slash;

    if (env != NULL && env[0] != '\0') {
        snprintf(racelab_path, sizeof racelab_path, "%s", env);
        return 0;
    }
    n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n < 0)
        return -1;
    self[n] = '\0';
    slash = strrchr(self, '/');
    if (slash == NULL)
        return -1;
    *slash = '\0';
    snprintf(racelab_path, sizeof racelab_path, "%s/racelab", self);
    return 0;
}

/* Check's per-test timeout in seconds, as CK_TIMEOUT_MULTIPLIER scales it. */
static double test_timeout(void)
{
    const char *m = getenv("CK_TIMEOUT_MULTIPLIER");
    double k = m != NULL ? atof(m) : 1;

    return CASE_TIMEOUT * (k > 0 ? k : 1);
}

/* The argv of racelab check for c, JSON and log into c's own folder. */
static char **check_argv(const struct corpus_case *c)
{
    char **argv = calloc(MAX_OPTS + 8, sizeof *argv);
    int argc = 0;

    argv[argc++] = racelab_path;
    argv[argc++] = "check";
    argv[argc++] = "--json";
    argv[argc++] = (char *)c->json;
    for (int i = 0; i < c->nopts; i++)
        argv[argc++] = c->opts[i];
    argv[argc++] = (char *)c->path;
    argv[argc] = NULL;
    return argv;
}

struct batch {
    struct test_job *jobs;
    int *case_of; /* jobs[k] checks cases[case_of[k]] */
    int ended, total;
};

static void job_ended(struct test_job *job, void *arg)
{
    struct batch *b = arg;
    struct corpus_case *c = &cases[b->case_of[job - b->jobs]];
    const char *show = getenv("RACELAB_TEST_PROGRESS");

    c->status = job->timed_out ? -1 : job->status;
    c->seconds = job->seconds;
    b->ended++;
    if (show != NULL && show[0] == '1')
        fprintf(stderr, "check-corpus: [%d/%d] %s: exit %d, %.1f s\n", b->ended,
                b->total, c->name, c->status, c->seconds);
}

/* Runs racelab check on every well-formed case, a few at a time, before
 * the suite: the Check tests then only judge what each run left. */
static void run_checks(void)
{
    struct batch b = {calloc(ncases + 1, sizeof *b.jobs),
                      calloc(ncases + 1, sizeof *b.case_of), 0, 0};
    int parallel = test_jobs_parallel();
    double t0 = test_jobs_now();

    for (int i = 0; i < ncases; i++) {
        struct corpus_case *c = &cases[i];

        c->status = -1;
        if (c->header_error[0] != '\0')
            continue;
        snprintf(c->tmp, sizeof c->tmp, "/tmp/racelab-corpus-XXXXXX");
        if (mkdtemp(c->tmp) == NULL) {
            c->tmp[0] = '\0';
            continue;
        }
        snprintf(c->json, sizeof c->json, "%s/out.json", c->tmp);
        snprintf(c->log, sizeof c->log, "%s/racelab.log", c->tmp);
        b.jobs[b.total] = (struct test_job){.argv = check_argv(c),
                                            .log = c->log,
                                            .timeout = test_timeout() - 5};
        b.case_of[b.total++] = i;
    }
    test_jobs_run(b.jobs, b.total, parallel, job_ended, &b);
    fprintf(stderr, "check-corpus: %d checks, %d at a time: %.0f s\n", b.total,
            parallel, test_jobs_now() - t0);
    for (int k = 0; k < b.total; k++)
        free(b.jobs[k].argv);
    free(b.jobs);
    free(b.case_of);
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');

    return slash != NULL ? slash + 1 : path;
}

/* Appends printf-style text to buf (of size len), never overflowing. */
static void appendf(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void appendf(char *buf, size_t len, const char *fmt, ...)
{
    size_t used = strlen(buf);
    va_list ap;

    if (used + 1 >= len)
        return;
    va_start(ap, fmt);
    vsnprintf(buf + used, len - used, fmt, ap);
    va_end(ap);
}

static int expects_id(const struct corpus_case *c, const char *id)
{
    for (int i = 0; i < c->nids; i++)
        if (strcmp(c->ids[i], id) == 0)
            return 1;
    return 0;
}

static int finding_has_id(json_t *findings, const char *id)
{
    size_t i;
    json_t *f;

    json_array_foreach (findings, i, f) {
        const char *fid = json_string_value(json_object_get(f, "id"));

        if (fid != NULL && strcmp(fid, id) == 0)
            return 1;
    }
    return 0;
}

/* 1 if one of the finding's locations is in the case file itself. */
static int points_at_case(json_t *finding, const struct corpus_case *c)
{
    json_t *locs = json_object_get(finding, "locations"), *loc;
    size_t i;

    json_array_foreach (locs, i, loc) {
        const char *file = json_string_value(json_object_get(loc, "file"));

        if (file != NULL && strcmp(base_name(file), c->name) == 0)
            return 1;
    }
    return 0;
}

/* 1 when the finding's text a student reads contains text. */
static int finding_says(json_t *f, const char *text)
{
    static const char *const fields[] = {"title", "explanation", "fix",
                                         "detail"};

    for (size_t k = 0; k < sizeof fields / sizeof *fields; k++) {
        const char *v = json_string_value(json_object_get(f, fields[k]));

        if (v != NULL && strstr(v, text) != NULL)
            return 1;
    }
    return 0;
}

/* The SAYS and NEVER-SAYS lines against the findings. */
static void compare_texts(const struct corpus_case *c, json_t *findings,
                          char *why, size_t len)
{
    json_t *f;
    size_t i;

    for (int k = 0; k < c->nsays; k++) {
        int said = 0;

        json_array_foreach (findings, i, f) {
            const char *id = json_string_value(json_object_get(f, "id"));

            said |= id != NULL && strcmp(id, c->says_id[k]) == 0 &&
                    finding_says(f, c->says[k]);
        }
        if (!said)
            appendf(why, len, " %s does not say '%s';", c->says_id[k],
                    c->says[k]);
    }
    for (int k = 0; k < c->nnever; k++)
        json_array_foreach (findings, i, f) {
            if (finding_says(f, c->never[k]))
                appendf(why, len, " a finding says '%s';", c->never[k]);
        }
}

/* Compares racelab's findings with the header; fills why (empty: pass). */
static void compare_findings(const struct corpus_case *c, json_t *root,
                             int status, char *why, size_t len)
{
    json_t *findings = json_object_get(root, "findings");
    json_t *runs = json_object_get(root, "runs"), *f, *r;
    size_t i;

    if (!json_is_array(findings) || !json_is_array(runs)) {
        appendf(why, len, " JSON lacks a 'findings' or 'runs' array;");
        return;
    }
    for (int k = 0; k < c->nids; k++)
        if (!finding_has_id(findings, c->ids[k]))
            appendf(why, len, " missing %s;", c->ids[k]);
    json_array_foreach (findings, i, f) {
        const char *id = json_string_value(json_object_get(f, "id"));

        if (id == NULL)
            appendf(why, len, " finding %zu has no id;", i);
        else if (!expects_id(c, id))
            appendf(why, len, " extra %s;", id);
        else if (!points_at_case(f, c))
            appendf(why, len, " %s has no location in '%s';", id, c->name);
    }
    compare_texts(c, findings, why, len);
    if (c->nids > 0 && status != 1)
        appendf(why, len, " exit status %d, expected 1;", status);
    if (c->nids > 0)
        return;
    if (status != 0)
        appendf(why, len, " exit status %d, expected 0;", status);
    json_array_foreach (runs, i, r) {
        if (json_is_true(json_object_get(r, "timed_out")))
            appendf(why, len, " run '%s' timed out;",
                    json_string_value(json_object_get(r, "tool")));
    }
}

/* The last bytes of racelab's own output, to explain a failure. */
static void append_log_tail(const char *log, char *why, size_t len)
{
    char tail[600];
    size_t n;
    FILE *f = fopen(log, "r");

    if (f == NULL)
        return;
    if (fseek(f, -(long)(sizeof tail - 1), SEEK_END) < 0)
        rewind(f);
    n = fread(tail, 1, sizeof tail - 1, f);
    tail[n] = '\0';
    fclose(f);
    appendf(why, len, "\n--- racelab output (tail) ---\n%s", tail);
}

static void remove_tmp(const char *dir, const char *json, const char *log)
{
    unlink(json);
    unlink(log);
    rmdir(dir);
}

START_TEST(test_case_verdict)
{
    const struct corpus_case *c = &cases[_i];
    char why[4096] = "";
    json_error_t jerr;
    json_t *root;
    int status = c->status;

    ck_assert_msg(c->header_error[0] == '\0', "%s: %s", c->name,
                  c->header_error);
    ck_assert_msg(c->tmp[0] != '\0', "cannot create a folder in /tmp");
    root = json_load_file(c->json, 0, &jerr);
    if (status < 0)
        appendf(why, sizeof why, " racelab did not run or finish in %.0f s;",
                test_timeout() - 5);
    else if (status > 1)
        appendf(why, sizeof why, " racelab exit status %d;", status);
    else if (root == NULL)
        appendf(why, sizeof why, " cannot read '%s': %s;", c->json, jerr.text);
    else
        compare_findings(c, root, status, why, sizeof why);
    if (why[0] != '\0')
        append_log_tail(c->log, why, sizeof why);
    json_decref(root);
    remove_tmp(c->tmp, c->json, c->log);
    ck_assert_msg(why[0] == '\0', "%s:%s", c->name, why);
}
END_TEST

/* A corpus with no program (or a filter matching none) is an error. */
START_TEST(test_corpus_not_empty)
{
    ck_assert_msg(ncases > 0, "no *.c case matched");
}
END_TEST

static Suite *make_corpus_suite(void)
{
    Suite *s = suite_create("corpus");
    TCase *tc = tcase_create("cases");

    tcase_set_timeout(tc, CASE_TIMEOUT);
    tcase_add_test(tc, test_corpus_not_empty);
    if (ncases > 0)
        tcase_add_loop_test(tc, test_case_verdict, 0, ncases);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "tests/cases";
    SRunner *sr;
    int failed;

    if (argc > 2) {
        fprintf(stderr, "usage: check-corpus [DIR]\n");
        return 2;
    }
    if (load_cases(dir) < 0 || find_racelab() < 0)
        return 2;
    if (access(racelab_path, X_OK) != 0) {
        fprintf(stderr, "check-corpus: cannot run '%s': %s\n", racelab_path,
                strerror(errno));
        return 2;
    }
    run_checks();
    sr = srunner_create(make_corpus_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
