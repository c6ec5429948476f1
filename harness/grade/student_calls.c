/* student_calls.c: the student's functions behind a race in test code. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grade/student_calls.h"
#include "lib/xalloc.h"

enum { MAX_DEFS = 256, NAME_MAX_LEN = 64, BACK_LINES = 40 };

struct def {
    char name[NAME_MAX_LEN];
    const char *file;
    int line;
};

struct defs {
    struct def v[MAX_DEFS];
    size_t n;
};

/* "long rw_read_lock(struct rw *rw)" at column 0, not a declaration:
 * the name before the first '(' (a file's own static helpers too). */
static void add_definition(struct defs *d, const char *file, int line,
                           const char *text)
{
    if (!isalpha((unsigned char)text[0]) || strchr(text, ';') ||
        strncmp(text, "typedef", 7) == 0 || strncmp(text, "struct", 6) == 0 ||
        d->n == MAX_DEFS)
        return;
    const char *open = strchr(text, '(');
    if (!open || strchr(text, '='))
        return;
    const char *end = open, *start;
    while (end > text && end[-1] == ' ')
        end--;
    start = end;
    while (start > text &&
           (isalnum((unsigned char)start[-1]) || start[-1] == '_'))
        start--;
    if (start == end || start == text || end - start >= NAME_MAX_LEN)
        return; /* a name alone at column 0 is a call, not a definition */
    struct def *x = &d->v[d->n++];
    memcpy(x->name, start, (size_t)(end - start));
    x->name[end - start] = '\0';
    x->file = file;
    x->line = line;
}

static void read_definitions(struct defs *d, const char *file)
{
    FILE *f = fopen(file, "r");
    char buf[1024];
    for (int n = 1; f && fgets(buf, sizeof buf, f); n++)
        add_definition(d, file, n, buf);
    if (f)
        fclose(f);
}

static const struct def *find_def(const struct defs *d, const char *name,
                                  size_t len)
{
    for (size_t i = 0; i < d->n; i++)
        if (strlen(d->v[i].name) == len &&
            strncmp(d->v[i].name, name, len) == 0)
            return &d->v[i];
    return NULL;
}

/* The calls of student functions on one line, in order, each once. */
static void calls_on(const char *text, const struct defs *d,
                     const struct def **out, size_t *n, size_t max)
{
    for (const char *p = text; *p; p++) {
        if (!(isalpha((unsigned char)*p) || *p == '_') ||
            (p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '_')))
            continue;
        const char *e = p;
        while (isalnum((unsigned char)*e) || *e == '_')
            e++;
        const char *q = e;
        while (*q == ' ')
            q++;
        const struct def *x =
            *q == '(' ? find_def(d, p, (size_t)(e - p)) : NULL;
        int seen = 0;
        for (size_t i = 0; x && i < *n; i++)
            seen |= out[i] == x;
        if (x && !seen && *n < max)
            out[(*n)++] = x;
        p = e - 1;
    }
}

/* The lines of file from the start of the function holding line (a line
 * that opens at column 0) down to line. */
static void calls_before(const char *file, int line, const struct defs *d,
                         const struct def **out, size_t *n, size_t max)
{
    FILE *f = fopen(file, "r");
    char lines[BACK_LINES][512];
    int have = 0;
    char buf[512];
    for (int k = 1; f && k <= line && fgets(buf, sizeof buf, f); k++) {
        if (buf[0] == '{' ||
            (isalpha((unsigned char)buf[0]) && !strchr(buf, ';')))
            have = 0; /* a function starts here */
        snprintf(lines[have % BACK_LINES], sizeof lines[0], "%s", buf);
        have++;
    }
    if (f)
        fclose(f);
    int first = have > BACK_LINES ? have - BACK_LINES : 0;
    for (int k = first; k < have; k++)
        calls_on(lines[k % BACK_LINES], d, out, n, max);
}

static int is_in(const char *file, char *const *list, size_t n)
{
    for (size_t i = 0; file && i < n; i++)
        if (strcmp(file, list[i]) == 0)
            return 1;
    return 0;
}

static const char *base(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static void name_one(struct rl_finding *f, const struct defs *d,
                     char *const *student, size_t nstudent, char *const *lab,
                     size_t nlab)
{
    const struct def *calls[8];
    size_t n = 0;
    for (size_t i = 0; i < f->nlocs; i++)
        if (is_in(f->locs[i].file, student, nstudent))
            return; /* the race is in the student's code: shown already */
    size_t nlocs = f->nlocs;
    for (size_t i = 0; i < nlocs; i++)
        if (is_in(f->locs[i].file, lab, nlab))
            calls_before(f->locs[i].file, f->locs[i].line, d, calls, &n, 8);
    if (n == 0)
        return;
    char line[1024];
    int len = snprintf(line, sizeof line,
                       "the racing lines are in the lab's tests, which "
                       "guard them with your code: before them they call");
    for (size_t i = 0; i < n && len > 0 && (size_t)len < sizeof line; i++) {
        len += snprintf(line + len, sizeof line - (size_t)len, "%s %s (%s:%d)",
                        i == 0       ? ""
                        : i + 1 == n ? " and"
                                     : ",",
                        calls[i]->name, base(calls[i]->file), calls[i]->line);
        rl_finding_add_location(f, calls[i]->file, calls[i]->line,
                                calls[i]->name);
    }
    if (len > 0 && (size_t)len < sizeof line)
        snprintf(line + len, sizeof line - (size_t)len,
                 ": %s did not keep the tests' threads apart",
                 n == 1 ? "it" : "they");
    rl_finding_append_detail(f, line);
}

void rl_name_student_calls(struct rl_findings *found, char *const *student,
                           size_t nstudent, char *const *lab, size_t nlab)
{
    struct defs *d = xcalloc(1, sizeof *d);
    for (size_t i = 0; i < nstudent; i++)
        read_definitions(d, student[i]);
    for (size_t i = 0; d->n > 0 && i < found->n; i++)
        if (strcmp(found->v[i].id, "data-race") == 0)
            name_one(&found->v[i], d, student, nstudent, lab, nlab);
    free(d);
}
