/* check_engine.c: build, run every chosen tool, apply the policy. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/check_engine.h"
#include "cli/cmd.h"
#include "probe/connfd_analysis.h"
#include "engine/policy.h"
#include "engine/preflight.h"
#include "sched/sched_check.h"
#include "server/server_driver.h"
#include "lib/workdir.h"
#include "lib/xalloc.h"

/* When the probe saw the program hang, the other tools need only long
 * enough to start and reach the same point (valgrind is ~50x slower). */
static const double HANG_RETRY_MIN = 4.0;

static int wanted_variants(const struct rl_check *c, int wanted[])
{
    memset(wanted, 0, RL_VARIANT_COUNT * sizeof *wanted);
    for (int i = 0; rl_tools[i]; i++)
        if (c->req.tool_selected[i])
            wanted[rl_tools[i]->variant] = 1;
    wanted[RL_VARIANT_PLAIN] = 1; /* the plain build decides "compiles" */
    return 0;
}

/* Builds; a program that does not compile is the user's error (2). */
static int build_program(struct rl_check *c)
{
    char err[256];
    int wanted[RL_VARIANT_COUNT];
    wanted_variants(c, wanted);
    if (rl_build_all_with(&c->sources, wanted, &c->req.extras, c->workdir,
                          &c->build, err, sizeof err) != 0 &&
        !c->build.failed[RL_VARIANT_PLAIN]) {
        fprintf(stderr, "racelab: %s\n", err);
        return RL_EXIT_INTERNAL;
    }
    if (c->build.failed[RL_VARIANT_PLAIN]) {
        fprintf(stderr, "racelab: the program did not compile (%s):\n%s",
                rl_build_command(RL_VARIANT_PLAIN),
                c->build.output[RL_VARIANT_PLAIN]
                    ? c->build.output[RL_VARIANT_PLAIN]
                    : "(no compiler output)\n");
        return RL_EXIT_USAGE;
    }
    c->compiled = 1;
    for (int v = 0; v < RL_VARIANT_COUNT; v++)
        if (wanted[v] && c->build.failed[v])
            fprintf(stderr,
                    "racelab: warning: the %s build failed, so its tools "
                    "were skipped (%s):\n%s",
                    rl_variant_name(v), rl_build_command(v),
                    c->build.output[v] ? c->build.output[v] : "");
    return 0;
}

/* Drops tools the preflight found broken, saying so once. */
static void apply_preflight(struct rl_check *c)
{
    struct rl_preflight p;
    rl_preflight_run(&p);
    for (int i = 0; rl_tools[i]; i++) {
        const struct rl_tool *t = rl_tools[i];
        int broken = (t->variant == RL_VARIANT_TSAN && !p.tsan_ok) ||
                     (t->variant == RL_VARIANT_PLAIN &&
                      strcmp(t->name, "probe") != 0 && !p.valgrind_ok);
        if (broken && c->req.tool_selected[i]) {
            c->req.tool_selected[i] = 0;
            fprintf(stderr, "racelab: warning: skipping %s: %s\n", t->name,
                    p.message);
        }
    }
}

static int add_job(struct rl_check *c, const struct rl_tool *t, int round,
                   double timeout)
{
    char err[256];
    char *name = xasprintf("%s-%d", t->name, round);
    char *dir = rl_workdir_sub(c->workdir, name, err, sizeof err);
    free(name);
    if (!dir) {
        fprintf(stderr, "racelab: %s\n", err);
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
    return c->req.tool_selected[i] && !c->build.failed[rl_tools[i]->variant];
}

/* One round: the probe alone first, then the others two at a time. */
static int run_round(struct rl_check *c, int round)
{
    size_t first = c->njobs;
    double timeout = c->req.timeout;
    int probe = -1, hung = 0, idle = 0;
    for (int i = 0; rl_tools[i]; i++)
        if (runnable(c, i) && strcmp(rl_tools[i]->name, "probe") == 0)
            probe = i;
    if (probe >= 0) {
        if (add_job(c, rl_tools[probe], round, timeout) != 0)
            return -1;
        struct rl_job *pj = &c->jobs[first];
        rl_job_run(&c->setup, pj);
        /* A program that never listens would make every tool wait. */
        if (pj->server_outcome == RL_SERVER_NO_LISTEN)
            return 0;
        hung = pj->stopped_by_watch || pj->timed_out;
        /* A hang that the CPU shows as idle (a deadlock, not a livelock)
         * lets the other tools stop as soon as they stand still too. */
        idle = pj->stopped_by_watch &&
               rl_findings_count_id(&pj->found, "deadlock");
        if (hung) {
            double t = 2 * pj->summary.wall_seconds;
            timeout = t < HANG_RETRY_MIN ? HANG_RETRY_MIN : t;
            if (timeout > c->req.timeout)
                timeout = c->req.timeout;
        }
        first = c->njobs;
    }
    for (int i = 0; rl_tools[i]; i++) {
        if (i == probe || !runnable(c, i))
            continue;
        if (add_job(c, rl_tools[i], round, timeout) != 0)
            return -1;
        c->jobs[c->njobs - 1].stop_when_idle = idle;
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    rl_jobs_run(&c->setup, c->jobs + first, c->njobs - first,
                cores > 1 ? (int)cores : 1);
    return 0;
}

static int run_all(struct rl_check *c)
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

/* The seeded scheduler's seeds, after the tools: what it finds joins
 * their findings (a program it cannot build is only noted: the tools
 * have judged it already). */
static void explore_schedules(struct rl_check *c)
{
    char err[256] = "";
    int rc = rl_sched_findings(&c->sources, c->req.extras.include_dirs,
                               c->req.program_args, c->req.schedules,
                               c->req.timeout, &c->sched_found, c->sched_note,
                               sizeof c->sched_note, err, sizeof err);
    c->sched_ran = rc == 0;
    rl_findings_set_run(&c->sched_found, 0, "sched");
    if (rc != 0) {
        snprintf(c->sched_note, sizeof c->sched_note, "%s", err);
        fprintf(stderr, "racelab: sched: %s\n", err);
        c->internal_error |= rc < 0;
    }
}

/* Every job's findings through the policy; notes what went wrong. */
static void merge(struct rl_check *c)
{
    struct rl_findings raw = {0};
    int listened = 0;
    for (size_t i = 0; i < c->njobs; i++) {
        struct rl_job *job = &c->jobs[i];
        rl_findings_take(&raw, &job->found);
        if (job->error[0]) {
            fprintf(stderr, "racelab: %s: %s\n", job->tool->name, job->error);
            c->internal_error = 1;
        } else if (job->server_outcome != RL_SERVER_ECHOED) {
            fprintf(stderr, "racelab: %s run: %s\n", job->tool->name,
                    job->note);
        }
        listened |= job->server_outcome != RL_SERVER_NO_LISTEN;
    }
    rl_findings_take(&raw, &c->sched_found);
    if (c->req.server)
        rl_policy_drop_exit_fd_reports(&raw);
    c->never_listened = c->req.server && c->njobs && !listened;
    /* TSan's race on the accept loop's descriptor is the connfd-race the
     * probe made happen: one finding, with both tools' lines. */
    rl_connfd_relabel(&raw);
    rl_policy_apply(&raw, &c->verdict);
    rl_findings_free(&raw);
}

int rl_check_execute(struct rl_check *c, const struct rl_check_request *req)
{
    memset(c, 0, sizeof *c);
    c->req = *req;
    if (c->req.runs < 1)
        c->req.runs = 1;
    char err[256];
    if (rl_sources_init(&c->sources, (char *const *)req->files, req->nfiles,
                        err, sizeof err) != 0) {
        fprintf(stderr, "racelab: %s\n", err);
        return RL_EXIT_USAGE;
    }
    c->workdir = rl_workdir_create("racelab", err, sizeof err);
    if (!c->workdir) {
        fprintf(stderr, "racelab: %s\n", err);
        return RL_EXIT_INTERNAL;
    }
    c->setup =
        (struct rl_run_setup){&c->sources, req->program_args, rl_harness_dir(),
                              req->server, req->program_env};
    apply_preflight(c);
    int status = build_program(c);
    if (status != 0)
        return status;
    if (run_all(c) != 0)
        return RL_EXIT_INTERNAL;
    if (req->schedules > 0)
        explore_schedules(c);
    merge(c);
    return 0;
}

const struct rl_job *rl_check_job(const struct rl_check *c, const char *tool)
{
    for (size_t i = 0; i < c->njobs; i++)
        if (strcmp(c->jobs[i].tool->name, tool) == 0)
            return &c->jobs[i];
    return NULL;
}

void rl_check_report(const struct rl_check *c, const char *program,
                     struct rl_report *r)
{
    struct rl_run_summary *runs = xcalloc(c->njobs + 1, sizeof *runs);
    for (size_t i = 0; i < c->njobs; i++)
        runs[i] = c->jobs[i].summary;
    struct rl_build_summary *builds = xcalloc(RL_VARIANT_COUNT, sizeof *builds);
    size_t nbuilds = 0;
    for (int v = 0; v < RL_VARIANT_COUNT; v++)
        if (c->build.command[v].v)
            builds[nbuilds++] = (struct rl_build_summary){
                rl_variant_name(v), c->build.command[v].v,
                c->build.wall_seconds[v], !c->build.failed[v]};
    *r = (struct rl_report){program,  &c->sources, &c->verdict, runs,
                            c->njobs, builds,      nbuilds};
}

void rl_check_report_free(struct rl_report *r)
{
    free((void *)r->runs);
    free((void *)r->builds);
}

void rl_check_free(struct rl_check *c)
{
    for (size_t i = 0; i < c->njobs; i++) {
        rl_findings_free(&c->jobs[i].found);
        rl_strv_free(&c->jobs[i].argv);
        rl_strv_free(&c->jobs[i].env);
        free(c->jobs[i].workdir);
    }
    free(c->jobs);
    rl_findings_free(&c->verdict);
    rl_findings_free(&c->sched_found);
    rl_build_free(&c->build);
    rl_sources_free(&c->sources);
    if (c->workdir)
        rl_workdir_remove(c->workdir);
    free(c->workdir);
    memset(c, 0, sizeof *c);
}
