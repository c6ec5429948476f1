/* runner.h: run the user's program once under one tool, in the sandbox. */
#ifndef RACELAB_RUNNER_H
#define RACELAB_RUNNER_H

#include "engine/diagnostics.h"
#include "tools/tool.h"

/* One run of one tool, as reports list it. */
struct rl_run_summary {
    const char *tool;
    int exit_status; /* exit status, or 128+signal, or -1 if none */
    double wall_seconds;
    int timed_out;
    const char *note;         /* e.g. "stopped: deadlock seen", or NULL */
    char *const *command;     /* what ran, NULL-terminated, or NULL */
    char *const *environment; /* "NAME=value" added for it, or NULL */
    /* How it was confined (the sandbox's description: its uid, or "as
     * the invoking user", namespaces, cgroups), or NULL if unknown. */
    const char *isolation;
};

/* What every run shares. */
struct rl_run_setup {
    const struct rl_sources *sources;
    char *const *program_args;
    const char *harness_dir;
    int server; /* a TCP echo server: the registry's DRIVE tool plays it */
    char *const *program_env;   /* "NAME=value" for the program, or NULL */
    char *const *reference_env; /* more, for the behaviour reference's run */
    char *const *others_env;    /* more, for every other run */
};

/* How far a run got: whether what it was to show was all played out.
 * A check that forbids an ID proves nothing about a run that stopped
 * before the part that would show it (grade/grade_judge.c). */
enum rl_run_reach {
    RL_REACH_NOT_RUN = 0, /* it never ran (the tool or sandbox failed) */
    RL_REACH_END,         /* it exited by itself; a --server run: the
                             driver played every scenario and round */
    RL_REACH_CRASHED,     /* a signal ended it (reach_signal) */
    RL_REACH_TIMED_OUT,   /* the timeout came first */
    RL_REACH_STOPPED,     /* a watch stopped it: a hang was seen */
    RL_REACH_DRIVE_ENDED, /* --server: the driver's play stopped early
                             (server_outcome says how, note in words) */
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
    /* The IDs of those, each once, kept when the merge takes them (the
     * lecture's tools matrix shows what each tool said on its own). */
    struct rl_strv raw_ids;
    struct rl_strv argv, env; /* the command run, kept for the report */
    struct rl_run_summary summary;
    char note[640];                   /* why the run was cut short, or "" */
    char isolation[RL_ISOLATION_MAX]; /* the sandbox's description, or "" */
    char error[256];                  /* an internal error, or "" */
    struct rl_diagnostics diag;       /* the tool's warnings (run->diag) */
    int exited, stopped_by_watch, timed_out;
    int server_outcome; /* enum rl_drive_outcome: never listened, or did
                           not echo */
    enum rl_run_reach reach;
    int reach_signal; /* RL_REACH_CRASHED: the signal */
    int server_ended; /* the server died or exited by itself (the note
                         says how, with its last lines of stderr) */
    /* The kernel killed a process of the run for want of memory:
     * "killed: out of memory (limit 4 GiB)", else "".  killed_for_memory:
     * the program itself (its end, not a crash of its own). */
    char memory_words[64];
    int killed_for_memory;
    /* The tool failed inside the program (rl_run.tool_failed): what its
     * findings lack is not measured, never racelab's error. */
    char tool_failed[256];
    const char *tool_failed_id; /* the one ID unmeasured, NULL: all */
};

/* Prepares, runs and parses one job; fills job->found and summary. */
void rl_job_run(const struct rl_run_setup *setup, struct rl_job *job);

/* Runs jobs[0..n) with up to `parallel` at once. */
void rl_jobs_run(const struct rl_run_setup *setup, struct rl_job *jobs,
                 size_t n, int parallel);

#endif
