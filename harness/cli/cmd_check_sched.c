/* cmd_check_sched.c: `racelab check --schedules N` and `--seed S --trace`. */
/*
 * Builds the program once with the TSan pass pointed at racelab's own
 * scheduler (sched_explore.c), runs every seed inside one sandbox (the
 * runtime forks per seed), then turns the first failing seed of each kind
 * into a finding that carries the seed and its interleaving.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/check_options.h"
#include "cli/cmd.h"
#include "report/report.h"
#include "sched/sched_check.h"
#include "sched/sched_explore.h"
#include "sched/sched_trace.h"
#include "lib/workdir.h"
#include "lib/xalloc.h"

struct sched_check {
    struct rl_check_options *opt;
    struct rl_sources sources;
    char *workdir, *exe, *program;
    struct rl_explore x;
    struct rl_symbolizer *sym;
    struct rl_findings found;
    char note[400];
    size_t unexplained; /* failing seeds recorded with no cause shown */
};

/* "a.c b.c": the program's name in reports and replay hints. */
static char *joined(char *const *files, size_t n)
{
    char *out = xstrdup("");
    for (size_t i = 0; i < n; i++) {
        char *next = xasprintf("%s%s%s", out, i ? " " : "", files[i]);
        free(out);
        out = next;
    }
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
                  c->opt->depth, list, n > 10 ? ", ..." : "");
    rl_finding_append_detail(f, line);
    free(line);
    line = xasprintf("replay: racelab check --seed %lld --trace %s", r->seed,
                     c->program);
    rl_finding_append_detail(f, line);
    free(line);
}

/* --trace on a seed that passed: its interleaving, with no finding. */
static void print_passing(struct sched_check *c, const struct rl_seed_trace *t)
{
    struct rl_findings tmp = {0};
    struct rl_finding *f = rl_findings_add(&tmp, "data-race", NULL);
    rl_sched_steps(t, c->sym, f);
    printf("seed %lld: no failure; its interleaving:\n", t->seed);
    rl_trace_print(stdout, f->trace, f->ntrace, 0, 2);
    putchar('\n');
    rl_findings_free(&tmp);
}

static int analyze(struct sched_check *c)
{
    char err[256];
    c->sym = rl_symbolizer_new(c->exe, &c->sources);
    for (size_t i = 0; i < c->x.ntraces; i++)
        rl_sched_trace_symbols(c->sym, &c->x.traces[i]);
    if (rl_symbolizer_run(c->sym, err, sizeof err) != 0) {
        fprintf(stderr, "racelab: %s\n", err);
        return -1;
    }
    for (size_t i = 0; i < c->x.ntraces; i++) {
        const struct rl_seed_trace *t = &c->x.traces[i];
        const struct rl_seed_result *r = seed_result(&c->x, t->seed);
        if (!r)
            continue;
        if (!rl_seed_failed(r)) {
            if (c->opt->trace)
                print_passing(c, t);
            continue;
        }
        /* One finding per kind: the first seed whose trace explains it. */
        int have = 0;
        for (size_t j = 0; j < c->found.n; j++)
            have |= c->found.v[j].has_seed &&
                    same_kind(seed_result(&c->x, c->found.v[j].seed), r);
        if (have)
            continue;
        struct rl_finding *f = rl_sched_finding(t, r, c->sym, &c->found);
        if (f)
            seeds_line(c, r, f);
    }
    return 0;
}

static int explore(struct sched_check *c)
{
    char err[256];
    struct rl_check_options *o = c->opt;
    struct rl_explore_opts eo = {
        .first = o->seed,
        .count = o->schedules > 0 ? o->schedules : 1,
        .depth = o->depth > 0 ? o->depth : 3,
        .spurious = !o->no_spurious,
        .trace_all = o->trace && o->schedules <= 1,
        .timeout = o->timeout,
        .program_args = o->program_args,
    };
    if (rl_sched_explore(c->exe, c->workdir, &eo, &c->x, err, sizeof err) !=
        0) {
        fprintf(stderr, "racelab: %s\n", err);
        return -1;
    }
    return 0;
}

/* The run's note: what was explored, what failed, what was not shown. */
static void make_note(struct sched_check *c)
{
    size_t failed = 0, stalled = 0, limited = 0;
    for (size_t i = 0; i < c->x.nseeds; i++) {
        const struct rl_seed_result *r = &c->x.seeds[i];
        int shown = 0;
        for (size_t j = 0; j < c->found.n; j++)
            shown |= same_kind(seed_result(&c->x, c->found.v[j].seed), r);
        c->unexplained += rl_seed_failed(r) && !shown;
        failed += rl_seed_failed(r);
        stalled +=
            r->verdict == RS_VERDICT_STALL || r->verdict == RS_VERDICT_BUDGET;
        limited += r->verdict == RS_VERDICT_LIMIT;
    }
    int n = snprintf(c->note, sizeof c->note,
                     "explored %zu seed%s from %lld at depth %d (%lld "
                     "steps): %zu failed",
                     c->x.nseeds, c->x.nseeds == 1 ? "" : "s", c->opt->seed,
                     c->opt->depth, c->x.calibration, failed);
    /* A replay (--trace) prints no timing: its output is byte for byte
     * the same every time. */
    if (!c->opt->trace && c->x.nseeds)
        n += snprintf(c->note + n, sizeof c->note - n, ", %.2f ms per seed",
                      1000 * c->x.wall_seconds / c->x.nseeds);
    if (stalled)
        n += snprintf(c->note + n, sizeof c->note - n,
                      "; %zu seeds blocked outside the scheduler (I/O?) or "
                      "ran out of steps",
                      stalled);
    if (limited)
        n += snprintf(c->note + n, sizeof c->note - n,
                      "; %zu seeds went past the scheduler's limits (256 "
                      "threads, 8192 locks) and were cut short",
                      limited);
    if (c->x.stopped)
        n += snprintf(c->note + n, sizeof c->note - n,
                      "; the time budget (2 x --timeout) ran out");
    if (c->unexplained)
        snprintf(c->note + n, sizeof c->note - n,
                 "; %zu failing seed%s showed no unsynchronized access and "
                 "were not reported (does the program check its own "
                 "timing?)",
                 c->unexplained, c->unexplained == 1 ? "" : "s");
}

static int report(struct sched_check *c)
{
    make_note(c);
    struct rl_run_summary run = {
        .tool = "sched",
        .exit_status = 0,
        .wall_seconds = c->x.wall_seconds,
        .note = c->note,
    };
    struct rl_report r = {c->program, &c->sources, &c->found, &run, 1, NULL, 0};
    if (c->opt->trace)
        rl_trace_rows_shown = 0;
    rl_report_text(stdout, &r);
    fflush(stdout);
    char err[256];
    if (c->opt->json_path &&
        rl_report_json(c->opt->json_path, &r, err, sizeof err) != 0) {
        fprintf(stderr, "racelab: %s\n", err);
        return RL_EXIT_INTERNAL;
    }
    return c->found.n ? RL_EXIT_FINDINGS : RL_EXIT_CLEAN;
}

static int build(struct sched_check *c)
{
    char err[256], *output = NULL;
    int rc = rl_sched_build(&c->sources, c->workdir, &c->exe, &output, err,
                            sizeof err);
    if (rc == 1)
        fprintf(stderr,
                "racelab: the program did not compile for the scheduler "
                "(clang -fsanitize=thread -g -O1):\n%s",
                output ? output : "(no compiler output)\n");
    else if (rc < 0)
        fprintf(stderr, "racelab: %s\n", err);
    free(output);
    return rc == 1 ? RL_EXIT_USAGE : rc < 0 ? RL_EXIT_INTERNAL : 0;
}

int rl_check_schedules(struct rl_check_options *o)
{
    struct sched_check c;
    memset(&c, 0, sizeof c);
    c.opt = o;
    char err[256];
    if (o->server) {
        fputs("racelab check: --schedules and --seed do not drive --server "
              "programs\n(sockets are not modeled by the scheduler)\n",
              stderr);
        return RL_EXIT_USAGE;
    }
    if (rl_sources_init(&c.sources, o->files, o->nfiles, err, sizeof err) !=
        0) {
        fprintf(stderr, "racelab check: %s\n", err);
        return RL_EXIT_USAGE;
    }
    c.program = joined(o->files, o->nfiles);
    int status = RL_EXIT_INTERNAL;
    c.workdir = rl_workdir_create("racelab-sched", err, sizeof err);
    if (!c.workdir)
        fprintf(stderr, "racelab: %s\n", err);
    else if ((status = build(&c)) == 0)
        status = explore(&c) == 0 && analyze(&c) == 0 ? report(&c)
                                                      : RL_EXIT_INTERNAL;
    rl_symbolizer_free(c.sym);
    rl_findings_free(&c.found);
    rl_explore_free(&c.x);
    if (c.workdir)
        rl_workdir_remove(c.workdir);
    free(c.workdir);
    free(c.exe);
    free(c.program);
    rl_sources_free(&c.sources);
    return status;
}

int rl_sched_findings(const struct rl_sources *src, char *const *includes,
                      char *const *program_args, int schedules, double timeout,
                      struct rl_findings *out, char *note, size_t notelen,
                      char *err, size_t errlen)
{
    struct rl_check_options o;
    memset(&o, 0, sizeof o);
    o.schedules = schedules;
    o.depth = 3;
    o.seed = 1;
    o.timeout = timeout;
    o.program_args = (char **)program_args;
    struct sched_check c;
    memset(&c, 0, sizeof c);
    c.opt = &o;
    int rc = -1;
    char *output = NULL;
    if (rl_sources_init(&c.sources, src->given, src->n, err, errlen) != 0)
        return -1;
    c.program = joined(src->given, src->n);
    c.workdir = rl_workdir_create("racelab-sched", err, errlen);
    if (!c.workdir)
        goto out;
    int built = rl_sched_build_with(&c.sources, includes, c.workdir, &c.exe,
                                    &output, err, errlen);
    if (built != 0) {
        if (built == 1)
            snprintf(err, errlen,
                     "the program did not compile for the "
                     "scheduler");
        rc = built == 1 ? 1 : -1;
        goto out;
    }
    /* explore() and analyze() say what went wrong on stderr, as they do
     * for racelab check; err only names the step. */
    if (explore(&c) != 0) {
        snprintf(err, errlen, "the scheduler could not explore the seeds");
        goto out;
    }
    if (analyze(&c) != 0) {
        snprintf(err, errlen, "cannot symbolize the scheduler's traces");
        goto out;
    }
    make_note(&c);
    snprintf(note, notelen, "%s", c.note);
    rl_findings_take(out, &c.found);
    rc = 0;
out:
    free(output);
    rl_symbolizer_free(c.sym);
    rl_findings_free(&c.found);
    rl_explore_free(&c.x);
    if (c.workdir)
        rl_workdir_remove(c.workdir);
    free(c.workdir);
    free(c.exe);
    free(c.program);
    rl_sources_free(&c.sources);
    return rc;
}
