/* grade_text.c: the grade as the student reads it: PASS/FAIL per check
 * with its message and findings, the runs, the score. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/check_engine.h"
#include "report/check_view.h"
#include "lib/xalloc.h"
#include "report/escape.h"
#include "report/grade_formats.h"

/* Messages quote what the program printed or logged: escaped and
 * capped (escape.h), so that no byte of it can forge a report line. */
static void print_message(FILE *out, const char *message)
{
    char *safe = rl_escape_text(message, RL_ESCAPE_CAP);
    for (const char *p = safe; *p;) {
        size_t len = strcspn(p, "\n");
        fprintf(out, "        %.*s\n", (int)len, p);
        p += len + (p[len] == '\n');
    }
    free(safe);
}

static void print_escaped(FILE *out, const char *text)
{
    char *safe = rl_escape_text(text, RL_ESCAPE_CAP);
    for (char *p = safe; *p; p++)
        if (*p == '\n')
            *p = ' '; /* a runs line stays one line */
    fputs(safe, out);
    free(safe);
}

static const char *mark(enum rl_grade_status s)
{
    return s == RL_GRADE_INFO ? "INFO" : s == RL_GRADE_PASS ? "PASS" : "FAIL";
}

/* Each finding's block is shown once, under the first check it fails;
 * later checks refer back to it (one deadlock can fail every test). */
struct shown {
    const struct rl_finding *finding;
    const char *check; /* where its block is */
};

struct shown_list {
    struct shown *v;
    size_t n;
};

static const char *shown_under(const struct shown_list *l,
                               const struct rl_finding *f)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].finding == f)
            return l->v[i].check;
    return NULL;
}

static void print_findings(FILE *out, const struct rl_grade_result *r,
                           const struct rl_grade_check_result *c,
                           struct shown_list *seen)
{
    struct rl_report rep;
    int blocks = 0;
    rl_check_report(r->runs[c->run].check, "", &rep);
    for (size_t i = 0; i < c->nfindings; i++) {
        const struct rl_finding *f = c->findings[i];
        const char *where = shown_under(seen, f);
        if (where) {
            fprintf(out, "        %s: see the finding under '%s' above\n",
                    f->id, where);
            continue;
        }
        fputc('\n', out);
        rl_report_text_finding(out, &rep, f);
        blocks = 1;
        seen->v = xrealloc(seen->v, (seen->n + 1) * sizeof *seen->v);
        seen->v[seen->n++] = (struct shown){f, c->name};
    }
    rl_check_report_free(&rep);
    if (blocks)
        fputc('\n', out);
}

/* What a run's checks have shown already: a problem of the whole run (it
 * did not compile, a file was refused) is said once, then referred to. */
struct run_shown {
    int compiler_output;
    const char *problem; /* the message of the run's problem, once shown */
};

/* "as above: <its first line>", cut to the report's width. */
static void print_as_above(FILE *out, const char *message)
{
    int len = (int)strcspn(message, "\n");
    const int room = 76 - 8 - 10;
    if (len > room)
        fprintf(out, "        as above: %.*s...\n", room - 3, message);
    else
        fprintf(out, "        as above: %.*s\n", len, message);
}

static void print_check(FILE *out, const struct rl_grade_result *r,
                        const struct rl_grade_check_result *c,
                        struct run_shown *run, struct shown_list *seen)
{
    fprintf(out, "%s  %2d/%-2d  %s\n", mark(c->status), c->points,
            c->max_points, c->name);
    int compile_error = c->problem == RL_GRADE_PROBLEM_COMPILE_ERROR;
    int run_problem = c->problem != RL_GRADE_PROBLEM_NONE && c->message;
    if (compile_error && run->compiler_output)
        print_message(out, "the program does not compile (the compiler's "
                           "messages are above)");
    else if (run_problem && !compile_error && run->problem &&
             strcmp(run->problem, c->message) == 0)
        print_as_above(out, c->message);
    else if (c->message)
        print_message(out, c->message);
    run->compiler_output |= compile_error;
    if (run_problem && !run->problem)
        run->problem = c->message;
    if (c->nfindings)
        print_findings(out, r, c, seen);
}

/* How the run's programs were confined, once per distinct way (they
 * differ only where a tool had to fall back, which must be said). */
static void print_isolation(FILE *out, const struct rl_grade_run_result *run)
{
    for (size_t j = 0; j < run->ntools; j++) {
        const char *iso = run->tools[j].isolation;
        int said = 0;
        for (size_t k = 0; iso && k < j; k++)
            said |= run->tools[k].isolation &&
                    strcmp(run->tools[k].isolation, iso) == 0;
        if (iso && !said)
            fprintf(out, "    isolation: %s\n", iso);
    }
}

/* What ran, for the curious and for a timing question: one line per run
 * with each tool's time and how it ended. */
static void print_runs(FILE *out, const struct rl_grade_result *r)
{
    fprintf(out, "\nruns:\n");
    for (size_t i = 0; i < r->nruns; i++) {
        const struct rl_grade_run_result *run = &r->runs[i];
        fprintf(out, "  %s:", run->name);
        if (run->ntools == 0 && !run->sched_note[0])
            fprintf(out, " did not run");
        for (size_t j = 0; j < run->ntools; j++) {
            const struct rl_run_summary *s = &run->tools[j];
            fprintf(out, "%s %s %.1f s%s%s", j ? "," : "", s->tool,
                    s->wall_seconds, s->timed_out ? " (timed out)" : "",
                    s->note ? " (" : "");
            if (s->note) {
                print_escaped(out, s->note);
                fputc(')', out);
            }
        }
        if (run->sched_note[0]) {
            fprintf(out, "%s sched (", run->ntools ? "," : "");
            print_escaped(out, run->sched_note);
            fputc(')', out);
        }
        fputc('\n', out);
        print_isolation(out, run);
    }
}

/* One check's block as the report prints it, on its own (each finding's
 * block in full): the per-test output of the platform formats. */
char *rl_grade_text_check(const struct rl_grade_result *r, size_t i)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    if (!out)
        return xstrdup("");
    struct run_shown run = {0};
    struct shown_list seen = {0};
    print_check(out, r, &r->checks[i], &run, &seen);
    free(seen.v);
    fclose(out);
    return buf ? buf : xstrdup("");
}

/* First of all, in a partial grade (written while grading goes on, kept
 * if racelab is stopped before the end): that it is not the grade. */
static void print_partial(FILE *out, const struct rl_grade_result *r)
{
    if (r->npending)
        fprintf(out,
                "!!! GRADING DID NOT FINISH: %zu of %zu run%s had not run "
                "when these results were written; their checks score 0. "
                "This is a partial result, not the grade.\n\n",
                r->npending, r->nruns, r->nruns == 1 ? "" : "s");
}

/* First, and loud: what this machine could not do, so that a partial
 * score is never read as the student's. */
static void print_environment(FILE *out, const struct rl_grade_result *r)
{
    if (!r->nenvironment)
        return;
    int unmeasured = 0;
    for (size_t i = 0; i < r->nchecks; i++)
        unmeasured += r->checks[i].problem == RL_GRADE_PROBLEM_TOOL_UNAVAILABLE;
    if (unmeasured)
        fprintf(out,
                "!!! ENVIRONMENT FAULT: this machine could not run every "
                "tool; %d check%s NOT MEASURED (0 points that say nothing "
                "of the work); the instructor must fix:\n",
                unmeasured, unmeasured == 1 ? " is" : "s are");
    else
        fprintf(out, "!!! ENVIRONMENT FAULT: this machine lacks part of "
                     "what racelab uses; every check was still measured by "
                     "the tools that ran; the instructor should fix:\n");
    for (size_t i = 0; i < r->nenvironment; i++) {
        fputs("!!!   ", out);
        print_escaped(out, r->environment[i]);
        fputc('\n', out);
    }
    fputc('\n', out);
}

int rl_grade_text(const struct rl_grade_result *r, const char *path, char *err,
                  size_t errlen)
{
    int to_stdout = strcmp(path, "-") == 0;
    FILE *out = to_stdout ? stdout : fopen(path, "w");
    if (!out) {
        snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
        return -1;
    }
    print_partial(out, r);
    print_environment(out, r);
    struct run_shown *shown = xcalloc(r->nruns + 1, sizeof *shown);
    struct shown_list seen = {0};
    for (size_t i = 0; i < r->nchecks; i++)
        print_check(out, r, &r->checks[i], &shown[r->checks[i].run], &seen);
    free(seen.v);
    free(shown);
    print_runs(out, r);
    fprintf(out, "\nscore: %d/%d\n", r->score, r->max_score);
    int failed = fflush(out) != 0 || ferror(out);
    if (!to_stdout)
        failed |= fclose(out) != 0;
    if (failed)
        snprintf(err, errlen, "cannot write '%s'", path);
    return failed ? -1 : 0;
}

char *rl_grade_text_string(const struct rl_grade_result *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    if (!out)
        return xstrdup("");
    print_partial(out, r);
    print_environment(out, r);
    struct run_shown *shown = xcalloc(r->nruns + 1, sizeof *shown);
    struct shown_list seen = {0};
    for (size_t i = 0; i < r->nchecks; i++)
        print_check(out, r, &r->checks[i], &shown[r->checks[i].run], &seen);
    free(seen.v);
    free(shown);
    fprintf(out, "\nscore: %d/%d\n", r->score, r->max_score);
    fclose(out);
    return buf ? buf : xstrdup("");
}
