/* runner.c: run the user's program once under one tool, in the sandbox. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/runner.h"
#include "lib/procfs.h"
#include "lib/program_end.h"
#include "lib/xalloc.h"

static void summarize(struct rl_job *job, const struct rl_sandbox_result *r)
{
    job->exited = r->exited;
    job->timed_out = r->timed_out;
    job->stopped_by_watch = r->stopped_by_watch;
    job->summary.tool = job->tool->name;
    job->summary.exit_status = r->exited   ? r->exit_status
                               : r->signal ? 128 + r->signal
                                           : -1;
    job->summary.wall_seconds = r->wall_seconds;
    snprintf(job->isolation, sizeof job->isolation, "%s", r->isolation);
    job->summary.isolation = job->isolation[0] ? job->isolation : NULL;
    job->summary.timed_out = r->timed_out;
    if (job->note[0])
        ; /* the server driver already said what went wrong */
    else if (r->stopped_by_watch)
        snprintf(job->note, sizeof job->note, "%s",
                 job->stop_when_idle
                     ? "stopped once the program stood still"
                     : "stopped once the program was seen hanging");
    job->summary.note = job->note[0] ? job->note : NULL;
}

/* What the student needs to know whatever else the run's note says: the
 * kernel killed it (or a process of it) for memory, or its output went
 * past the cap.  After the tool's parse, which may write the note too. */
static void add_limit_notes(struct rl_job *job,
                            const struct rl_sandbox_result *r)
{
    if (r->oom_kills) {
        rl_program_memory_words(r, job->memory_words, sizeof job->memory_words);
        job->killed_for_memory = rl_program_killed_for_memory(r);
        if (!strstr(job->note, "out of memory")) {
            size_t used = strlen(job->note);
            snprintf(job->note + used, sizeof job->note - used, "%s%s%s",
                     used ? "; " : "",
                     job->killed_for_memory ? "" : "a process of it was ",
                     job->memory_words);
        }
    }
    rl_program_output_note(r, job->note, sizeof job->note);
}

/* How far the run got.  A --server run is always stopped by the harness:
 * what counts is whether the driver played all of its part. */
static void record_reach(struct rl_job *job, const struct rl_sandbox_result *r,
                         int driven)
{
    if (driven)
        job->reach = job->server_outcome == RL_DRIVE_OK ? RL_REACH_END
                                                        : RL_REACH_DRIVE_ENDED;
    else if (r->exited)
        job->reach = RL_REACH_END;
    else if (r->timed_out)
        job->reach = RL_REACH_TIMED_OUT;
    else if (r->stopped_by_watch)
        job->reach = RL_REACH_STOPPED;
    else if (r->signal) {
        job->reach = RL_REACH_CRASHED;
        job->reach_signal = r->signal;
    } else
        job->reach = RL_REACH_END;
}

/*
 * Once the probe has seen the program hang for good (a deadlock), the
 * other tools only need to reach the same point: a run whose CPU time
 * stands still for IDLE_STOP seconds is stopped early.  Their reports
 * (a lock-order warning, say) are written before the program blocks.
 */
static const double IDLE_STOP = 0.6;
static const double IDLE_START = 1.0; /* valgrind needs this to start */

struct idle_watch {
    double last_cpu, since;
};

static int stop_when_idle(void *arg, const struct rl_watch_info *info)
{
    struct idle_watch *w = arg;
    double cpu =
        info->program_pid > 0 ? rl_proc_cpu_seconds(info->program_pid, 1) : -1;
    if (cpu < 0 || cpu != w->last_cpu) {
        w->last_cpu = cpu;
        w->since = info->elapsed;
        return 0;
    }
    return info->elapsed >= IDLE_START && info->elapsed - w->since >= IDLE_STOP;
}

/*
 * A tool with a before_stop hook gets its last look at a program that
 * is about to be stopped without having exited: this watch wraps the
 * run's own watch (a tool's, or stop_when_idle), if any, and calls the
 * hook once, when that watch asks to stop or the timeout has come.
 */
struct stop_hook {
    struct rl_run *run;
    rl_watch_fn inner;
    void *inner_arg;
    int called;
};

static int watch_with_stop_hook(void *arg, const struct rl_watch_info *info)
{
    struct stop_hook *h = arg;
    int stop = h->inner ? h->inner(h->inner_arg, info) : 0;
    if ((stop || info->final) && !h->called && info->program_pid > 0) {
        h->called = 1;
        h->run->tool->before_stop(h->run, info);
    }
    return stop;
}

static void add_stop_hook(struct rl_run *run, struct stop_hook *h)
{
    *h = (struct stop_hook){run, run->sandbox.watch, run->sandbox.watch_arg};
    run->sandbox.watch = watch_with_stop_hook;
    run->sandbox.watch_arg = h;
    /* Alone, it only waits for the final call: no need to look often. */
    if (!h->inner)
        run->sandbox.watch_interval = 0.25;
}

/* Runs the program to its end; a --server program is played by the
 * driver, which also stops it, before the sandbox waits for it. */
static int execute(struct rl_run *run, struct rl_job *job)
{
    if (!run->driver)
        return rl_sandbox_run(run->argv.v, &run->sandbox, &run->result,
                              job->error, sizeof job->error);
    struct rl_sandbox *sb = rl_sandbox_start(run->argv.v, &run->sandbox,
                                             job->error, sizeof job->error);
    if (!sb)
        return -1;
    job->server_outcome =
        run->driver->drive(sb, run, &job->found, job->note, sizeof job->note);
    int rc = rl_sandbox_wait(sb, &run->result);
    if (rc == 0 && run->server_ended) {
        job->server_ended = 1;
        rl_program_end_note(&run->result, "the server", job->note,
                            sizeof job->note);
    }
    return rc;
}

void rl_job_run(const struct rl_run_setup *setup, struct rl_job *job)
{
    struct rl_run run = {0};
    char **driver_args = NULL;
    char *run_name = xasprintf("%s-%d", job->tool->name, job->round);
    run.tool = job->tool;
    run.diag = &job->diag;
    run.sources = setup->sources;
    run.exe = job->exe;
    run.program_args = setup->program_args;
    run.workdir = job->workdir;
    run.harness_dir = setup->harness_dir;
    run.timeout = job->timeout;
    run.server = setup->server;
    run.note = job->note;
    run.notelen = sizeof job->note;
    rl_sandbox_opts_for_program(&run.sandbox, job->timeout, job->workdir);
    run.driver = setup->server ? rl_tool_driver() : NULL;
    if (run.driver) {
        driver_args = run.driver->drive_prepare(&run);
        run.program_args = driver_args;
    }
    job->summary.tool = job->tool->name;
    job->summary.exit_status = -1;
    if (job->tool->prepare(&run, job->error, sizeof job->error) != 0)
        goto done;
    for (char *const *e = setup->program_env; e && *e; e++)
        rl_strv_push(&run.env, *e);
    char *const *own = job->tool->behaviour_reference ? setup->reference_env
                                                      : setup->others_env;
    for (char *const *e = own; e && *e; e++)
        rl_strv_push(&run.env, *e);
    if (run.driver)
        run.driver->drive_env(&run);
    run.sandbox.env_extra = run.env.v;
    struct idle_watch idle = {-1, 0};
    if (job->stop_when_idle && !run.sandbox.watch) {
        run.sandbox.watch = stop_when_idle;
        run.sandbox.watch_arg = &idle;
        run.sandbox.watch_interval = 0.1;
    }
    struct stop_hook hook;
    if (job->tool->before_stop)
        add_stop_hook(&run, &hook);
    if (execute(&run, job) != 0) {
        if (job->tool->cleanup)
            job->tool->cleanup(&run);
        goto done;
    }
    summarize(job, &run.result);
    record_reach(job, &run.result, run.driver != NULL);
    if (job->tool->parse(&run, &job->found, job->error, sizeof job->error) !=
            0 &&
        !job->error[0])
        snprintf(job->error, sizeof job->error, "cannot read its report");
    add_limit_notes(job, &run.result);
    if (run.tool_failed[0]) {
        snprintf(job->tool_failed, sizeof job->tool_failed, "%s",
                 run.tool_failed);
        job->tool_failed_id = run.tool_failed_id;
        size_t used = strlen(job->note);
        snprintf(job->note + used, sizeof job->note - used, "%s%s",
                 used ? "; " : "", run.tool_failed);
    }
    job->summary.note = job->note[0] ? job->note : NULL; /* parse's too */
done:
    rl_findings_set_run(&job->found, 0, run_name);
    rl_sandbox_result_free(&run.result);
    job->argv = run.argv;
    job->env = run.env;
    job->summary.command = job->argv.v;
    job->summary.environment = job->env.v;
    for (char **a = driver_args; a && *a; a++)
        free(*a);
    free(driver_args);
    free(run_name);
}

struct pool {
    const struct rl_run_setup *setup;
    struct rl_job *jobs;
    size_t n, next;
    pthread_mutex_t lock; /* guards next */
};

static void *pool_worker(void *arg)
{
    struct pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        size_t i = p->next++;
        pthread_mutex_unlock(&p->lock);
        if (i >= p->n)
            return NULL;
        rl_job_run(p->setup, &p->jobs[i]);
    }
}

void rl_jobs_run(const struct rl_run_setup *setup, struct rl_job *jobs,
                 size_t n, int parallel)
{
    struct pool p = {setup, jobs, n, 0, PTHREAD_MUTEX_INITIALIZER};
    pthread_t workers[8];
    int started = 0;
    if (parallel > 8)
        parallel = 8;
    for (int i = 1; i < parallel && (size_t)i < n; i++)
        if (pthread_create(&workers[started], NULL, pool_worker, &p) == 0)
            started++;
    pool_worker(&p); /* this thread works too */
    for (int i = 0; i < started; i++)
        pthread_join(workers[i], NULL);
}
