/* sched_explore.c: build the scheduled variant, run seeds, read the results. */
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/sandbox.h"
#include "engine/build.h"
#include "sched/sched_explore.h"
#include "tools/tool.h"
#include "lib/workdir.h"
#include "lib/result_file.h"
#include "lib/xalloc.h"

/* The runtime beside racelab (the Makefile builds it). */
#define SCHED_RUNTIME "racelab-sched.o"

/* Every call harness/runtime/sched/sched_sync.c models: linked with --wrap. */
static const char *const wrapped[] = {
    "pthread_create",
    "pthread_join",
    "pthread_exit",
    "pthread_detach",
    "pthread_mutex_init",
    "pthread_mutex_lock",
    "pthread_mutex_trylock",
    "pthread_mutex_timedlock",
    "pthread_mutex_unlock",
    "pthread_cond_wait",
    "pthread_cond_timedwait",
    "pthread_cond_signal",
    "pthread_cond_broadcast",
    "pthread_rwlock_rdlock",
    "pthread_rwlock_wrlock",
    "pthread_rwlock_tryrdlock",
    "pthread_rwlock_trywrlock",
    "pthread_rwlock_unlock",
    "pthread_barrier_init",
    "pthread_barrier_wait",
    "pthread_spin_lock",
    "pthread_spin_trylock",
    "pthread_spin_unlock",
    "sem_init",
    "sem_wait",
    "sem_trywait",
    "sem_timedwait",
    "sem_post",
    "sem_getvalue",
    "sched_yield",
    "sleep",
    "usleep",
    "nanosleep",
    "fork",
    "pthread_once",
    "clock_gettime",
    "gettimeofday",
    "time",
    NULL,
};

/* A compiler or linker, in the sandbox every build of user code gets. */
struct build_place {
    const char *workdir;     /* where it writes: its HOME and TMPDIR */
    const char *uid_refused; /* rl_build_uid_refused's answer */
};

static int run_tool(char *const argv[], const struct build_place *at,
                    char **output, int *ok, char *err, size_t errlen)
{
    struct rl_sandbox_opts opts;
    struct rl_sandbox_result r;
    rl_build_sandbox_opts(&opts);
    opts.home = at->workdir; /* cwd stays: include folders may be relative */
    opts.uid_refused = at->uid_refused;
    if (rl_sandbox_run(argv, &opts, &r, err, errlen) != 0)
        return -1;
    *ok = r.exited && r.exit_status == 0;
    if (!*ok && output && !*output)
        *output = xasprintf("%s%s", r.out ? r.out : "", r.err ? r.err : "");
    rl_sandbox_result_free(&r);
    return 0;
}

/* -O1 as in the TSan build of build.c.  TSan leaves out the load of a
 * load-then-store to one address (its store sees the race anyway); we
 * want that load: it is where `cnt++` gets preempted. */
static int compile_one(const struct rl_sources *src, char *const *includes,
                       const struct build_place *at, size_t i, const char *obj,
                       char **output, int *ok, char *err, size_t errlen)
{
    struct rl_strv argv = {0};
    rl_strv_push(&argv, "clang");
    rl_strv_push(&argv, "-fsanitize=thread");
    rl_strv_push(&argv, "-mllvm");
    rl_strv_push(&argv, "-tsan-instrument-read-before-write");
    rl_strv_push(&argv, "-g");
    rl_strv_push(&argv, "-O1");
    rl_strv_push(&argv, "-pthread");
    rl_build_include_flags(&argv, src, includes);
    rl_strv_push(&argv, "-c");
    rl_strv_push(&argv, "-o");
    rl_strv_push(&argv, obj);
    rl_strv_push(&argv, src->absolute[i]);
    int rc = run_tool(argv.v, at, output, ok, err, errlen);
    rl_strv_free(&argv);
    return rc;
}

int rl_sched_build(const struct rl_sources *src, const char *workdir,
                   char **exe, char **output, char *err, size_t errlen)
{
    return rl_sched_build_with(src, NULL, workdir, exe, output, err, errlen);
}

int rl_sched_build_with(const struct rl_sources *src, char *const *includes,
                        const char *workdir, char **exe, char **output,
                        char *err, size_t errlen)
{
    char *runtime = xasprintf("%s/%s", rl_harness_dir(), SCHED_RUNTIME);
    if (access(runtime, R_OK) != 0) {
        snprintf(err, errlen, "cannot find '%s' (run make)", runtime);
        free(runtime);
        return -1;
    }
    struct rl_strv link = {0};
    const struct build_place at = {workdir,
                                   rl_build_uid_refused(src, includes)};
    *exe = xasprintf("%s/sched", workdir);
    /* No -fsanitize at link: our hooks replace the TSan runtime.  No PIE:
     * the trace's pcs are then addresses addr2line and nm understand. */
    rl_strv_push(&link, "clang");
    rl_strv_push(&link, "-no-pie");
    rl_strv_push(&link, "-o");
    rl_strv_push(&link, *exe);
    int status = 0, ok = 1;
    for (size_t i = 0; i < src->n && status == 0 && ok; i++) {
        const char *path = src->absolute[i];
        size_t len = strlen(path);
        /* Headers named with the sources are only for the include path;
         * objects and archives go straight to the link. */
        if (len > 2 && strcmp(path + len - 2, ".h") == 0)
            continue;
        if (len > 2 && (strcmp(path + len - 2, ".o") == 0 ||
                        strcmp(path + len - 2, ".a") == 0)) {
            rl_strv_push(&link, path);
            continue;
        }
        char *obj = xasprintf("%s/sched-%zu.o", workdir, i);
        status =
            compile_one(src, includes, &at, i, obj, output, &ok, err, errlen);
        rl_strv_push(&link, obj);
        free(obj);
    }
    if (status == 0 && ok) {
        rl_strv_push(&link, runtime);
        for (int i = 0; wrapped[i]; i++)
            rl_strv_pushf(&link, "-Wl,--wrap=%s", wrapped[i]);
        rl_strv_push(&link, "-pthread");
        rl_strv_push(&link, "-lm");
        status = run_tool(link.v, &at, output, &ok, err, errlen);
    }
    rl_strv_free(&link);
    free(runtime);
    if (status == 0 && !ok)
        return 1;
    return status;
}

int rl_seed_failed(const struct rl_seed_result *r)
{
    return r->exit_code != 0 || r->signal != 0 ||
           r->verdict == RS_VERDICT_DEADLOCK ||
           r->verdict == RS_VERDICT_LIVELOCK;
}

static int verdict_code(const char *name)
{
    static const char *const names[] = {"none",   "deadlock", "livelock",
                                        "budget", "stall",    "limit"};
    for (int i = 0; i < 6; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return RS_VERDICT_NONE;
}

static void add_seed(struct rl_explore *x, const struct rl_seed_result *r)
{
    x->seeds = xrealloc(x->seeds, (x->nseeds + 1) * sizeof *x->seeds);
    x->seeds[x->nseeds++] = *r;
}

static int parse_step(const char *line, struct rs_step *s)
{
    unsigned long long a, v, o, pc[RS_FRAMES], run = 0;
    unsigned t, op, size;
    /* The runnable mask is optional (results written before it). */
    if (sscanf(line, "step %u %u %u %llx %llx %llx %llx %llx %llx %llx %llx",
               &t, &op, &size, &a, &v, &o, &pc[0], &pc[1], &pc[2], &pc[3],
               &run) < 10)
        return -1;
    *s = (struct rs_step){
        t,  (uint16_t)op, (uint16_t)size, a, v, o, {pc[0], pc[1], pc[2], pc[3]},
        run};
    return 0;
}

static int parse_waiter(const char *line, struct rs_waiter *w)
{
    unsigned long long obj, p[2 * RS_FRAMES];
    unsigned t, kind;
    int owner, timed;
    if (sscanf(line,
               "waiter %u %u %llx %d %d %llx %llx %llx %llx %llx %llx %llx "
               "%llx",
               &t, &kind, &obj, &owner, &timed, &p[0], &p[1], &p[2], &p[3],
               &p[4], &p[5], &p[6], &p[7]) != 13)
        return -1;
    memset(w, 0, sizeof *w);
    w->thread = t;
    w->kind = kind;
    w->obj = obj;
    w->owner = owner;
    w->timed = timed;
    for (int i = 0; i < RS_FRAMES; i++) {
        w->pc[i] = p[i];
        w->held_pc[i] = p[RS_FRAMES + i];
    }
    return 0;
}

/* The results file is written inside the program's process, so every
 * count and index in it is checked before use: a forged or broken file
 * fails with a message, never with a crash or an unbounded allocation. */
enum {
    MAX_SEEDS = 1 << 20,        /* seeds one exploration may report */
    MAX_TRACES = 1024,          /* traces recorded (8 per kind normally) */
    MAX_STEPS_TOTAL = 1 << 22,  /* steps over all traces */
    MAX_RESULTS_BYTES = 1 << 30 /* the file (a trace step is ~150 bytes) */
};

static int step_valid(const struct rs_step *s)
{
    return s->thread < RS_MAX_THREADS && s->op < RS_OP_COUNT;
}

static int waiter_valid(const struct rs_waiter *w)
{
    return w->thread < RS_MAX_THREADS && w->kind <= RS_WAIT_ONCE &&
           w->owner >= -1 && w->owner < RS_MAX_THREADS;
}

/* Reads one "trace" block up to its "end" line. */
static int parse_trace(FILE *f, const char *head, struct rl_explore *x,
                       size_t *steps_total, const char **why)
{
    long long seed, n, dropped;
    if (sscanf(head, "trace %lld %lld %lld", &seed, &n, &dropped) != 3) {
        *why = "a trace line is malformed";
        return -1;
    }
    if (n < 0 || n > RS_RING || dropped < 0 || x->ntraces >= MAX_TRACES ||
        *steps_total + (size_t)n > MAX_STEPS_TOTAL) {
        *why = "a trace's step count is out of range";
        return -1;
    }
    *steps_total += (size_t)n;
    x->traces = xrealloc(x->traces, (x->ntraces + 1) * sizeof *x->traces);
    struct rl_seed_trace *t = &x->traces[x->ntraces++];
    memset(t, 0, sizeof *t);
    t->seed = seed;
    t->dropped = dropped;
    t->steps = xcalloc((size_t)n + 1, sizeof *t->steps);
    char line[512];
    *why = "a trace is malformed";
    while (fgets(line, sizeof line, f)) {
        long long len;
        if (strncmp(line, "step ", 5) == 0) {
            if (t->nsteps >= (size_t)n ||
                parse_step(line, &t->steps[t->nsteps]) != 0 ||
                !step_valid(&t->steps[t->nsteps]))
                return -1;
            t->nsteps++;
        } else if (strncmp(line, "waiter ", 7) == 0) {
            if (t->nwaiters >= RS_MAX_WAITERS)
                return -1;
            t->waiters =
                xrealloc(t->waiters, (t->nwaiters + 1) * sizeof *t->waiters);
            if (parse_waiter(line, &t->waiters[t->nwaiters]) != 0 ||
                !waiter_valid(&t->waiters[t->nwaiters]))
                return -1;
            t->nwaiters++;
        } else if (sscanf(line, "output %lld", &len) == 1) {
            if (len < 0 || len > 65536 || t->output)
                return -1;
            t->output = xcalloc((size_t)len + 1, 1);
            if (fread(t->output, 1, (size_t)len, f) != (size_t)len)
                return -1;
        } else if (strcmp(line, "end\n") == 0) {
            return 0;
        } else {
            return -1;
        }
    }
    *why = "a trace is cut short";
    return -1;
}

int rl_sched_parse(const char *path, struct rl_explore *x, char *err,
                   size_t errlen)
{
    char open_err[256];
    FILE *f = rl_result_file_open(path, MAX_RESULTS_BYTES, NULL, open_err,
                                  sizeof open_err);
    if (!f) {
        snprintf(err, errlen, "cannot read the scheduler's results: %s",
                 open_err);
        return -1;
    }
    char line[512], name[32];
    int status = 0;
    size_t steps_total = 0;
    const char *why = "a line is malformed";
    while (status == 0 && fgets(line, sizeof line, f)) {
        struct rl_seed_result r = {0};
        if (sscanf(line, "calibrate %lld", &x->calibration) == 1 ||
            sscanf(line, "stopped %lld", &x->stopped) == 1)
            continue;
        if (sscanf(line, "seed %lld exit %d signal %d verdict %31s steps %lld",
                   &r.seed, &r.exit_code, &r.signal, name, &r.steps) == 5) {
            if (x->nseeds >= MAX_SEEDS) {
                why = "it reports too many seeds";
                status = -1;
                break;
            }
            r.verdict = verdict_code(name);
            add_seed(x, &r);
        } else if (strncmp(line, "trace ", 6) == 0) {
            status = parse_trace(f, line, x, &steps_total, &why);
        } else {
            status = -1;
        }
    }
    fclose(f);
    if (status != 0)
        snprintf(err, errlen,
                 "the scheduler's results are not what its runtime writes "
                 "(%s): the program wrote into them",
                 why);
    return status;
}

int rl_sched_explore(const char *exe, const char *workdir,
                     const struct rl_explore_opts *o, struct rl_explore *x,
                     char *err, size_t errlen)
{
    memset(x, 0, sizeof *x);
    char *out = xasprintf("%s/sched.out", workdir);
    struct rl_strv argv = {0}, env = {0};
    rl_strv_push(&argv, exe);
    for (size_t i = 0; o->program_args && o->program_args[i]; i++)
        rl_strv_push(&argv, o->program_args[i]);
    /* Numbers are written at a fixed width: with address randomization
     * off, the stack's place depends on the size of the environment, and
     * a replay (--seed 22) must see the very addresses that exploring
     * (seeds from 1) saw. */
    rl_strv_pushf(&env, "RACELAB_SCHED_OUT=%s", out);
    rl_strv_pushf(&env, "RACELAB_SCHED_FIRST=%020lld", o->first);
    rl_strv_pushf(&env, "RACELAB_SCHED_COUNT=%010d", o->count);
    rl_strv_pushf(&env, "RACELAB_SCHED_DEPTH=%04d", o->depth);
    rl_strv_pushf(&env, "RACELAB_SCHED_SPURIOUS=%d", o->spurious);
    rl_strv_pushf(&env, "RACELAB_SCHED_TRACE_ALL=%d", o->trace_all);
    /* Only when given: the environment's size moves the stack, and a
     * replay without choices must see the addresses exploring saw. */
    if (o->choices && o->choices[0])
        rl_strv_pushf(&env, "RACELAB_SCHED_CHOICES=%s", o->choices);
    /* A seed stuck outside the scheduler (blocking I/O) is cut short
     * after a few seconds (a seed normally takes milliseconds); the whole
     * exploration gets twice --timeout. */
    int per_seed = o->timeout < 3 ? (int)ceil(o->timeout) : 3;
    int deadline = (int)ceil(2 * o->timeout);
    rl_strv_pushf(&env, "RACELAB_SCHED_SEED_TIMEOUT=%06d", per_seed);
    rl_strv_pushf(&env, "RACELAB_SCHED_DEADLINE=%08d", deadline);
    struct rl_sandbox_opts opts;
    struct rl_sandbox_result r;
    rl_sandbox_opts_default(&opts);
    opts.cwd = workdir;
    opts.confine = 1;
    opts.env_extra = env.v;
    opts.timeout = deadline + 4.0 * per_seed + 10;
    opts.output_cap = 64 * 1024;
    opts.address_limit_ok = 0;
    int status = rl_sandbox_run(argv.v, &opts, &r, err, errlen);
    if (status == 0) {
        x->wall_seconds = r.wall_seconds;
        snprintf(x->isolation, sizeof x->isolation, "%s", r.isolation);
        if (!r.exited || r.exit_status != 0) {
            snprintf(err, errlen,
                     "the schedule explorer stopped early (%s%d): %.200s",
                     r.exited ? "status " : "signal ",
                     r.exited ? r.exit_status : r.signal, r.err ? r.err : "");
            status = -1;
        }
        rl_sandbox_result_free(&r);
    }
    if (status == 0)
        status = rl_sched_parse(out, x, err, errlen);
    free(out);
    rl_strv_free(&argv);
    rl_strv_free(&env);
    return status;
}

void rl_explore_free(struct rl_explore *x)
{
    for (size_t i = 0; i < x->ntraces; i++) {
        free(x->traces[i].steps);
        free(x->traces[i].waiters);
        free(x->traces[i].output);
    }
    free(x->traces);
    free(x->seeds);
    memset(x, 0, sizeof *x);
}
