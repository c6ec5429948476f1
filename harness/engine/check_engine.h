/* check_engine.h: one check of a program, as a pipeline of stages.
 *
 *   sources -> tool selection (preflight) -> builds -> runs (one job per
 *   RUN tool and round; the DRIVE tool plays clients against them) ->
 *   exploration (EXPLORE tools) -> raw findings -> merge and policy ->
 *   verdict
 *
 * No stage prints or returns an exit status: what went wrong is in
 * c->diag, and commands (`racelab check`, `racelab grade`) and output
 * formats are the consumers of struct rl_check. */
#ifndef RACELAB_CHECK_ENGINE_H
#define RACELAB_CHECK_ENGINE_H

#include "engine/build.h"
#include "engine/diagnostics.h"
#include "engine/runner.h"

/* Seeds explored when the scheduler is named as a tool without a count. */
enum { RL_DEFAULT_SCHEDULES = 100 };

/* What to check: the sources, how to run them, with which tools. */
struct rl_check_request {
    char *const *files; /* source files, as the user named them */
    size_t nfiles;
    char *const *program_args; /* NULL-terminated, or NULL */
    char *const *program_env;  /* "NAME=value" for the program, or NULL */
    /* More of them for the behaviour-reference tool's run only, and for
     * every other run: what the reference run writes (Check's log) is
     * what grading reads, and no other run may write it too. */
    char *const *reference_env, *const *others_env;
    struct rl_build_extras extras;
    int server; /* a TCP echo server: the DRIVE tool plays clients */
    int runs;
    double timeout;                           /* seconds per tool run */
    int tool_selected[RL_MAX_SELECTED_TOOLS]; /* by index in rl_tools */
    /* EXPLORE tools (racelab's scheduler, docs/scheduler.md): seeds
     * first_seed .. first_seed + schedules - 1 at this depth. */
    int schedules;
    long long first_seed; /* 0 is a seed too: 1 when not set */
    int first_seed_set;
    int depth;           /* 0: the default */
    int no_spurious;     /* no spurious condition wakeups */
    int trace;           /* keep the interleavings of passing seeds too */
    const char *choices; /* stepping's choices "STEP:THREAD,...", or NULL */
};

/* Selects every tool that runs by default (all RUN tools: the DRIVE and
 * EXPLORE tools come with --server and with schedules). */
void rl_check_select_default_tools(struct rl_check_request *req);

/* How the check ended. */
enum rl_check_status {
    RL_CHECK_DONE,     /* built and run: the verdict stands */
    RL_CHECK_REFUSED,  /* the user's error: a missing file, no compile */
    RL_CHECK_INTERNAL, /* racelab itself failed */
};

/* What the exploring stage found (see tools/tool.h). */
struct rl_check_explore {
    const struct rl_tool *tool; /* NULL when no seed was explored */
    struct rl_explore_outcome out;
};

/* One check in progress and, once run, its outcome. */
struct rl_check {
    struct rl_check_request req;
    enum rl_check_status status;
    struct rl_diagnostics diag; /* every problem, in order */
    struct rl_sources sources;
    struct rl_build build;
    char *workdir;
    struct rl_run_setup setup;
    struct rl_job *jobs;
    size_t njobs;
    struct rl_check_explore explore;
    struct rl_findings verdict; /* after the policy */
    int compiled;               /* the plain build succeeded */
    int internal_error;         /* a tool failed (see diag) */
    int never_listened;         /* --server: no run ever got a connection */
    int sched_ran;              /* the scheduler explored its seeds */
    char sched_note[400];       /* what it explored, or why it could not */
    /* Tools of the request that this machine cannot run (by index in
     * rl_tools): why, with the instructor's fix; "" for the others.  The
     * checks that only they could decide are not measured. */
    char unavailable[RL_MAX_SELECTED_TOOLS][512];
    /* What the machine lacks that no tool needs but the confinement does
     * (no memory or pids cgroup), with its fix; or "". */
    char confinement_note[400];
};

/* Runs the whole pipeline; c->status and c->diag say how it went.  Free
 * with rl_check_free in any case. */
enum rl_check_status rl_check_execute(struct rl_check *c,
                                      const struct rl_check_request *req);

/* The job of the named tool in round 1, or NULL. */
const struct rl_job *rl_check_job(const struct rl_check *c, const char *tool);
/* The run whose behaviour grading judges: the behaviour-reference tool's
 * (its workdir holds what the program wrote, like Check's XML log), else
 * the first run there is, or NULL. */
const struct rl_job *rl_check_reference_job(const struct rl_check *c);

/* 1 when tool i of the registry takes part in this check (after the
 * select stage: the tools the machine cannot run are off). */
int rl_check_selected(const struct rl_check *c, int i);

void rl_check_free(struct rl_check *c);

#endif
