/* report_text.c: the findings as a student reads them in a terminal. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine/failure_modes.h"
#include "report/escape.h"
#include "report/report.h"
#include "report/report_trace.h"

enum {
    WRAP_COLUMNS = 76, /* leaves room for a terminal's margin */
    LOC_INDENT = 2,    /* locations, tools, labels */
    BODY_INDENT = 4,   /* detail lines and wrapped continuation lines */
};

/*
 * Prints `label` then `text` as words wrapped at WRAP_COLUMNS; lines after
 * the first start at BODY_INDENT.  A word longer than a line gets a line
 * of its own rather than being cut.
 */
static void print_wrapped(FILE *out, const char *label, const char *text)
{
    int col = fprintf(out, "%*s%s", LOC_INDENT, "", label);
    const char *p = text;

    while (*p) {
        while (*p == ' ' || *p == '\n')
            p++;
        if (*p == '\0')
            break;
        size_t len = strcspn(p, " \n");
        if (col > BODY_INDENT && col + 1 + (int)len > WRAP_COLUMNS) {
            col = fprintf(out, "\n%*s", BODY_INDENT, "") - 1;
        } else {
            fputc(' ', out);
            col++;
        }
        col += fprintf(out, "%.*s", (int)len, p);
        p += len;
    }
    fputc('\n', out);
}

/* "file:line", or "file" when the tool knew no line; returns its width. */
static int format_place(char *buf, size_t size, const struct rl_location *l)
{
    const char *file = l->file ? l->file : "?";

    if (l->line > 0)
        return snprintf(buf, size, "%s:%d", file, l->line);
    return snprintf(buf, size, "%s", file);
}

static int function_width(const struct rl_location *l)
{
    return l->function ? snprintf(NULL, 0, "in %s:", l->function) : 0;
}

/* One line per location, with the user's own code quoted. */
static void print_locations(FILE *out, const struct rl_report *r,
                            const struct rl_finding *f)
{
    int pw = 0, fw = 0;

    for (size_t i = 0; i < f->nlocs; i++) {
        int w = format_place(NULL, 0, &f->locs[i]);
        pw = w > pw ? w : pw;
        w = function_width(&f->locs[i]);
        fw = w > fw ? w : fw;
    }
    for (size_t i = 0; i < f->nlocs; i++) {
        const struct rl_location *l = &f->locs[i];
        const char *code = "";
        char place[4200], fn[160] = "";
        int pad = pw - format_place(place, sizeof place, l);

        if (r->sources && l->file && l->line > 0)
            code = rl_sources_line(r->sources, l->file, l->line);
        if (l->function)
            snprintf(fn, sizeof fn, "in %s:", l->function);
        fprintf(out, "%*s%s", LOC_INDENT, "", place);
        /* Pad only up to text that follows: no trailing blanks. */
        if (code[0] == '\0') {
            if (fn[0])
                fprintf(out, "%*s  %s", pad, "", fn);
        } else {
            fprintf(out, "%*s", pad, "");
            if (fw > 0)
                fprintf(out, "  %-*s", fw, fn);
            fprintf(out, "  %s", code);
        }
        fputc('\n', out);
    }
}

static void print_tools(FILE *out, const struct rl_finding *f)
{
    if (f->ntools == 0)
        return;
    /* racelab's own checkers get a word of what they are: the others
     * are tools a student can look up by name. */
    static const char *const own[][2] = {
        {"probe", "racelab's watch on the locks and threads of the run"},
        {"sched", "racelab's scheduler, which replays chosen interleavings"},
        {"server", "racelab's test clients of the server"},
    };
    fprintf(out, "%*sseen by: ", LOC_INDENT, "");
    for (size_t i = 0; i < f->ntools; i++) {
        fprintf(out, "%s%s", i ? ", " : "", f->tools[i]);
        for (size_t k = 0; k < sizeof own / sizeof *own; k++)
            if (strcmp(f->tools[i], own[k][0]) == 0)
                fprintf(out, " (%s)", own[k][1]);
    }
    fputc('\n', out);
}

/* Detail is the tools' evidence: shown line by line, as written, but
 * with the control bytes a program may have put in it escaped. */
static void print_detail(FILE *out, const char *detail)
{
    char *safe = detail ? rl_escape_text(detail, SIZE_MAX) : NULL;
    const char *p = safe;

    while (p && *p) {
        size_t len = strcspn(p, "\n");
        if (len > 0)
            fprintf(out, "%*s%.*s\n", BODY_INDENT, "", (int)len, p);
        p += len;
        if (*p == '\n')
            p++;
    }
    free(safe);
}

static void print_finding(FILE *out, const struct rl_report *r,
                          const struct rl_finding *f)
{
    const struct rl_failure_mode *m =
        rl_failure_mode_explain(f->id, f->flags, NULL);

    /* An unknown ID is a racelab bug, but the evidence is still worth
     * showing rather than hiding the finding. */
    fprintf(out, "%s: %s\n", f->id,
            m ? m->title : "unknown failure mode (a racelab bug)");
    print_locations(out, r, f);
    print_tools(out, f);
    print_detail(out, f->detail);
    if (f->ntrace > 0) /* a seeded schedule's steps, one column a thread */
        rl_trace_print(out, f->trace, f->ntrace,
                       r->trace_all ? 0 : RL_TRACE_ROWS_DEFAULT, BODY_INDENT);
    if (m) {
        print_wrapped(out, "What it means:", m->explanation);
        print_wrapped(out, "How to fix:", m->fix);
    }
}

/* "3 findings: data-race (2), thread-leak", IDs in order of first use. */
static void print_summary(FILE *out, const struct rl_findings *fs)
{
    size_t n = fs ? fs->n : 0;

    if (n == 0) {
        fprintf(out, "no findings\n");
        return;
    }
    fprintf(out, "%zu finding%s:", n, n == 1 ? "" : "s");
    for (size_t i = 0, shown = 0; i < n; i++) {
        const char *id = fs->v[i].id;
        size_t j = 0;
        while (j < i && strcmp(fs->v[j].id, id) != 0)
            j++;
        if (j < i)
            continue; /* already listed with its count */
        int count = rl_findings_count_id(fs, id);
        fprintf(out, "%s %s", shown++ ? "," : "", id);
        if (count > 1)
            fprintf(out, " (%d)", count);
    }
    fputc('\n', out);
}

static int same_str(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* Runs of one tool that ended the same way: with --runs they repeat. */
static int same_outcome(const struct rl_run_summary *a,
                        const struct rl_run_summary *b)
{
    return same_str(a->tool, b->tool) && !a->timed_out == !b->timed_out &&
           same_str(a->note, b->note);
}

/* Runs that did not simply finish: the student should know their program
 * was stopped, and why.  Repeats are counted, not printed again. */
static void print_run_notes(FILE *out, const struct rl_report *r)
{
    for (size_t i = 0; i < r->nruns; i++) {
        const struct rl_run_summary *run = &r->runs[i];
        size_t j = 0, count = 0;
        if (!run->timed_out && !run->note)
            continue;
        while (j < i && !same_outcome(&r->runs[j], run))
            j++;
        if (j < i)
            continue;
        for (j = i; j < r->nruns; j++)
            count += same_outcome(&r->runs[j], run);
        fprintf(out, "%s:", run->tool ? run->tool : "?");
        if (run->timed_out)
            fprintf(out, " timed out after %.1f s", run->wall_seconds);
        if (run->timed_out && run->note)
            fputc(';', out);
        if (run->note)
            fprintf(out, " %s", run->note);
        if (count > 1)
            fprintf(out, " (%zu runs)", count);
        fputc('\n', out);
    }
}

/* --trace on seeds that passed: their interleavings, before the rest. */
static void print_passing(FILE *out, const struct rl_findings *passing)
{
    for (size_t i = 0; passing && i < passing->n; i++) {
        const struct rl_finding *f = &passing->v[i];
        fprintf(out, "seed %lld: no failure; its interleaving:\n", f->seed);
        rl_trace_print(out, f->trace, f->ntrace, 0, 2);
        fputc('\n', out);
    }
}

void rl_report_text(FILE *out, const struct rl_report *r)
{
    const struct rl_findings *fs = r->findings;

    print_passing(out, r->passing);
    for (size_t i = 0; fs && i < fs->n; i++) {
        print_finding(out, r, &fs->v[i]);
        fputc('\n', out);
    }
    print_run_notes(out, r);
    print_summary(out, fs);
}

void rl_report_text_finding(FILE *out, const struct rl_report *r,
                            const struct rl_finding *f)
{
    print_finding(out, r, f);
}
