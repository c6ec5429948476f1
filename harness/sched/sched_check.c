/* sched_check.c: explore seeds of a program and name what failed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/sources.h"
#include "lib/workdir.h"
#include "lib/xalloc.h"
#include "sched/sched_check.h"
#include "sched/sched_explore.h"
#include "sched/sched_trace.h"

/* How the scheduled variant is compiled, as its failure names it. */
static const char SCHED_BUILD[] = "clang -fsanitize=thread -g -O1";

struct sched_check {
    const struct rl_explore_params *p;
    struct rl_explore_outcome *out;
    struct rl_sources sources;
    char *workdir, *exe;
    struct rl_explore x;
    struct rl_symbolizer *sym;
    size_t unexplained; /* failing seeds recorded with no cause shown */
};

/* Appends " word" to *s, quoted for a shell when it needs it. */
static void append_word(char **s, const char *word)
{
    int plain =
        word[0] != '\0' && strspn(word, "abcdefghijklmnopqrstuvwxyz"
                                        "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                        "0123456789/._-+=:,@") == strlen(word);
    char *next;
    if (plain) {
        next = xasprintf("%s %s", *s, word);
    } else {
        next = xasprintf("%s '", *s);
        for (const char *p = word; *p; p++) {
            char *more = *p == '\'' ? xasprintf("%s'\\''", next)
                                    : xasprintf("%s%c", next, *p);
            free(next);
            next = more;
        }
        char *closed = xasprintf("%s'", next);
        free(next);
        next = closed;
    }
    free(*s);
    *s = next;
}

/* A path that means the same from any folder. */
static void append_path(char **s, const char *path)
{
    char *abs = realpath(path, NULL);
    append_word(s, abs ? abs : path);
    free(abs);
}

/* The command that replays seeds of this program exactly, runnable as
 * printed from any folder: racelab by its own path, every file and header
 * folder absolute, and the options the seeds depend on. */
static char *replay_prefix(const struct rl_explore_params *p)
{
    char *cmd = xstrdup("");
    char *racelab = xasprintf("%s/racelab", rl_harness_dir());
    append_path(&cmd, racelab);
    free(racelab);
    append_word(&cmd, "check");
    if (p->depth != RS_DEFAULT_DEPTH) {
        char depth[32];
        snprintf(depth, sizeof depth, "%d", p->depth);
        append_word(&cmd, "--depth");
        append_word(&cmd, depth);
    }
    if (!p->spurious)
        append_word(&cmd, "--no-spurious");
    for (char *const *d = p->include_dirs; d && *d; d++) {
        append_word(&cmd, "-I");
        append_path(&cmd, *d);
    }
    return cmd;
}

static char *replay_command(const struct sched_check *c, long long seed)
{
    const struct rl_explore_params *p = c->p;
    char *cmd = replay_prefix(p);
    char number[32];
    snprintf(number, sizeof number, "%lld", seed);
    append_word(&cmd, "--seed");
    append_word(&cmd, number);
    append_word(&cmd, "--trace");
    if (p->choices && p->choices[0]) {
        append_word(&cmd, "--choices");
        append_word(&cmd, p->choices);
    }
    for (size_t i = 0; i < p->sources->n; i++)
        append_path(&cmd, p->sources->given[i]);
    if (p->program_args && p->program_args[0]) {
        append_word(&cmd, "--");
        for (char *const *a = p->program_args; *a; a++)
            append_word(&cmd, *a);
    }
    /* Without the leading blank of the first word. */
    char *out = xstrdup(cmd + 1);
    free(cmd);
    return out;
}

static const struct rl_seed_result *seed_result(const struct rl_explore *x,
                                                long long seed)
{
    for (size_t i = 0; i < x->nseeds; i++)
        if (x->seeds[i].seed == seed)
            return &x->seeds[i];
    return NULL;
}

/* Seeds that failed the same way as r: deadlock, livelock, or a crash. */
static int same_kind(const struct rl_seed_result *a,
                     const struct rl_seed_result *b)
{
    return rl_seed_failed(a) && rl_seed_failed(b) && a->verdict == b->verdict;
}

static void seeds_line(const struct sched_check *c,
                       const struct rl_seed_result *r, struct rl_finding *f)
{
    size_t n = 0;
    char list[160] = "";
    int len = 0;
    for (size_t i = 0; i < c->x.nseeds; i++) {
        if (!same_kind(&c->x.seeds[i], r))
            continue;
        if (n++ < 10 && len < (int)sizeof list - 24)
            len += snprintf(list + len, sizeof list - len, "%s%lld",
                            n > 1 ? ", " : "", c->x.seeds[i].seed);
    }
    char *line =
        xasprintf("failed on %zu of %zu seeds (depth %d): %s%s", n, c->x.nseeds,
                  c->p->depth, list, n > 10 ? ", ..." : "");
    rl_finding_append_detail(f, line);
    free(line);
    char *cmd = replay_command(c, r->seed);
    line = xasprintf("replay: %s", cmd);
    rl_finding_append_detail(f, line);
    free(line);
    free(cmd);
}

/* --trace on a seed that passed: its interleaving, kept to be shown. */
static void keep_passing(struct sched_check *c, const struct rl_seed_trace *t)
{
    struct rl_finding *f =
        rl_findings_add(&c->out->passing, "data-race", "sched");
    f->seed = t->seed;
    f->has_seed = 1;
    rl_sched_steps(t, c->sym, f);
}

static int analyze(struct sched_check *c)
{
    char err[256];
    struct rl_findings *found = &c->out->found;
    c->sym = rl_symbolizer_new(c->exe, &c->sources);
    for (size_t i = 0; i < c->x.ntraces; i++)
        rl_sched_trace_symbols(c->sym, &c->x.traces[i]);
    if (rl_symbolizer_run(c->sym, err, sizeof err) != 0) {
        c->out->error =
            xasprintf("cannot symbolize the scheduler's traces: %s", err);
        return -1;
    }
    for (size_t i = 0; i < c->x.ntraces; i++) {
        const struct rl_seed_trace *t = &c->x.traces[i];
        const struct rl_seed_result *r = seed_result(&c->x, t->seed);
        if (!r)
            continue;
        if (!rl_seed_failed(r)) {
            if (c->p->trace)
                keep_passing(c, t);
            continue;
        }
        /* One finding per kind: the first seed whose trace explains it. */
        int have = 0;
        for (size_t j = 0; j < found->n; j++)
            have |= found->v[j].has_seed &&
                    same_kind(seed_result(&c->x, found->v[j].seed), r);
        if (have)
            continue;
        struct rl_finding *f = rl_sched_finding(t, r, c->sym, found);
        if (f)
            seeds_line(c, r, f);
    }
    return 0;
}

static int explore(struct sched_check *c)
{
    char err[256];
    const struct rl_explore_params *p = c->p;
    struct rl_explore_opts eo = {
        .first = p->first,
        .count = p->count > 0 ? p->count : 1,
        .depth = p->depth,
        .spurious = p->spurious,
        .trace_all = p->trace && p->count <= 1,
        .timeout = p->timeout,
        .program_args = p->program_args,
        .choices = p->choices,
    };
    if (rl_sched_explore(c->exe, c->workdir, &eo, &c->x, err, sizeof err) !=
        0) {
        c->out->error = xstrdup(err);
        return -1;
    }
    return 0;
}

/* The run's note: what was explored, what failed, what was not shown. */
static void make_note(struct sched_check *c)
{
    char note[400];
    size_t failed = 0, stalled = 0, limited = 0;
    const struct rl_findings *found = &c->out->found;
    for (size_t i = 0; i < c->x.nseeds; i++) {
        const struct rl_seed_result *r = &c->x.seeds[i];
        int shown = 0;
        for (size_t j = 0; j < found->n; j++)
            shown |= same_kind(seed_result(&c->x, found->v[j].seed), r);
        c->unexplained += rl_seed_failed(r) && !shown;
        failed += rl_seed_failed(r);
        stalled +=
            r->verdict == RS_VERDICT_STALL || r->verdict == RS_VERDICT_BUDGET;
        limited += r->verdict == RS_VERDICT_LIMIT;
    }
    int n = snprintf(note, sizeof note,
                     "explored %zu seed%s from %lld at depth %d (%lld "
                     "steps): %zu failed",
                     c->x.nseeds, c->x.nseeds == 1 ? "" : "s", c->p->first,
                     c->p->depth, c->x.calibration, failed);
    /* A replay (--trace) prints no timing: its output is byte for byte
     * the same every time. */
    if (!c->p->trace && c->x.nseeds)
        n += snprintf(note + n, sizeof note - n, ", %.2f ms per seed",
                      1000 * c->x.wall_seconds / c->x.nseeds);
    if (stalled)
        n += snprintf(note + n, sizeof note - n,
                      "; %zu seeds blocked outside the scheduler (I/O?) or "
                      "ran out of steps",
                      stalled);
    if (limited)
        n += snprintf(note + n, sizeof note - n,
                      "; %zu seeds went past the scheduler's limits (%d "
                      "threads, %d locks) and were cut short",
                      limited, RS_MAX_THREADS, RS_MAX_LOCKS);
    if (c->x.stopped)
        n += snprintf(note + n, sizeof note - n,
                      "; the time budget (2 x --timeout) ran out");
    if (c->unexplained)
        snprintf(note + n, sizeof note - n,
                 "; %zu failing seed%s showed no unsynchronized access and "
                 "were not reported (does the program check its own "
                 "timing?)",
                 c->unexplained, c->unexplained == 1 ? "" : "s");
    c->out->note = xstrdup(note);
    c->out->wall_seconds = c->x.wall_seconds;
    snprintf(c->out->isolation, sizeof c->out->isolation, "%s", c->x.isolation);
}

/* 0 built; otherwise out says why not. */
static int build(struct sched_check *c)
{
    char err[256], *output = NULL;
    int rc = rl_sched_build_with(&c->sources, c->p->include_dirs, c->workdir,
                                 &c->exe, &output, err, sizeof err);
    if (rc == 1) {
        c->out->not_built = 1;
        c->out->build_command = xstrdup(SCHED_BUILD);
        c->out->build_output =
            xstrdup(output ? output : "(no compiler output)\n");
    } else if (rc < 0) {
        c->out->error = xstrdup(err);
    }
    free(output);
    return rc;
}

/* One build, run as often as stepping asks (sched_check.h). */
struct rl_sched_session {
    struct rl_explore_params p; /* a copy: choices change from run to run */
    struct sched_check c;
};

struct rl_sched_session *
rl_sched_session_open(const struct rl_explore_params *p,
                      struct rl_explore_outcome *out)
{
    struct rl_sched_session *s = xcalloc(1, sizeof *s);
    struct sched_check *c = &s->c;
    memset(out, 0, sizeof *out);
    s->p = *p;
    c->p = &s->p;
    c->out = out;
    char err[256];
    if (rl_sources_init(&c->sources, p->sources->given, p->sources->n, err,
                        sizeof err) != 0) {
        out->error = xstrdup(err);
        free(s);
        return NULL;
    }
    c->workdir = rl_workdir_create("racelab-sched", err, sizeof err);
    if (!c->workdir)
        out->error = xstrdup(err);
    if (!c->workdir || build(c) != 0) {
        rl_sched_session_close(s);
        return NULL;
    }
    return s;
}

void rl_sched_session_run(struct rl_sched_session *s, const char *choices,
                          struct rl_explore_outcome *out)
{
    struct sched_check *c = &s->c;
    memset(out, 0, sizeof *out);
    s->p.choices = choices;
    c->out = out;
    c->unexplained = 0;
    rl_symbolizer_free(c->sym);
    c->sym = NULL;
    rl_explore_free(&c->x);
    memset(&c->x, 0, sizeof c->x);
    if (explore(c) == 0 && analyze(c) == 0) {
        make_note(c);
        out->ran = 1;
    }
}

void rl_sched_session_close(struct rl_sched_session *s)
{
    if (!s)
        return;
    struct sched_check *c = &s->c;
    rl_symbolizer_free(c->sym);
    rl_explore_free(&c->x);
    if (c->workdir)
        rl_workdir_remove(c->workdir);
    free(c->workdir);
    free(c->exe);
    rl_sources_free(&c->sources);
    free(s);
}

void rl_sched_check(const struct rl_explore_params *p,
                    struct rl_explore_outcome *out)
{
    struct rl_sched_session *s = rl_sched_session_open(p, out);
    if (s) {
        rl_sched_session_run(s, p->choices, out);
        rl_sched_session_close(s);
    }
}
