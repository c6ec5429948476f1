/* grade_run.c: gather, build and check one rubric run of a submission. */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grade/grade_run.h"
#include "grade/student_calls.h"
#include "grade/lab_tests.h"
#include "grade/submission_check.h"
#include "server/server_driver.h"
#include "tools/tool.h"
#include "lib/program_end.h"
#include "lib/workdir.h"
#include "lib/xalloc.h"

/* How `make` links Check here (pkg-config --libs check, from the
 * Makefile), so a lab's tests link the same way as racelab's own. */
#ifndef RL_CHECK_LIBS
#define RL_CHECK_LIBS "-lcheck -lsubunit -lrt -lm"
#endif

/* Where the program writes Check's log: not its working folder (where a
 * file of that name is the first thing a forger would write), but a
 * folder of racelab's own under a name the program cannot guess.  It can
 * still read the name in its environment: the sandbox passes no file
 * descriptor a log could be written to (docs/security.md says what this
 * leaves open). */
static char *make_log_path(struct rl_grade_run *g)
{
    char err[256];
    g->log_dir = rl_workdir_create("racelab-results", err, sizeof err);
    if (!g->log_dir)
        return NULL;
    /* The tests run as a uid of their own (docs/isolation.md) and must
     * create the log here; no one but racelab may list the folder. */
    if (chmod(g->log_dir, 0733) != 0)
        return NULL;
    unsigned char bytes[12];
    if (getrandom(bytes, sizeof bytes, 0) != (ssize_t)sizeof bytes)
        return NULL;
    char name[2 * sizeof bytes + 1];
    for (size_t i = 0; i < sizeof bytes; i++)
        snprintf(name + 2 * i, 3, "%02x", bytes[i]);
    return xasprintf("%s/%s.xml", g->log_dir, name);
}

static void push(char ***list, size_t *n, char *s)
{
    *list = xrealloc(*list, (*n + 2) * sizeof **list);
    (*list)[(*n)++] = s;
    (*list)[*n] = NULL;
}

static void free_list(char **list)
{
    for (size_t i = 0; list && list[i]; i++)
        free(list[i]);
    free(list);
}

/* "-lcheck_pic -lrt" as separate words. */
static char **check_link_flags(void)
{
    char **flags = NULL;
    size_t n = 0;
    char *copy = xstrdup(RL_CHECK_LIBS), *save = NULL;
    for (char *w = strtok_r(copy, " ", &save); w;
         w = strtok_r(NULL, " ", &save))
        push(&flags, &n, xstrdup(w));
    free(copy);
    return flags;
}

/* "labs/02-process/../common/csapp.c" as "labs/common/csapp.c", so that
 * reports name files the way a student would; a leading ".." stays. */
static char *tidy_path(const char *path)
{
    char *copy = xstrdup(path), *save = NULL;
    char **parts = xcalloc(strlen(path) + 1, sizeof *parts);
    size_t n = 0;
    for (char *p = strtok_r(copy, "/", &save); p;
         p = strtok_r(NULL, "/", &save)) {
        if (strcmp(p, ".") == 0)
            continue;
        if (strcmp(p, "..") == 0 && n > 0 && strcmp(parts[n - 1], "..") != 0)
            n--;
        else
            parts[n++] = p;
    }
    char *out = xstrdup(path[0] == '/' ? "/" : "");
    for (size_t i = 0; i < n; i++) {
        char *next = xasprintf("%s%s%s", out, i ? "/" : "", parts[i]);
        free(out);
        out = next;
    }
    if (!out[0]) {
        free(out);
        out = xstrdup(".");
    }
    free(parts);
    free(copy);
    return out;
}

/* The file paths to build, and the student files that are missing. */
static char **gather_sources(struct rl_grade_run *g, const struct rl_rubric *r,
                             const char *lab_dir, const char *sub_dir)
{
    char **files = NULL;
    size_t n = 0;
    for (size_t i = 0; i < g->spec->nsources; i++) {
        const char *src = g->spec->sources[i];
        int student = rl_rubric_is_student_file(r, src);
        char *joined = xasprintf("%s/%s", student ? sub_dir : lab_dir, src);
        char *path = tidy_path(joined);
        free(joined);
        struct stat st;
        if (student && lstat(path, &st) != 0) {
            char *more = xasprintf("%s%s'%s'", g->missing ? g->missing : "",
                                   g->missing ? ", " : "", path);
            free(g->missing);
            g->missing = more;
        } else if (student && !g->refused) {
            g->refused = rl_submission_file_problem(src, path);
        }
        push(&files, &n, path);
    }
    return files;
}

/* Each student file compiled alone and read for what only a cheater
 * defines (submission_check.h); the first problem found is the run's. */
static void check_student_symbols(struct rl_grade_run *g,
                                  const struct rl_rubric *r, char **files,
                                  const char *lab_dir)
{
    char **dirs = NULL;
    size_t ndirs = 0;
    for (size_t i = 0; files[i]; i++) {
        char *copy = xstrdup(files[i]);
        push(&dirs, &ndirs, xstrdup(dirname(copy)));
        free(copy);
    }
    push(&dirs, &ndirs, xstrdup(lab_dir));
    /* A library lab (one whose tests are Check's): the lab's own mains
     * link with the student's files in every run. */
    int library_lab = 0;
    for (size_t i = 0; i < r->nruns; i++)
        library_lab |= r->runs[i].check_tests;
    for (size_t i = 0; !g->refused && i < g->spec->nsources; i++) {
        const char *src = g->spec->sources[i];
        if (!rl_rubric_is_student_file(r, src))
            continue;
        int internal = 0;
        char err[256] = "";
        g->refused = rl_submission_symbols_problem(
            src, files[i], dirs, library_lab, &internal, err, sizeof err);
        if (internal)
            snprintf(g->fault, sizeof g->fault, "cannot check '%s' alone: %s",
                     src, err);
    }
    free_list(dirs);
}

static void select_tools(struct rl_check_request *req,
                         const struct rl_rubric_run *spec)
{
    if (!spec->tools) {
        rl_check_select_default_tools(req);
        return;
    }
    for (int i = 0; rl_tools[i] && i < RL_MAX_SELECTED_TOOLS; i++) {
        int on = 0;
        for (size_t j = 0; spec->tools[j]; j++)
            on |= strcmp(spec->tools[j], rl_tools[i]->name) == 0;
        req->tool_selected[i] = on;
    }
}

/* The run whose outcome decides behaviour (the plain build, undisturbed
 * by a sanitizer: see rl_check_reference_job). */
static const struct rl_job *behaviour_job(const struct rl_check *c)
{
    return rl_check_reference_job(c);
}

/* The value of NAME in the run's "NAME=value" environment, or NULL. */
static const char *run_env(const struct rl_rubric_run *spec, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; spec->env && spec->env[i]; i++)
        if (strncmp(spec->env[i], name, n) == 0 && spec->env[i][n] == '=')
            return spec->env[i] + n + 1;
    return NULL;
}

/* The log is written by the process that runs the student's code: it is
 * trusted only when it lists exactly the lab's tests that this run
 * selects (lab_tests.h). */
static void verify_results(struct rl_grade_run *g, const struct rl_rubric *r,
                           char **files)
{
    char **lab_files = NULL;
    size_t n = 0;
    for (size_t i = 0; i < g->spec->nsources; i++)
        if (!rl_rubric_is_student_file(r, g->spec->sources[i]))
            push(&lab_files, &n, xstrdup(files[i]));
    struct rl_lab_tests tests;
    rl_lab_tests_read(lab_files, &tests);
    char *why = rl_lab_tests_verify(&tests, &g->results,
                                    run_env(g->spec, "CK_RUN_SUITE"),
                                    run_env(g->spec, "CK_RUN_CASE"));
    if (why) {
        snprintf(g->results_error, sizeof g->results_error,
                 "the test results were tampered with: %s", why);
        g->have_results = 0;
        rl_ck_results_free(&g->results);
        free(why);
    }
    rl_lab_tests_free(&tests);
    free_list(lab_files);
}

/* A race in the lab's test code names the student's functions it called. */
static void name_student_calls(struct rl_grade_run *g,
                               const struct rl_rubric *r, char **files)
{
    char **student = NULL, **lab = NULL;
    size_t ns = 0, nl = 0;
    for (size_t i = 0; i < g->spec->nsources; i++) {
        if (rl_rubric_is_student_file(r, g->spec->sources[i]))
            push(&student, &ns, xstrdup(files[i]));
        else
            push(&lab, &nl, xstrdup(files[i]));
    }
    rl_name_student_calls(&g->check.verdict, student, ns, lab, nl);
    free_list(student);
    free_list(lab);
}

static void read_results(struct rl_grade_run *g)
{
    const struct rl_job *job = behaviour_job(&g->check);
    if (!job) {
        snprintf(g->results_error, sizeof g->results_error,
                 "the tests did not run");
        return;
    }
    const char *log = g->log_path;
    struct stat st;
    char sig[32];
    if ((!log || lstat(log, &st) != 0) && job->killed_for_memory)
        snprintf(g->results_error, sizeof g->results_error,
                 "the tests wrote no results: they were %s before the "
                 "first test ended",
                 job->memory_words);
    else if ((!log || lstat(log, &st) != 0) && job->reach == RL_REACH_CRASHED)
        snprintf(g->results_error, sizeof g->results_error,
                 "the tests wrote no results: they crashed with %s before "
                 "the first test ended",
                 rl_signal_name(job->reach_signal, sig, sizeof sig));
    else if ((!log || lstat(log, &st) != 0) && job->reach == RL_REACH_TIMED_OUT)
        snprintf(g->results_error, sizeof g->results_error,
                 "the tests wrote no results: they did not finish the first "
                 "test within %.0f s",
                 job->timeout);
    else if (!log || lstat(log, &st) != 0)
        snprintf(g->results_error, sizeof g->results_error,
                 "the tests wrote no results (they crashed or hung before "
                 "the first test ended)");
    else if (rl_ck_results_read(log, &g->results, g->results_error,
                                sizeof g->results_error) == 0)
        g->have_results = 1;
}

static void read_server(struct rl_grade_run *g)
{
    const struct rl_job *job = behaviour_job(&g->check);
    g->echoed = job && job->server_outcome == RL_SERVER_ECHOED;
    snprintf(g->server_note, sizeof g->server_note, "%s",
             !job ? "the server did not run" : job->note);
}

void rl_grade_run_execute(struct rl_grade_run *g, const struct rl_rubric *r,
                          const struct rl_rubric_run *spec, const char *lab_dir,
                          const char *sub_dir)
{
    memset(g, 0, sizeof *g);
    g->spec = spec;
    char **files = gather_sources(g, r, lab_dir, sub_dir);
    if (!g->missing && !g->refused)
        check_student_symbols(g, r, files, lab_dir);
    if (g->missing || g->refused) {
        g->status = RL_CHECK_REFUSED;
        free_list(files);
        return;
    }
    char **env = NULL, **links = NULL, **ref_env = NULL, **other_env = NULL;
    size_t nenv = 0, nref = 0, nother = 0;
    char *includes[] = {(char *)lab_dir, NULL};
    if (!spec->check_tests)
        for (size_t i = 0; spec->env[i]; i++)
            push(&env, &nenv, xstrdup(spec->env[i]));
    if (spec->check_tests) {
        /* Check's own selections come from the rubric alone, never from
         * whoever started racelab (e.g. racelab's own test runner). */
        static const char *const check_vars[] = {"CK_RUN_SUITE",
                                                 "CK_RUN_CASE",
                                                 "CK_INCLUDE_TAGS",
                                                 "CK_EXCLUDE_TAGS",
                                                 "CK_VERBOSITY",
                                                 "CK_TAP_LOG_FILE_NAME",
                                                 "CK_SUBUNIT_LOG_FILE_NAME",
                                                 "CK_LOG_FILE_NAME",
                                                 NULL};
        for (size_t i = 0; check_vars[i]; i++)
            push(&env, &nenv, xstrdup(check_vars[i]));
        for (size_t i = 0; spec->env[i]; i++)
            push(&env, &nenv, xstrdup(spec->env[i]));
        /* One process, so a hang is one the watchdog can read. */
        push(&env, &nenv, xstrdup("CK_FORK=no"));
        g->log_path = make_log_path(g);
        if (!g->log_path) {
            g->status = RL_CHECK_INTERNAL;
            snprintf(g->fault, sizeof g->fault,
                     "cannot make a folder for the test log");
            free_list(files);
            free_list(env);
            return;
        }
        /* Only the run grading reads writes the log: the other tools' runs
         * (another uid each) write theirs nowhere. */
        push(&ref_env, &nref,
             xasprintf("CK_XML_LOG_FILE_NAME=%s", g->log_path));
        push(&other_env, &nother, xstrdup("CK_XML_LOG_FILE_NAME=/dev/null"));
        links = check_link_flags();
    }
    struct rl_check_request req = {0};
    req.files = files;
    req.nfiles = spec->nsources;
    req.program_args = spec->args;
    req.program_env = env;
    req.reference_env = ref_env;
    req.others_env = other_env;
    req.extras = (struct rl_build_extras){includes, links};
    req.server = spec->server;
    req.runs = 1;
    req.timeout = spec->timeout;
    req.schedules = spec->schedules;
    select_tools(&req, spec);
    g->status = rl_check_execute(&g->check, &req);
    if (g->status == RL_CHECK_DONE)
        name_student_calls(g, r, files);
    if (g->status == RL_CHECK_DONE && spec->check_tests)
        read_results(g);
    if (g->have_results)
        verify_results(g, r, files);
    if (g->status == RL_CHECK_DONE && spec->server)
        read_server(g);
    free_list(files);
    free_list(env);
    free_list(ref_env);
    free_list(other_env);
    free_list(links);
}

void rl_grade_run_free(struct rl_grade_run *g)
{
    free(g->missing);
    free(g->refused);
    free(g->log_path);
    if (g->log_dir)
        rl_workdir_remove(g->log_dir);
    free(g->log_dir);
    rl_check_free(&g->check);
    rl_ck_results_free(&g->results);
    memset(g, 0, sizeof *g);
}

/* The one place that reads rl_check_execute's status for its meaning. */
int rl_grade_run_internal_error(const struct rl_grade_run *g)
{
    return g->status == RL_CHECK_INTERNAL || g->check.internal_error ||
           g->fault[0];
}
