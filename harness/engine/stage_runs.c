/* stage_runs.c: every RUN tool's job, round after round; the tool that
 * watches for hangs goes first, so the others can be cut short. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/check_stages.h"
#include "engine/failure_modes.h"
#include "lib/workdir.h"
#include "lib/xalloc.h"

/* When the probe saw the program hang, the other tools need only long
 * enough to start and reach the same point (valgrind is ~50x slower). */
static const double HANG_RETRY_MIN = 4.0;
/* The same for a sanitizer's build, which starts at once, once the probe
 * has classified the hang: what it reports (a race on the way into the
 * hang) it reports as it happens. */
static const double CLASSIFIED_NATIVE_MIN = 2.0;

static int add_job(struct rl_check *c, const struct rl_tool *t, int round,
                   double timeout)
{
    char err[256];
    char *name = xasprintf("%s-%d", t->name, round);
    char *dir = rl_workdir_sub(c->workdir, name, err, sizeof err);
    free(name);
    if (!dir) {
        rl_diag_add(&c->diag, RL_DIAG_INTERNAL, NULL, "%s", err);
        c->status = RL_CHECK_INTERNAL;
        return -1;
    }
    struct rl_job *job = &c->jobs[c->njobs++];
    memset(job, 0, sizeof *job);
    job->tool = t;
    job->exe = c->build.exe[t->variant];
    job->workdir = dir;
    job->timeout = timeout;
    job->round = round;
    return 0;
}

static int runnable(const struct rl_check *c, int i)
{
    return rl_check_selected(c, i) && rl_tools[i]->stage == RL_STAGE_RUN &&
           !c->build.failed[rl_tools[i]->variant];
}

/* The runnable tool that watches for hangs, or -1. */
static int hang_watcher(const struct rl_check *c)
{
    for (int i = 0; rl_tools[i]; i++)
        if (runnable(c, i) && rl_tools[i]->watches_hangs)
            return i;
    return -1;
}

/* 1 when the watcher's run was stopped on a hang class it decided. */
static int classified_hang(const struct rl_job *wj)
{
    if (!wj->stopped_by_watch)
        return 0;
    for (size_t i = 0; i < wj->found.n; i++)
        if (rl_failure_mode_is_hang(wj->found.v[i].id))
            return 1;
    return 0;
}

/* Once the hang is classified, a native build needs less than valgrind. */
static double classified_timeout(const struct rl_tool *t, double retry,
                                 double probe_wall)
{
    if (t->needs & RL_NEEDS_VALGRIND)
        return retry;
    double n = 2 * probe_wall;
    if (n < CLASSIFIED_NATIVE_MIN)
        n = CLASSIFIED_NATIVE_MIN;
    return n < retry ? n : retry;
}

/* One round: the hang watcher alone first, then the others. */
static int run_round(struct rl_check *c, int round)
{
    size_t first = c->njobs;
    double timeout = c->req.timeout;
    int watcher = hang_watcher(c), idle = 0, classified = 0;
    double probe_wall = 0;
    if (watcher >= 0) {
        if (add_job(c, rl_tools[watcher], round, timeout) != 0)
            return -1;
        struct rl_job *wj = &c->jobs[first];
        rl_job_run(&c->setup, wj);
        /* A program that never listens would make every tool wait. */
        if (wj->server_outcome == RL_DRIVE_NEVER_STARTED)
            return 0;
        int hung = wj->stopped_by_watch || wj->timed_out;
        /* A hang that the CPU shows as idle (a deadlock, not a livelock)
         * lets the other tools stop as soon as they stand still too. */
        idle = wj->stopped_by_watch &&
               rl_findings_count_id(&wj->found, "deadlock");
        classified = classified_hang(wj);
        probe_wall = wj->summary.wall_seconds;
        if (hung) {
            double t = 2 * wj->summary.wall_seconds;
            timeout = t < HANG_RETRY_MIN ? HANG_RETRY_MIN : t;
            if (timeout > c->req.timeout)
                timeout = c->req.timeout;
        }
        first = c->njobs;
    }
    for (int i = 0; rl_tools[i]; i++) {
        if (i == watcher || !runnable(c, i))
            continue;
        double t = classified
                       ? classified_timeout(rl_tools[i], timeout, probe_wall)
                       : timeout;
        if (add_job(c, rl_tools[i], round, t) != 0)
            return -1;
        c->jobs[c->njobs - 1].stop_when_idle = idle;
    }
    /* A classified hang: the others' runs are bounded by their timeouts,
     * not by their work, so they all run at once (wall time, not CPU, is
     * what they would queue for). */
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int parallel = cores > 1 ? (int)cores : 1;
    if (classified && c->njobs - first > (size_t)parallel)
        parallel = (int)(c->njobs - first);
    rl_jobs_run(&c->setup, c->jobs + first, c->njobs - first, parallel);
    return 0;
}

int rl_stage_runs(struct rl_check *c)
{
    size_t tools = 0;
    for (int i = 0; rl_tools[i]; i++)
        tools += runnable(c, i);
    c->jobs = xcalloc(tools * c->req.runs + 1, sizeof *c->jobs);
    for (int round = 1; round <= c->req.runs; round++)
        if (run_round(c, round) != 0)
            return -1;
    return 0;
}
