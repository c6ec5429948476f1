/* grade_github.c: GitHub Actions workflow commands: an ::error
 * annotation per finding (file, line, title), and per failed check that
 * has none.
 *
 * The runner reads a command from any line of a step's stdout or stderr
 * that starts, after blanks, with "::" (or the older "##["), and racelab
 * prints text the student's program chose (a compiler's quote of a
 * source line, what a server sent back).  So before anything else is
 * printed, rl_github_begin says ::stop-commands:: with a token drawn at
 * random, which no earlier output can know; the runner ignores commands
 * until ::TOKEN:: comes back, right before the annotations, whose own
 * text is escaped as the runner unescapes it (%25 %0D %0A, and in
 * properties %3A %2C too).  Docs: docs/platforms.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "engine/failure_modes.h"
#include "report/escape.h"
#include "report/grade_formats.h"
#include "report/out_file.h"

/* One annotation's message at most (a finding's detail can be long). */
enum { MESSAGE_CAP = 2048 };

/* The fence's token, drawn by rl_github_begin; "" before. */
static char token[33];

void rl_github_begin(const char *path)
{
    unsigned char bytes[16];
    if (getrandom(bytes, sizeof bytes, 0) != (ssize_t)sizeof bytes) {
        /* No entropy source at all: still not in any earlier output. */
        unsigned long long seed = (unsigned long long)time(NULL) ^
                                  ((unsigned long long)getpid() << 32) ^
                                  (unsigned long long)clock();
        for (size_t i = 0; i < sizeof bytes;
             i++, seed = seed * 6364136223846793005ULL + 1)
            bytes[i] = (unsigned char)(seed >> 56);
    }
    for (size_t i = 0; i < sizeof bytes; i++)
        snprintf(token + 2 * i, 3, "%02x", bytes[i]);
    FILE *out = strcmp(path, "-") == 0 ? stdout : NULL;
    if (out) {
        fprintf(out, "::stop-commands::%s\n", token);
        fflush(out);
    }
}

/* s made safe (escape.h), then escaped as the runner unescapes a
 * command's message (property 0) or a property's value (1). */
static void put_escaped(FILE *out, const char *s, int property)
{
    char *safe = rl_escape_text(s ? s : "", MESSAGE_CAP);
    for (const char *p = safe; *p; p++) {
        switch (*p) {
        case '%':
            fputs("%25", out);
            break;
        case '\r':
            fputs("%0D", out);
            break;
        case '\n':
            fputs("%0A", out);
            break;
        case ':':
            fputs(property ? "%3A" : ":", out);
            break;
        case ',':
            fputs(property ? "%2C" : ",", out);
            break;
        default:
            fputc(*p, out);
        }
    }
    free(safe);
}

/* "::KIND file=F,line=L,title=T::MESSAGE" on one line. */
static void command(FILE *out, const char *kind, const struct rl_location *at,
                    const char *title, const char *message)
{
    fprintf(out, "::%s ", kind);
    if (at && at->file) {
        fputs("file=", out);
        put_escaped(out, at->file, 1);
        if (at->line > 0)
            fprintf(out, ",line=%d", at->line);
        fputc(',', out);
    }
    fputs("title=", out);
    put_escaped(out, title, 1);
    fputs("::", out);
    put_escaped(out, message, 0);
    fputc('\n', out);
}

/* "data-race: two threads access ..." */
static char *finding_title(const struct rl_finding *f)
{
    const struct rl_failure_mode *m = rl_failure_mode_find(f->id);
    char *t = NULL;
    if (asprintf(&t, "%s: %s", f->id, m ? m->title : "") < 0)
        return NULL;
    return t;
}

/* The file to write, and whether a fence (rl_github_begin) is to be
 * lifted before racelab's own commands. */
static FILE *open_out(const char *path, int *resume)
{
    *resume = token[0] != '\0';
    return rl_out_open(path);
}

/* Has an earlier failed check already annotated finding f? */
static int annotated_before(const struct rl_grade_result *r, size_t upto,
                            const struct rl_finding *f)
{
    for (size_t i = 0; i < upto; i++)
        for (size_t j = 0; !rl_grade_check_passed(&r->checks[i]) &&
                           j < r->checks[i].nfindings;
             j++)
            if (r->checks[i].findings[j] == f)
                return 1;
    return 0;
}

static int has_finding(const struct rl_grade_check_result *c,
                       const struct rl_finding *f)
{
    for (size_t j = 0; j < c->nfindings; j++)
        if (c->findings[j] == f)
            return 1;
    return 0;
}

/* Checks a and b failed for the same reason with no finding (the
 * program of their run did not compile): one annotation says it, as the
 * text report says it once. */
static int same_problem(const struct rl_grade_check_result *a,
                        const struct rl_grade_check_result *b)
{
    return a->problem != RL_GRADE_PROBLEM_NONE && !a->nfindings &&
           !b->nfindings && a->run == b->run && a->problem == b->problem;
}

/* "fails 'no data race' (0/4), 'exact ...' (0/2)": every failed check
 * from check `from` on that fails on f (or, with f NULL, for the same
 * reason as check `from`). */
static void put_failed(FILE *mem, const struct rl_grade_result *r, size_t from,
                       const struct rl_finding *f)
{
    const char *sep = "fails ";
    for (size_t k = from; k < r->nchecks; k++) {
        const struct rl_grade_check_result *c = &r->checks[k];
        if (rl_grade_check_passed(c) ||
            !(f ? has_finding(c, f)
                : k == from || same_problem(&r->checks[from], c)))
            continue;
        fprintf(mem, "%s'%s' (%d/%d)", sep, c->name, c->points, c->max_points);
        sep = ", ";
    }
}

int rl_grade_github(const struct rl_grade_result *r, const char *path,
                    char *err, size_t errlen)
{
    int resume;
    FILE *out = open_out(path, &resume);
    if (!out) {
        snprintf(err, errlen, "cannot write the annotations to '%s'", path);
        return -1;
    }
    if (resume)
        fprintf(out, "::%s::\n", token);
    for (size_t i = 0; i < r->nchecks; i++) {
        const struct rl_grade_check_result *c = &r->checks[i];
        if (rl_grade_check_passed(c))
            continue;
        char *message = NULL;
        size_t len = 0;
        for (size_t j = 0; j < c->nfindings; j++) {
            const struct rl_finding *f = c->findings[j];
            if (annotated_before(r, i, f))
                continue;
            FILE *mem = open_memstream(&message, &len);
            if (!mem)
                continue;
            put_failed(mem, r, i, f);
            if (f->detail)
                fprintf(mem, "\n%s", f->detail);
            fclose(mem);
            char *title = finding_title(f);
            command(out, "error", f->nlocs ? &f->locs[0] : NULL, title,
                    message);
            free(title);
            free(message);
        }
        int said = 0;
        for (size_t k = 0; k < i; k++)
            said |= same_problem(&r->checks[k], c);
        if (c->nfindings || said)
            continue;
        FILE *mem = open_memstream(&message, &len);
        if (!mem)
            continue;
        put_failed(mem, r, i, NULL);
        fprintf(mem, ": %s", c->message ? c->message : "failed");
        fclose(mem);
        command(out, "error", NULL, c->name, message);
        free(message);
    }
    char score[128];
    snprintf(score, sizeof score, "score %d/%d", r->score, r->max_score);
    command(out, "notice", NULL, r->lab, score);
    return rl_out_close(out, path, err, errlen);
}

int rl_check_github(const struct rl_report *r, const char *path, char *err,
                    size_t errlen)
{
    int resume;
    FILE *out = open_out(path, &resume);
    if (!out) {
        snprintf(err, errlen, "cannot write the annotations to '%s'", path);
        return -1;
    }
    if (resume)
        fprintf(out, "::%s::\n", token);
    size_t n = r->findings ? r->findings->n : 0;
    for (size_t i = 0; i < n; i++) {
        const struct rl_finding *f = &r->findings->v[i];
        const struct rl_failure_mode *m = rl_failure_mode_find(f->id);
        char *title = finding_title(f), *message = NULL;
        if (asprintf(&message, "%s%s%s", m ? m->title : f->id,
                     f->detail ? "\n" : "", f->detail ? f->detail : "") < 0)
            message = NULL;
        command(out, "error", f->nlocs ? &f->locs[0] : NULL, title, message);
        free(title);
        free(message);
    }
    int stopped = 0;
    for (size_t i = 0; r->diag && i < r->diag->n; i++)
        if (r->diag->v[i].level == RL_DIAG_USER ||
            r->diag->v[i].level == RL_DIAG_INTERNAL) {
            command(out, "error", NULL, "racelab check", r->diag->v[i].message);
            stopped = 1;
        }
    if (!n && !stopped) {
        char *message = NULL;
        if (asprintf(&message, "no concurrency bug found in %s", r->program) <
            0)
            message = NULL;
        command(out, "notice", NULL, "racelab check", message);
        free(message);
    }
    return rl_out_close(out, path, err, errlen);
}
