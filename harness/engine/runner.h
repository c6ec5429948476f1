/* runner.h: run the user's program once under one tool, in the sandbox. */
#ifndef RACELAB_RUNNER_H
#define RACELAB_RUNNER_H

#include "report/report.h"
#include "tools/tool.h"

/* What every run shares. */
struct rl_run_setup {
    const struct rl_sources *sources;
    char *const *program_args;
    const char *harness_dir;
    int server;               /* drive the program as a TCP echo server */
    char *const *program_env; /* "NAME=value" for the program, or NULL */
};

/* One run and what came of it. */
struct rl_job {
    const struct rl_tool *tool;
    const char *exe;
    char *workdir;
    double timeout;
    int round;                /* of --runs, from 1: names the run */
    int stop_when_idle;       /* stop once its CPU time stands still */
    struct rl_findings found; /* the tool's raw findings */
    struct rl_strv argv, env; /* the command run, kept for the report */
    struct rl_run_summary summary;
    char note[160];  /* why the run was cut short, or "" */
    char error[256]; /* an internal error, or "" */
    int exited, stopped_by_watch, timed_out;
    int server_outcome; /* never listened, or did not echo */
};

/* Prepares, runs and parses one job; fills job->found and summary. */
void rl_job_run(const struct rl_run_setup *setup, struct rl_job *job);

/* Runs jobs[0..n) with up to `parallel` at once. */
void rl_jobs_run(const struct rl_run_setup *setup, struct rl_job *jobs,
                 size_t n, int parallel);

#endif
