/* check_options.h: the command line of `racelab check`. */
#ifndef RACELAB_CHECK_OPTIONS_H
#define RACELAB_CHECK_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

#include "report/grade_formats.h"
#include "tools/tool.h"

enum { RL_MAX_INCLUDES = 16 };

struct rl_check_options {
    int server;            /* --server: a TCP echo server */
    int runs;              /* --runs N */
    double timeout;        /* --timeout SECONDS, per run */
    const char *json_path; /* --json FILE, or NULL */
    /* --junit FILE, --sarif FILE, --github ("-"): by row of
     * rl_grade_formats, for the rows with a check emitter; else NULL. */
    const char *format_path[RL_MAX_FORMATS];
    int tool_selected[RL_MAX_SELECTED_TOOLS]; /* by index in rl_tools */
    int tools_given;                          /* --tools was given */
    char **files;                             /* FILE.c... */
    size_t nfiles;
    char **program_args; /* after --, NULL-terminated */
    /* The seeded scheduler (tools/tool_sched.c): on when schedules > 0 or
     * seed_set; seeds seed..seed+schedules-1 are explored. */
    int schedules;       /* --schedules N (0: off) */
    int depth;           /* --depth D, PCT's bug depth (default 3) */
    long long seed;      /* --seed S: the first seed (default 1) */
    int seed_set;        /* 1 when --seed was given */
    int trace;           /* --trace: print each explored seed's interleaving */
    int no_spurious;     /* --no-spurious: no spurious condition wakeups */
    int step;            /* --step: play scheduler (sched/sched_step.h) */
    const char *choices; /* --choices STEP:THREAD,..., or NULL */
    const char *html_path;       /* --html FILE: report/picture.h */
    const char *trace_json_path; /* --trace-json FILE */
    /* -I DIR...: extra header folders, NULL-terminated. */
    char *includes[RL_MAX_INCLUDES];
    size_t nincludes;
};

/*
 * Parses argv (argv[0] is "check").  Returns 0 when the check should
 * run, 1 when --help was printed, -1 on a usage error (message printed).
 */
int rl_check_parse_options(int argc, char **argv, struct rl_check_options *o);
void rl_check_usage(FILE *out);

#endif
