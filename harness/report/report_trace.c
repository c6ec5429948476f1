/* report_trace.c: a seeded schedule's steps drawn as one column a thread. */
#include <stdio.h>
#include <string.h>

#include "protocol/sched_wire.h"
#include "report/report_trace.h"

enum { NT = RS_MAX_THREADS, CELL_MAX = 44 };

static void thread_name(char *buf, size_t len, int t)
{
    rl_trace_thread_name(buf, len, t);
}

/* "12 read cnt = 0"; with `files`, "cnt.c:12 read cnt = 0". */
static void cell_text(const struct rl_trace_step *s, int files, char *b,
                      size_t len)
{
    int n = 0;
    if (s->line > 0 && files && s->file)
        n = snprintf(b, len, "%s:%d ", s->file, s->line);
    else if (s->line > 0)
        n = snprintf(b, len, "%d ", s->line);
    n += snprintf(b + n, len - n, "%s", s->op);
    if (s->detail)
        snprintf(b + n, len - n, " %s", s->detail);
    if (strlen(b) > CELL_MAX) {
        b[CELL_MAX - 3] = '\0';
        strcat(b, "...");
    }
}

/* 1 when the steps come from more than one file: lines need names. */
static int several_files(const struct rl_trace_step *s, size_t n)
{
    const char *first = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!s[i].file)
            continue;
        if (!first)
            first = s[i].file;
        else if (strcmp(first, s[i].file) != 0)
            return 1;
    }
    return 0;
}

static const char *losing_label(int losing)
{
    switch (losing) {
    case RL_LOSING_STALE:
        return "  <== lost update";
    case RL_LOSING_RACE:
        return "  <== unsynchronized";
    case RL_LOSING_FAILED:
        return "  <== fails here";
    default:
        return "";
    }
}

void rl_trace_print(FILE *out, const struct rl_trace_step *s, size_t n,
                    size_t max_rows, int indent)
{
    int width[NT] = {0}, nthreads = 0;
    char cell[CELL_MAX + 8];
    size_t first = max_rows && n > max_rows ? n - max_rows : 0;
    int files = several_files(s, n);
    for (size_t i = first; i < n; i++) {
        int t = s[i].thread;
        if (t < 0 || t >= NT)
            continue;
        cell_text(&s[i], files, cell, sizeof cell);
        int w = (int)strlen(cell);
        width[t] = w > width[t] ? w : width[t];
        nthreads = t + 1 > nthreads ? t + 1 : nthreads;
    }
    char name[16];
    fprintf(out, "%*sstep", indent, "");
    for (int t = 0; t < nthreads; t++) {
        thread_name(name, sizeof name, t);
        width[t] = width[t] < 8 ? 8 : width[t];
        fprintf(out, "  %-*s", t + 1 < nthreads ? width[t] : 0, name);
    }
    fputc('\n', out);
    if (first > 0)
        fprintf(out, "%*s(%zu earlier steps not shown)\n", indent, "", first);
    for (size_t i = first; i < n; i++) {
        int t = s[i].thread;
        if (t < 0 || t >= NT)
            continue;
        cell_text(&s[i], files, cell, sizeof cell);
        fprintf(out, "%*s%4zu", indent, "", i + 1);
        for (int c = 0; c < t; c++)
            fprintf(out, "  %*s", width[c], "");
        fprintf(out, "  %s%s\n", cell, losing_label(s[i].losing));
    }
}
