/* check_engine.h: build a program, run the chosen tools, merge findings.
 * `racelab check` prints what this finds; `racelab grade` scores it. */
#ifndef RACELAB_CHECK_ENGINE_H
#define RACELAB_CHECK_ENGINE_H

#include "engine/build.h"
#include "cli/check_options.h"
#include "report/report.h"
#include "engine/runner.h"

/* What to check: the sources, how to run them, with which tools. */
struct rl_check_request {
    char *const *files; /* source files, as the user named them */
    size_t nfiles;
    char *const *program_args; /* NULL-terminated, or NULL */
    char *const *program_env;  /* "NAME=value" for the program, or NULL */
    struct rl_build_extras extras;
    int server; /* a TCP echo server, driven by the harness */
    int runs;
    double timeout;                           /* seconds per tool run */
    int tool_selected[RL_MAX_SELECTED_TOOLS]; /* by index in rl_tools */
    int schedules; /* > 0: also explore this many seeds under racelab's
                      scheduler (docs/scheduler.md); its tool is "sched" */
};

/* One check in progress and, once run, its outcome. */
struct rl_check {
    struct rl_check_request req;
    struct rl_sources sources;
    struct rl_build build;
    char *workdir;
    struct rl_run_setup setup;
    struct rl_job *jobs;
    size_t njobs;
    struct rl_findings verdict; /* after the policy */
    int compiled;               /* the plain build succeeded */
    int internal_error;         /* a tool failed (its message was printed) */
    int never_listened;         /* --server: no run ever got a connection */
    int sched_ran;              /* the scheduler explored its seeds */
    char sched_note[400];       /* what it explored, or why it could not */
    struct rl_findings sched_found; /* its findings, before merging */
};

/*
 * Runs the whole check: sources, preflight, builds, tools, policy.
 * Returns 0 when the program was built and run (see c->verdict), or an
 * RL_EXIT_* status: USAGE when a file is missing or the program does not
 * compile (c->compiled == 0; the compiler's words are in
 * c->build.output[RL_VARIANT_PLAIN]), INTERNAL on racelab's own failure.
 * Messages go to stderr.  Free with rl_check_free in any case.
 */
int rl_check_execute(struct rl_check *c, const struct rl_check_request *req);

/* The job of the named tool in round 1, or NULL (e.g. its workdir holds
 * what the program wrote, like Check's XML log). */
const struct rl_job *rl_check_job(const struct rl_check *c, const char *tool);

/* Fills a report for rl_report_text/rl_report_json; free runs/builds with
 * rl_check_report_free.  `program` is kept by reference. */
void rl_check_report(const struct rl_check *c, const char *program,
                     struct rl_report *r);
void rl_check_report_free(struct rl_report *r);

void rl_check_free(struct rl_check *c);

#endif
