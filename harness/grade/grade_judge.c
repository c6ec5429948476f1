/* grade_judge.c: judge each rubric check from its run's outcome. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/failure_modes.h"
#include "grade/grade_judge.h"
#include "lib/program_end.h"
#include "lib/xalloc.h"
#include "tools/tool.h"

/* The check being judged: what the formats will show of it. */
struct verdict {
    int passed;
    enum rl_grade_problem problem;
    char *message; /* why, when no finding says it; or NULL */
    const struct rl_finding **findings;
    size_t nfindings;
};

static int listed(char *const *ids, const char *id)
{
    for (size_t i = 0; ids && ids[i]; i++)
        if (strcmp(ids[i], id) == 0)
            return 1;
    return 0;
}

/* Findings that explain why tests never finished. */
/* The findings that explain why tests never finished: the hang classes
 * of the failure-mode table. */
static int explains_a_hang(const void *unused, const char *id)
{
    (void)unused;
    return rl_failure_mode_is_hang(id);
}

static int in_list(const void *ids, const char *id)
{
    return listed((char *const *)ids, id);
}

/* Attaches the findings of fs that wanted(ctx, id) accepts. */
static void attach(struct verdict *v, const struct rl_findings *fs,
                   int (*wanted)(const void *ctx, const char *id),
                   const void *ctx)
{
    for (size_t i = 0; i < fs->n; i++) {
        if (!wanted(ctx, fs->v[i].id))
            continue;
        v->findings =
            xrealloc(v->findings, (v->nfindings + 1) * sizeof *v->findings);
        v->findings[v->nfindings++] = &fs->v[i];
    }
}

static void add_message(struct verdict *v, const char *fmt, const char *a,
                        const char *b)
{
    char *line = xasprintf(fmt, a, b);
    char *joined = xasprintf("%s%s%s", v->message ? v->message : "",
                             v->message ? "\n" : "", line);
    free(line);
    free(v->message);
    v->message = joined;
}

/* Why a run gives nothing to judge (*message in words), or NONE when it
 * ran. */
/* The first run whose server died or exited by itself, or NULL: its
 * note says how, and what it wrote to stderr last. */
static const struct rl_job *server_that_ended(const struct rl_check *c)
{
    for (size_t i = 0; i < c->njobs; i++)
        if (c->jobs[i].server_ended && c->jobs[i].note[0])
            return &c->jobs[i];
    return NULL;
}

static enum rl_grade_problem run_problem(const struct rl_grade_run *g,
                                         char **message)
{
    *message = NULL;
    if (g->pending) {
        *message = xstrdup("not graded yet: grading had not reached this "
                           "check when these results were written");
        return RL_GRADE_PROBLEM_PENDING;
    }
    if (g->missing) {
        *message = xasprintf("the submission has no %s", g->missing);
        return RL_GRADE_PROBLEM_MISSING_FILE;
    }
    if (g->refused) {
        *message = xstrdup(g->refused);
        return RL_GRADE_PROBLEM_REFUSED_FILE;
    }
    if (g->status != RL_CHECK_DONE && !g->check.compiled) {
        const char *out = g->check.build.output[RL_VARIANT_PLAIN];
        if (!out) {
            *message = xstrdup("the program could not be built (see the "
                               "messages above)");
            return RL_GRADE_PROBLEM_NOT_BUILT;
        }
        *message = xasprintf("the program does not compile:\n%s", out);
        return RL_GRADE_PROBLEM_COMPILE_ERROR;
    }
    if (g->status != RL_CHECK_DONE) {
        *message = xstrdup("racelab could not run the program (an internal "
                           "error, see the messages above)");
        return RL_GRADE_PROBLEM_INTERNAL_ERROR;
    }
    if (g->spec->schedules && !g->check.sched_ran) {
        *message =
            xasprintf("racelab's scheduler could not run the program: %s",
                      g->check.sched_note);
        return RL_GRADE_PROBLEM_SCHED_DID_NOT_RUN;
    }
    const struct rl_job *ended = server_that_ended(&g->check);
    if (g->check.never_listened && ended) {
        /* A crash or the memory limit is what the student must fix, not
         * the listening. */
        int sig = !ended->exited && ended->summary.exit_status > 128
                      ? ended->summary.exit_status - 128
                      : 0;
        char name[32];
        if (ended->killed_for_memory)
            *message = xasprintf("the server was %s before it listened: %s",
                                 ended->memory_words, ended->note);
        else if (sig)
            *message =
                xasprintf("the server crashed with %s before it "
                          "listened: %s",
                          rl_signal_name(sig, name, sizeof name), ended->note);
        else
            *message = xasprintf("the server never listened: %s", ended->note);
        return RL_GRADE_PROBLEM_NEVER_LISTENED;
    }
    if (g->check.never_listened) {
        *message = xstrdup("the server never listened: it must listen on the "
                           "port given as its first\nargument; try it by "
                           "hand: ./echoserver 5000 & nc 127.0.0.1 5000");
        return RL_GRADE_PROBLEM_NEVER_LISTENED;
    }
    return RL_GRADE_PROBLEM_NONE;
}

static void judge_tests(const struct rl_rubric_check *c,
                        const struct rl_grade_run *g, struct verdict *v)
{
    v->passed = g->have_results;
    if (!g->have_results)
        add_message(v, "%s%s", g->results_error, "");
    for (size_t i = 0; g->have_results && i < g->results.n; i++) {
        const struct rl_ck_test *t = &g->results.v[i];
        if (c->tests && !listed(c->tests, t->name))
            continue;
        if (strcmp(t->result, "success") != 0) {
            v->passed = 0;
            char *where = xasprintf("%s (%s)", t->name ? t->name : "?",
                                    t->fn ? t->fn : "?");
            add_message(v, "test %s failed: %s", where,
                        t->message ? t->message : "");
            free(where);
        }
    }
    for (size_t i = 0; g->have_results && c->tests && c->tests[i]; i++)
        if (!rl_ck_results_find(&g->results, c->tests[i])) {
            v->passed = 0;
            add_message(v, "test %s never finished%s", c->tests[i],
                        g->check.verdict.n ? " (see the findings)" : "");
        }
    if (g->have_results && g->results.n == 0) {
        v->passed = 0; /* passing no test proves nothing */
        add_message(v, "no test ran%s%s",
                    g->check.verdict.n ? " (see the findings)" : "", "");
    } else if (g->have_results && !c->tests && !g->results.complete) {
        v->passed = 0;
        add_message(v, "the tests stopped before the end%s",
                    g->check.verdict.n ? " (see the findings)" : "", "");
    }
    if (!v->passed)
        attach(v, &g->check.verdict, explains_a_hang, NULL);
}

/* "SIGSEGV", or "signal 40" when the C library has no name for it. */
static char *signal_name(int sig)
{
    const char *abbrev = sigabbrev_np(sig);
    return abbrev ? xasprintf("SIG%s", abbrev) : xasprintf("signal %d", sig);
}

/* Why the run did not play out all it was to show (in words, for "not
 * measured: ..."), or NULL when it did: the Check tests all ran, the
 * server's driver played every scenario and round, or the program ended
 * by itself.  A run of the scheduler alone (no tool run) is taken as
 * measured: its seeds that fail with no finding (an assertion on a wrong
 * total) are a verdict of their own. */
static char *unmeasured_because(const struct rl_grade_run *g)
{
    const struct rl_job *job = rl_check_reference_job(&g->check);
    if (job && job->reach == RL_REACH_CRASHED) {
        /* The kernel's SIGKILL for memory is not a crash of its own. */
        char *name = signal_name(job->reach_signal);
        char *what = job->killed_for_memory
                         ? xasprintf("it was %s", job->memory_words)
                         : xasprintf("it crashed with %s", name);
        char *why = xasprintf("%s%s", what,
                              g->spec->check_tests && !g->results.complete
                                  ? " before the tests ended"
                                  : "");
        free(what);
        free(name);
        if (!g->spec->check_tests || !g->results.complete)
            return why;
        free(why);
    }
    if (g->spec->check_tests) {
        if (!g->have_results)
            return xstrdup(g->results_error[0] ? g->results_error
                                               : "the tests wrote no results");
        if (g->results.n == 0)
            return xstrdup("no test ran");
        if (!g->results.complete)
            return xstrdup("the tests stopped before the end");
        return NULL;
    }
    if (!job)
        return NULL;
    switch (job->reach) {
    case RL_REACH_END:
        return NULL;
    case RL_REACH_NOT_RUN:
        return xstrdup("the program did not run");
    case RL_REACH_TIMED_OUT:
        return xasprintf("the program did not finish within %.0f s",
                         job->timeout);
    case RL_REACH_STOPPED:
        return xstrdup("the program was stopped once it was seen hanging");
    case RL_REACH_DRIVE_ENDED:
        return job->note[0] ? xasprintf("the clients stopped before the "
                                        "last round (%s)",
                                        job->note)
                            : xstrdup("the clients stopped before "
                                      "the last round");
    case RL_REACH_CRASHED:
        break; /* said above */
    }
    return NULL;
}

/* A tool that should have shown one of the check's IDs but failed inside
 * the program: in words, or NULL. */
static char *failed_authority(const struct rl_rubric_check *c,
                              const struct rl_grade_run *g)
{
    for (size_t j = 0; j < g->check.njobs; j++) {
        const struct rl_job *job = &g->check.jobs[j];
        if (!job->tool_failed[0])
            continue;
        for (size_t i = 0; c->ids && c->ids[i]; i++)
            if (rl_failure_mode_trusts(c->ids[i], job->tool->name) &&
                (!job->tool_failed_id ||
                 strcmp(job->tool_failed_id, c->ids[i]) == 0))
                return xasprintf("%s could not finish: %s", job->tool->name,
                                 job->tool_failed);
    }
    return NULL;
}

/* "a, b" of the check's IDs. */
static char *joined_ids(char *const *ids)
{
    char *out = xstrdup("");
    for (size_t i = 0; ids && ids[i]; i++) {
        char *next = xasprintf("%s%s%s", out, i ? ", " : "", ids[i]);
        free(out);
        out = next;
    }
    return out;
}

/* A forbid check passes only when its ID is absent from a run that
 * played out all it was to show; an ID seen fails it either way. */
static void judge_forbid(const struct rl_rubric_check *c,
                         const struct rl_grade_run *g, struct verdict *v)
{
    attach(v, &g->check.verdict, in_list, c->ids);
    v->passed = v->nfindings == 0;
    if (!v->passed)
        return;
    /* A hang the probe classified stopped the run: that is the verdict,
     * and the other checks stand on what ran before it. */
    for (size_t i = 0; i < g->check.verdict.n; i++)
        if (explains_a_hang(NULL, g->check.verdict.v[i].id))
            return;
    char *why = failed_authority(c, g);
    if (!why)
        why = unmeasured_because(g);
    if (!why)
        return;
    char *ids = joined_ids(c->ids);
    v->passed = 0;
    v->problem = RL_GRADE_PROBLEM_NOT_MEASURED;
    add_message(v, "not measured: %s, so %s could not be measured", why, ids);
    free(ids);
    free(why);
}

/* 1 when a tool that took part in the run may decide id alone (the
 * scheduler counts when it explored its seeds). */
static int decided_here(const struct rl_grade_run *g, const char *id)
{
    for (int i = 0; rl_tools[i]; i++)
        if (rl_check_selected(&g->check, i) &&
            rl_failure_mode_trusts(id, rl_tools[i]->name) &&
            (rl_tools[i]->stage != RL_STAGE_EXPLORE || g->check.sched_ran))
            return 1;
    return 0;
}

/* The tool this machine could not run that alone would have decided one
 * of the check's IDs (its index in rl_tools), or -1: the tools that did
 * run decide every ID they are trusted with, and only the others are
 * missing. */
static int missing_decider(const struct rl_rubric_check *c,
                           const struct rl_grade_run *g)
{
    for (size_t k = 0; c->ids && c->ids[k]; k++) {
        if (decided_here(g, c->ids[k]))
            continue;
        for (int i = 0; rl_tools[i] && i < RL_MAX_SELECTED_TOOLS; i++)
            if (g->check.unavailable[i][0] &&
                rl_failure_mode_trusts(c->ids[k], rl_tools[i]->name))
                return i;
    }
    return -1;
}

/* A forbid check that found nothing, but only because the tool that
 * would look is missing here: not measured, and the instructor's fix. */
static void judge_unavailable(const struct rl_rubric_check *c,
                              const struct rl_grade_run *g, struct verdict *v)
{
    int t = v->passed ? missing_decider(c, g) : -1;
    if (t < 0)
        return;
    char *ids = joined_ids(c->ids);
    v->passed = 0;
    v->problem = RL_GRADE_PROBLEM_TOOL_UNAVAILABLE;
    free(v->message);
    v->message = xasprintf("not measured: %s could not run here (%s needs "
                           "it): %s",
                           rl_tools[t]->name, ids, g->check.unavailable[t]);
    free(ids);
}

static void judge(const struct rl_rubric_check *c, const struct rl_grade_run *g,
                  struct verdict *v)
{
    memset(v, 0, sizeof *v);
    char *problem_message;
    enum rl_grade_problem problem = run_problem(g, &problem_message);
    if (c->expect == RL_EXPECT_COMPILES) {
        v->passed = !g->missing && !g->refused && g->check.compiled;
        if (v->passed) {
            free(problem_message);
        } else {
            v->problem = problem;
            v->message = problem_message;
        }
        return;
    }
    if (problem != RL_GRADE_PROBLEM_NONE) {
        v->problem = problem;
        v->message = problem_message;
        return;
    }
    switch (c->expect) {
    case RL_EXPECT_ECHO:
        v->passed = g->echoed;
        if (!v->passed)
            add_message(v, "%s%s", g->server_note, "");
        break;
    case RL_EXPECT_TESTS_PASS:
        judge_tests(c, g, v);
        break;
    case RL_EXPECT_FORBID:
        judge_forbid(c, g, v);
        judge_unavailable(c, g, v);
        break;
    default:
        break;
    }
}

static void add_diagnostic(struct rl_grade_result *r, char *text)
{
    r->diagnostics = xrealloc(r->diagnostics,
                              (r->ndiagnostics + 1) * sizeof *r->diagnostics);
    r->diagnostics[r->ndiagnostics++] = text;
}

/* A finding whose ID the failure-mode table lacks cannot be explained to
 * the student: racelab's fault, not the submission's. */
static void check_ids(struct rl_grade_result *r, const struct verdict *v)
{
    for (size_t i = 0; i < v->nfindings; i++)
        if (!rl_failure_mode_find(v->findings[i]->id)) {
            r->internal_error = 1;
            add_diagnostic(
                r, xasprintf("unknown failure mode '%s'", v->findings[i]->id));
        }
}

/* Adds what one run's machine lacked, each distinct line once. */
static void add_environment(struct rl_grade_result *r, const char *line)
{
    for (size_t i = 0; i < r->nenvironment; i++)
        if (strcmp(r->environment[i], line) == 0)
            return;
    r->environment = xrealloc(r->environment,
                              (r->nenvironment + 1) * sizeof *r->environment);
    r->environment[r->nenvironment++] = xstrdup(line);
}

static void note_environment(struct rl_grade_result *r,
                             const struct rl_check *c)
{
    for (int i = 0; rl_tools[i] && i < RL_MAX_SELECTED_TOOLS; i++)
        if (c->unavailable[i][0]) {
            char *line = xasprintf("%s could not run here: %s",
                                   rl_tools[i]->name, c->unavailable[i]);
            add_environment(r, line);
            free(line);
        }
    if (c->confinement_note[0])
        add_environment(r, c->confinement_note);
}

static void summarize_run(struct rl_grade_run_result *out,
                          const struct rl_rubric_run *spec,
                          const struct rl_check *c)
{
    out->name = spec->name;
    out->check = c;
    out->ntools = c->njobs;
    out->tools = xcalloc(c->njobs + 1, sizeof *out->tools);
    for (size_t j = 0; j < c->njobs; j++)
        out->tools[j] = c->jobs[j].summary;
    out->sched_note = c->sched_note;
}

void rl_grade_judge(const struct rl_rubric *rubric,
                    const struct rl_grade_run *runs, struct rl_grade_result *r)
{
    memset(r, 0, sizeof *r);
    r->lab = rubric->lab;
    r->max_score = rl_rubric_max_score(rubric);
    r->nruns = rubric->nruns;
    r->runs = xcalloc(rubric->nruns + 1, sizeof *r->runs);
    for (size_t i = 0; i < rubric->nruns; i++) {
        summarize_run(&r->runs[i], &rubric->runs[i], &runs[i].check);
        if (runs[i].pending) {
            r->npending++;
            continue;
        }
        r->internal_error |= rl_grade_run_internal_error(&runs[i]);
        if (runs[i].fault[0])
            add_diagnostic(r, xstrdup(runs[i].fault));
        note_environment(r, &runs[i].check);
    }
    r->nchecks = rubric->nchecks;
    r->checks = xcalloc(rubric->nchecks + 1, sizeof *r->checks);
    for (size_t i = 0; i < rubric->nchecks; i++) {
        const struct rl_rubric_check *c = &rubric->checks[i];
        struct verdict v;
        judge(c, &runs[c->run], &v);
        check_ids(r, &v);
        struct rl_grade_check_result *out = &r->checks[i];
        out->name = c->name;
        out->status = c->report_only ? RL_GRADE_INFO
                      : v.passed     ? RL_GRADE_PASS
                                     : RL_GRADE_FAIL;
        out->max_points = c->points;
        out->points = out->status == RL_GRADE_PASS ? c->points : 0;
        out->problem = v.problem;
        out->message = v.message;
        out->findings = v.findings;
        out->nfindings = v.nfindings;
        out->run = c->run;
        out->not_measured = v.problem == RL_GRADE_PROBLEM_NOT_MEASURED ||
                            v.problem == RL_GRADE_PROBLEM_TOOL_UNAVAILABLE;
        r->score += out->points;
    }
}

void rl_grade_result_free(struct rl_grade_result *r)
{
    for (size_t i = 0; i < r->nchecks; i++) {
        free(r->checks[i].message);
        free(r->checks[i].findings);
    }
    free(r->checks);
    for (size_t i = 0; i < r->nruns; i++)
        free(r->runs[i].tools);
    free(r->runs);
    for (size_t i = 0; i < r->ndiagnostics; i++)
        free(r->diagnostics[i]);
    free(r->diagnostics);
    for (size_t i = 0; i < r->nenvironment; i++)
        free(r->environment[i]);
    free(r->environment);
    memset(r, 0, sizeof *r);
}

int rl_grade_check_passed(const struct rl_grade_check_result *c)
{
    return c->status != RL_GRADE_FAIL;
}
