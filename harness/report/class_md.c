/* class_md.c: the class report as Markdown (for a course repository or an
 * issue).  Student names and source lines are data: in table cells '|'
 * is escaped, newlines dropped, and code spans fenced by more backticks
 * than the text holds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/class_report.h"
#include "report/escape.h"

/* Text in a table cell: control bytes made visible (rl_escape_text), no
 * line breaks, no cell separators, no HTML, no Markdown emphasis. */
static void cell(FILE *out, const char *text)
{
    if (!text)
        return;
    char *safe = rl_escape_text(text, RL_ESCAPE_CAP);
    for (const char *s = safe; *s; s++)
        switch (*s) {
        case '|':
            fputs("\\|", out);
            break;
        case '\n':
        case '\r':
            fputc(' ', out);
            break;
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '&':
            fputs("&amp;", out);
            break;
        case '*':
        case '_':
        case '[':
        case ']':
        case '`':
        case '\\':
            fputc('\\', out);
            fputc(*s, out);
            break;
        default:
            fputc(*s, out);
        }
    free(safe);
}

/* A code span: a fence one backtick longer than the longest run inside;
 * '|' still ends a cell in a table, so it is written as an entity-free
 * escape GitHub honours inside code spans too. */
static void code(FILE *out, const char *text)
{
    char *safe = rl_escape_text(text, RL_ESCAPE_CAP);
    const char *s = safe;
    size_t run = 0, longest = 0;
    for (const char *p = s; *p; p++) {
        run = *p == '`' ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    for (size_t i = 0; i <= longest; i++)
        fputc('`', out);
    fputc(' ', out);
    for (; *s; s++)
        if (*s == '|')
            fputs("\\|", out);
        else if (*s == '\n' || *s == '\r')
            fputc(' ', out);
        else
            fputc(*s, out);
    fputc(' ', out);
    for (size_t i = 0; i <= longest; i++)
        fputc('`', out);
    free(safe);
}

static void bar(FILE *out, size_t n, size_t top, int width)
{
    int len = top ? (int)((double)width * (double)n / (double)top + 0.5) : 0;
    for (int i = 0; i < len; i++)
        fputs("█", out);
}

int rl_class_md(const struct rl_class *c, FILE *out)
{
    size_t graded = rl_class_graded(c);
    fputs("# Lab ", out);
    cell(out, c->lab);
    fprintf(out, ": what the class got wrong\n\n%zu submissions, %zu graded.\n",
            c->nstudents, graded);

    size_t *counts;
    char **labels;
    size_t nbins = rl_class_histogram(c, &counts, &labels);
    size_t top = 0;
    for (size_t b = 0; b < nbins; b++)
        if (counts[b] > top)
            top = counts[b];
    fputs("\n## Scores\n\n| score | submissions | |\n|---:|---:|:---|\n", out);
    for (size_t b = 0; b < nbins; b++) {
        fprintf(out, "| %s | %zu | ", labels[b], counts[b]);
        bar(out, counts[b], top, 30);
        fputs(" |\n", out);
        free(labels[b]);
    }
    free(counts);
    free(labels);

    fputs("\n## Each check: the share of the class that passed\n\n"
          "| check | points | passed | share |\n|:---|---:|---:|---:|\n",
          out);
    for (size_t i = 0; i < c->nchecks; i++) {
        size_t p = rl_class_passed(c, i);
        fputs("| ", out);
        cell(out, c->checks[i]);
        fprintf(out, " | %d | %zu/%zu | %.0f%% |\n", c->check_max[i], p, graded,
                graded ? 100.0 * (double)p / (double)graded : 0.0);
    }

    fputs("\n## What went wrong: each failure mode\n\n", out);
    if (!c->nmodes)
        fputs("No submission has a finding.\n", out);
    else
        fputs("| failure mode | submissions | typical case | what it means |\n"
              "|:---|---:|:---|:---|\n",
              out);
    for (size_t i = 0; i < c->nmodes; i++) {
        const struct rl_class_mode *m = &c->modes[i];
        fputs("| **", out);
        cell(out, m->id);
        fputs("**: ", out);
        cell(out, m->title);
        fprintf(out, " | %zu of %zu | ", m->submissions, graded);
        cell(out, m->where ? m->where : "");
        if (m->example) {
            fputs(" in ", out);
            cell(out, m->example);
        }
        if (m->source && m->source[0]) {
            fputs(" ", out);
            code(out, m->source);
        }
        fputs(" | ", out);
        cell(out, m->explanation);
        fputs(" |\n", out);
    }

    if (c->nmodes)
        fputs("\nWho has each:\n\n", out);
    for (size_t i = 0; i < c->nmodes; i++) {
        fputs("- ", out);
        cell(out, c->modes[i].id);
        fputs(": ", out);
        for (size_t j = 0; c->modes[i].who && c->modes[i].who[j]; j++) {
            fputs(j ? ", " : "", out);
            cell(out, c->modes[i].who[j]);
        }
        fputc('\n', out);
    }

    size_t n;
    size_t *idx = rl_class_slowest(c, &n);
    fputs("\n## The slowest submissions to grade\n\n", out);
    if (!n)
        fputs("No timings were recorded.\n", out);
    else
        fputs("| submission | seconds | score |\n|:---|---:|---:|\n", out);
    for (size_t i = 0; i < n && i < 5; i++) {
        const struct rl_class_student *s = &c->students[idx[i]];
        fputs("| ", out);
        cell(out, s->name);
        if (s->graded)
            fprintf(out, " | %.1f | %d/%d |\n", s->seconds, s->score,
                    s->max_score);
        else
            fprintf(out, " | %.1f | not graded |\n", s->seconds);
    }
    free(idx);

    fputs("\n## Submissions not graded, or graded with a caveat\n\n", out);
    int any = 0;
    for (size_t i = 0; i < c->nstudents; i++) {
        const struct rl_class_student *s = &c->students[i];
        if (!s->why)
            continue;
        fputs("- ", out);
        cell(out, s->name);
        fputs(s->graded ? ": " : ": **not graded**: ", out);
        cell(out, s->why);
        fputc('\n', out);
        any = 1;
    }
    if (!any)
        fputs("Every submission was graded.\n", out);
    return ferror(out) ? -1 : 0;
}
