/* grade_score.c: judge each rubric check from its run's outcome. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "engine/failure_modes.h"
#include "grade/grade_score.h"
#include "report/report.h"
#include "lib/xalloc.h"

static const char COMPILE_ERROR[] = "the program does not compile";

struct verdict {
    int passed;
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

/* Attaches the findings whose id is in ids; with ids NULL, those that
 * explain why tests never finished (the table's hang classes). */
static void attach(struct verdict *v, const struct rl_findings *fs,
                   char *const *ids)
{
    for (size_t i = 0; i < fs->n; i++) {
        const char *id = fs->v[i].id;
        if (ids ? !listed(ids, id) : !rl_failure_mode_is_hang(id))
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

/* Why a run gives nothing to judge, or NULL when it ran. */
static char *run_problem(const struct rl_grade_run *g)
{
    if (g->missing)
        return xasprintf("the submission has no %s", g->missing);
    if (g->status != 0 && !g->check.compiled) {
        const char *out = g->check.build.output[RL_VARIANT_PLAIN];
        if (!out)
            return xstrdup("the program could not be built (see the "
                           "messages above)");
        return xasprintf("%s:\n%s", COMPILE_ERROR, out);
    }
    if (g->status != 0)
        return xstrdup("racelab could not run the program (an internal "
                       "error, see the messages above)");
    if (g->spec->schedules && !g->check.sched_ran)
        return xasprintf("racelab's scheduler could not run the program: %s",
                         g->check.sched_note);
    if (g->check.never_listened)
        return xstrdup("the server never listened: it must listen on the "
                       "port given as its first\nargument; try it by hand: "
                       "./echoserver 5000 & nc 127.0.0.1 5000");
    return NULL;
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
        attach(v, &g->check.verdict, NULL);
}

static void judge(const struct rl_rubric_check *c, const struct rl_grade_run *g,
                  struct verdict *v)
{
    memset(v, 0, sizeof *v);
    char *problem = run_problem(g);
    if (c->expect == RL_EXPECT_COMPILES) {
        v->passed = !g->missing && g->check.compiled;
        v->message = v->passed ? NULL : problem;
        if (v->passed)
            free(problem);
        return;
    }
    if (problem) {
        v->message = problem;
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
        attach(v, &g->check.verdict, c->ids);
        v->passed = v->nfindings == 0;
        break;
    default:
        break;
    }
}

static void print_message(const char *message)
{
    for (const char *p = message; *p;) {
        size_t len = strcspn(p, "\n");
        printf("        %.*s\n", (int)len, p);
        p += len + (p[len] == '\n');
    }
}

/* The compiler's words once per run; later checks refer back to them. */
static void print_check(const struct rl_rubric_check *c,
                        const struct rl_grade_run *g, const struct verdict *v,
                        int *compiler_output_shown)
{
    int got = v->passed && !c->report_only ? c->points : 0;
    const char *mark = c->report_only ? "INFO" : v->passed ? "PASS" : "FAIL";
    printf("%s  %2d/%-2d  %s\n", mark, got, c->points, c->name);
    int compile_error = v->message && strncmp(v->message, COMPILE_ERROR,
                                              strlen(COMPILE_ERROR)) == 0;
    if (compile_error && *compiler_output_shown)
        print_message("the program does not compile (the compiler's "
                      "messages are above)");
    else if (v->message)
        print_message(v->message);
    *compiler_output_shown |= compile_error;
    if (v->nfindings) {
        struct rl_report r;
        rl_check_report(&g->check, "", &r);
        for (size_t i = 0; i < v->nfindings; i++) {
            putchar('\n');
            rl_report_text_finding(stdout, &r, v->findings[i]);
        }
        rl_check_report_free(&r);
        putchar('\n');
    }
}

static json_t *check_json(const struct rl_rubric_check *c,
                          const struct verdict *v, char *err, size_t errlen)
{
    json_t *o = json_object(), *fs = json_array();
    int got = v->passed && !c->report_only ? c->points : 0;
    json_object_set_new(o, "name", json_string(c->name));
    json_object_set_new(o, "points", json_integer(got));
    json_object_set_new(o, "max_points", json_integer(c->points));
    json_object_set_new(o, "passed", json_boolean(v->passed));
    for (size_t i = 0; i < v->nfindings; i++) {
        json_t *f = rl_report_json_finding(v->findings[i], err, errlen);
        if (!f) {
            json_decref(fs);
            json_decref(o);
            return NULL;
        }
        json_array_append_new(fs, f);
    }
    json_object_set_new(o, "findings", fs);
    json_object_set_new(o, "message",
                        v->message ? json_string(v->message) : json_null());
    json_object_set_new(o, "report_only", json_boolean(c->report_only));
    return o;
}

/* What ran, for the curious and for a timing question: one line per run
 * with each tool's time and how it ended. */
static void print_runs(const struct rl_rubric *rubric,
                       const struct rl_grade_run *runs)
{
    printf("\nruns:\n");
    for (size_t i = 0; i < rubric->nruns; i++) {
        const struct rl_check *c = &runs[i].check;
        printf("  %s:", rubric->runs[i].name);
        if (c->njobs == 0 && !c->sched_note[0])
            printf(" did not run");
        for (size_t j = 0; j < c->njobs; j++) {
            const struct rl_run_summary *s = &c->jobs[j].summary;
            printf("%s %s %.1f s%s%s%s", j ? "," : "", s->tool, s->wall_seconds,
                   s->timed_out ? " (timed out)" : "", s->note ? " (" : "",
                   s->note ? s->note : "");
            if (s->note)
                putchar(')');
        }
        if (c->sched_note[0])
            printf("%s sched (%s)", c->njobs ? "," : "", c->sched_note);
        putchar('\n');
    }
}

int rl_grade_score(const struct rl_rubric *rubric,
                   const struct rl_grade_run *runs, const char *json_path)
{
    int score = 0, internal = 0;
    char err[256] = "";
    json_t *doc = json_object(), *checks = json_array();
    int *shown = xcalloc(rubric->nruns + 1, sizeof *shown);
    for (size_t i = 0; i < rubric->nruns; i++)
        internal |=
            runs[i].status == RL_EXIT_INTERNAL || runs[i].check.internal_error;
    for (size_t i = 0; i < rubric->nchecks; i++) {
        const struct rl_rubric_check *c = &rubric->checks[i];
        const struct rl_grade_run *g = &runs[c->run];
        struct verdict v;
        judge(c, g, &v);
        if (c->report_only)
            v.passed = 1;
        score += v.passed && !c->report_only ? c->points : 0;
        print_check(c, g, &v, &shown[c->run]);
        json_t *cj = check_json(c, &v, err, sizeof err);
        internal |= cj == NULL;
        if (cj)
            json_array_append_new(checks, cj);
        free(v.message);
        free(v.findings);
    }
    free(shown);
    int max = rl_rubric_max_score(rubric);
    print_runs(rubric, runs);
    printf("\nscore: %d/%d\n", score, max);
    fflush(stdout);
    json_object_set_new(doc, "lab", json_string(rubric->lab));
    json_object_set_new(doc, "score", json_integer(score));
    json_object_set_new(doc, "max_score", json_integer(max));
    json_object_set_new(doc, "checks", checks);
    if (json_path && rl_report_json_write(doc, json_path, err, sizeof err) != 0)
        internal = 1;
    if (err[0])
        fprintf(stderr, "racelab grade: %s\n", err);
    json_decref(doc);
    return internal ? RL_EXIT_INTERNAL : RL_EXIT_CLEAN;
}
