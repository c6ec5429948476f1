/* grade_junit.c: JUnit XML, as CI test reports read it (GitLab's and
 * GitHub's JUnit readers, docs/platforms.md): testsuites > testsuite >
 * testcase (classname, name, file, line, time), a failed testcase with a
 * <failure message type> whose body is the report's block.  For racelab
 * grade a testcase is a rubric check; for racelab check, a finding. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/grade_formats.h"
#include "engine/failure_modes.h"
#include "lib/xalloc.h"
#include "report/out_file.h"
#include "report/xml_escape.h"

/* At most this much of a body: GitLab takes up to 30 MB a file. */
enum { BODY_CAP = 64 * 1024 };

static void attr(FILE *out, const char *name, const char *value)
{
    fprintf(out, " %s=\"", name);
    rl_xml_write(out, value, 1);
    fputc('"', out);
}

/* The first line of s, for a message attribute (the body has it all). */
static char *first_line(const char *s)
{
    size_t n = strcspn(s ? s : "", "\n");
    char *line = xcalloc(n + 1, 1);
    memcpy(line, s ? s : "", n);
    return line;
}

/* A body cut to BODY_CAP on a UTF-8 boundary. */
static void body(FILE *out, const char *text)
{
    size_t n = strlen(text);
    if (n <= BODY_CAP) {
        rl_xml_write(out, text, 0);
        return;
    }
    size_t cap = BODY_CAP;
    while (cap > 0 && ((unsigned char)text[cap] & 0xC0) == 0x80)
        cap--;
    char *cut = strndup(text, cap);
    rl_xml_write(out, cut, 0);
    fprintf(out, "\n... (%zu more bytes dropped)\n", n - cap);
    free(cut);
}

/* <testcase classname name [file line] time> with, when it failed, an
 * element (failure or error) holding the block. */
struct testcase {
    const char *classname, *name;
    const struct rl_location *at; /* or NULL */
    double seconds;
    const char *outcome; /* "failure", "error" or NULL: passed */
    const char *message, *type;
    const char *text; /* the body of the outcome, or system-out */
};

static void write_testcase(FILE *out, const struct testcase *t)
{
    fputs("    <testcase", out);
    attr(out, "classname", t->classname);
    attr(out, "name", t->name);
    if (t->at && t->at->file) {
        attr(out, "file", t->at->file);
        if (t->at->line > 0)
            fprintf(out, " line=\"%d\"", t->at->line);
    }
    fprintf(out, " time=\"%.3f\">\n", t->seconds);
    if (t->outcome) {
        char *message = first_line(t->message);
        fprintf(out, "      <%s", t->outcome);
        attr(out, "message", message);
        attr(out, "type", t->type);
        fputs(">", out);
        body(out, t->text ? t->text : "");
        fprintf(out, "</%s>\n", t->outcome);
        free(message);
    } else if (t->text && t->text[0]) {
        fputs("      <system-out>", out);
        body(out, t->text);
        fputs("</system-out>\n", out);
    }
    fputs("    </testcase>\n", out);
}

static void write_head(FILE *out, const char *name, size_t tests,
                       size_t failures, size_t errors, double seconds)
{
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", out);
    attr(out, "name", "racelab");
    fprintf(out,
            " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" time=\"%.3f\">\n",
            tests, failures, errors, seconds);
    fputs("  <testsuite", out);
    attr(out, "name", name);
    fprintf(out,
            " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"0\" "
            "time=\"%.3f\">\n",
            tests, failures, errors, seconds);
}

static void write_tail(FILE *out)
{
    fputs("  </testsuite>\n</testsuites>\n", out);
}

/* The first location of a check's findings, or NULL. */
static const struct rl_location *
check_place(const struct rl_grade_check_result *c)
{
    for (size_t i = 0; i < c->nfindings; i++)
        if (c->findings[i]->nlocs)
            return &c->findings[i]->locs[0];
    return NULL;
}

static double run_seconds(const struct rl_grade_run_result *run)
{
    double t = 0;
    for (size_t j = 0; j < run->ntools; j++)
        t += run->tools[j].wall_seconds;
    return t;
}

/* Each run's time shared among its checks: the suite's time adds up. */
static double check_seconds(const struct rl_grade_result *r, size_t i)
{
    size_t run = r->checks[i].run, sharing = 0;
    for (size_t k = 0; k < r->nchecks; k++)
        sharing += r->checks[k].run == run;
    return run < r->nruns && sharing ? run_seconds(&r->runs[run]) / sharing : 0;
}

int rl_grade_junit(const struct rl_grade_result *r, const char *path, char *err,
                   size_t errlen)
{
    FILE *out = rl_out_open(path);
    if (!out) {
        snprintf(err, errlen, "cannot write '%s'", path);
        return -1;
    }
    size_t failures = 0, errors = 0;
    double total = 0;
    for (size_t i = 0; i < r->nchecks; i++) {
        const struct rl_grade_check_result *c = &r->checks[i];
        /* A check with nothing to judge (no compile, a missing file) is
         * an error in JUnit's words: the test could not run. */
        if (!rl_grade_check_passed(c))
            *(c->problem != RL_GRADE_PROBLEM_NONE && !c->nfindings
                  ? &errors
                  : &failures) += 1;
        total += check_seconds(r, i);
    }
    write_head(out, r->lab, r->nchecks, failures, errors, total);
    /* The score, as every other format has it. */
    fprintf(out,
            "    <properties>\n"
            "      <property name=\"score\" value=\"%d\"/>\n"
            "      <property name=\"max_score\" value=\"%d\"/>\n"
            "    </properties>\n",
            r->score, r->max_score);
    for (size_t i = 0; i < r->nchecks; i++) {
        const struct rl_grade_check_result *c = &r->checks[i];
        char *block = rl_grade_text_check(r, i);
        int passed = rl_grade_check_passed(c);
        int error = c->problem != RL_GRADE_PROBLEM_NONE && !c->nfindings;
        char points[64];
        snprintf(points, sizeof points, "%d/%d points", c->points,
                 c->max_points);
        const char *type = c->nfindings ? c->findings[0]->id
                           : error      ? "not-run"
                                        : "failed";
        struct testcase t = {
            .classname = r->lab,
            .name = c->name,
            .at = check_place(c),
            .seconds = check_seconds(r, i),
            .outcome = passed  ? NULL
                       : error ? "error"
                               : "failure",
            .message = c->message     ? c->message
                       : c->nfindings ? c->findings[0]->id
                                      : points,
            .type = type,
            .text = block,
        };
        write_testcase(out, &t);
        free(block);
    }
    write_tail(out);
    return rl_out_close(out, path, err, errlen);
}

/* The diagnostics that stopped the check (the compiler's output), in
 * one text; NULL when none did. */
static char *stopping_diagnostics(const struct rl_diagnostics *d)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = NULL;
    for (size_t i = 0; d && i < d->n; i++) {
        if (d->v[i].level != RL_DIAG_USER && d->v[i].level != RL_DIAG_INTERNAL)
            continue;
        if (!mem && !(mem = open_memstream(&text, &len)))
            return NULL;
        fprintf(mem, "%s\n", d->v[i].message);
    }
    if (mem)
        fclose(mem);
    return text;
}

int rl_check_junit(const struct rl_report *r, const char *path, char *err,
                   size_t errlen)
{
    FILE *out = rl_out_open(path);
    if (!out) {
        snprintf(err, errlen, "cannot write '%s'", path);
        return -1;
    }
    double total = 0;
    for (size_t i = 0; i < r->nruns; i++)
        total += r->runs[i].wall_seconds;
    size_t n = r->findings ? r->findings->n : 0;
    char *stopped = stopping_diagnostics(r->diag);
    /* No finding is one passing testcase, so the suite is not empty; a
     * check that could not run is one error. */
    size_t tests = n ? n : 1, errors = stopped && !n;
    write_head(out, r->program, tests, n, errors, total);
    for (size_t i = 0; i < n; i++) {
        const struct rl_finding *f = &r->findings->v[i];
        const struct rl_failure_mode *m = rl_failure_mode_find(f->id);
        char *block = NULL, name[512];
        size_t len = 0;
        FILE *mem = open_memstream(&block, &len);
        if (mem) {
            rl_report_text_finding(mem, r, f);
            fclose(mem);
        }
        /* GitLab keeps one testcase per classname and name: the place
         * and the finding's number make each name its own. */
        if (f->nlocs)
            snprintf(name, sizeof name, "%zu. %s at %s:%d", i + 1, f->id,
                     f->locs[0].file, f->locs[0].line);
        else
            snprintf(name, sizeof name, "%zu. %s", i + 1, f->id);
        struct testcase t = {
            .classname = r->program,
            .name = name,
            .at = f->nlocs ? &f->locs[0] : NULL,
            .seconds = total / n,
            .outcome = "failure",
            .message = m ? m->title : f->id,
            .type = f->id,
            .text = block ? block : "",
        };
        write_testcase(out, &t);
        free(block);
    }
    if (!n) {
        struct testcase t = {
            .classname = r->program,
            .name = stopped ? "the check ran" : "no concurrency bug found",
            .seconds = total,
            .outcome = stopped ? "error" : NULL,
            .message = stopped,
            .type = "not-run",
            .text = stopped,
        };
        write_testcase(out, &t);
    }
    free(stopped);
    write_tail(out);
    return rl_out_close(out, path, err, errlen);
}
