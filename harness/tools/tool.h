/* tool.h: one interface for every detector (sanitizers, valgrind, probes). */
#ifndef RACELAB_TOOL_H
#define RACELAB_TOOL_H

#include <stddef.h>
#include "engine/finding.h"
#include "lib/sandbox.h"
#include "lib/strv.h"
#include "engine/sources.h"

#include "engine/diagnostics.h"
#include "engine/variant.h"

/* Bounds the registry: tool_selected[] in a check request is indexed by
 * a tool's place in rl_tools. */
enum { RL_MAX_SELECTED_TOOLS = 16 };

/* One run of the user's program under one tool. */
struct rl_run {
    const struct rl_tool *tool;
    const struct rl_sources *sources;
    const char *exe;           /* the variant's executable, absolute path */
    char *const *program_args; /* arguments after FILE.c... -- */
    const char *workdir;       /* a scratch folder of this run alone */
    const char *harness_dir;   /* folder of bin/racelab (probe.so beside) */
    double timeout;
    int server; /* driven as a TCP server (--server) */
    char *note; /* the run's note (may be NULL): parse may
                 * fill it while it is still "" */
    size_t notelen;
    struct rl_strv argv;             /* prepare fills: tool prefix, exe, args */
    struct rl_strv env;              /* prepare fills: "NAME=value" to add */
    struct rl_sandbox_opts sandbox;  /* prepare may adjust */
    struct rl_sandbox_result result; /* filled after the run */
    void *state;                     /* the tool's own, freed by its parse */
    /* The DRIVE tool playing clients against this run (a --server
     * program), or NULL. */
    const struct rl_tool *driver;
    /* The driver saw the server gone before it stopped it: it died or
     * exited by itself (result then says how). */
    int server_ended;
    /* Where the tool puts warnings that do not stop it (a symbolizer
     * that failed: its findings stand, unplaced). */
    struct rl_diagnostics *diag;
    /* parse: the tool failed inside the program's own process (its
     * checks undone, by what the program did or by its being stopped),
     * in words, or "": the run's findings are incomplete, but that is
     * the program's result, not racelab's internal error.  Of the IDs
     * the tool shows, only tool_failed_id is left unmeasured (NULL: all
     * of them). */
    char tool_failed[256];
    const char *tool_failed_id;
};

/* EXPLORE: what the engine asks of an exploring tool. */
struct rl_explore_params {
    const struct rl_sources *sources;
    char *const *include_dirs; /* NULL-terminated, or NULL */
    char *const *program_args; /* NULL-terminated, or NULL */
    double timeout;            /* per seed; the whole gets twice this */
    int count;                 /* seeds to explore */
    long long first;           /* the first seed */
    int depth;                 /* PCT's bug depth */
    int spurious;              /* spurious condition wakeups */
    int trace;                 /* also keep passing seeds' interleavings */
    const char *choices;       /* stepping's choices, or NULL */
};

/* EXPLORE: what it gives back. */
struct rl_explore_outcome {
    int ran;                    /* it explored its seeds */
    int not_built;              /* the program does not compile for it */
    char *build_command;        /* then: how it was compiled */
    char *build_output;         /* and the compiler's words */
    char *error;                /* racelab's own failure, or NULL */
    struct rl_findings found;   /* the first failing seed of each kind */
    struct rl_findings passing; /* trace: passing seeds' interleavings,
                                   shown but never findings */
    char *note;                 /* what it explored */
    double wall_seconds;
    /* how the explorer's run was confined, or "" */
    char isolation[RL_ISOLATION_MAX];
};
void rl_explore_outcome_free(struct rl_explore_outcome *o);

/*
 * How a tool takes part in a check (engine/check_engine.c):
 * - RUN: one sandboxed run of a build variant per round (prepare, run,
 *   parse): the sanitizers, valgrind's tools, the probe;
 * - DRIVE: no run of its own; it plays clients against the native-speed
 *   run of a --server program and measures it (server/);
 * - EXPLORE: its own stage after the runs, with its own build: racelab's
 *   seeded scheduler exploring seeds (sched/).
 */
enum rl_tool_stage { RL_STAGE_RUN, RL_STAGE_DRIVE, RL_STAGE_EXPLORE };

/* What a tool needs of the machine or of the request; a tool whose need
 * is not met is skipped, with a diagnostic saying why. */
enum rl_tool_needs {
    RL_NEEDS_VALGRIND = 1 << 0,  /* valgrind runs here (preflight) */
    RL_NEEDS_TSAN = 1 << 1,      /* TSan programs start here (preflight) */
    RL_NEEDS_SERVER = 1 << 2,    /* only for --server programs */
    RL_NEEDS_SCHEDULES = 1 << 3, /* only when seeds are to be explored */
};

/* How a DRIVE tool's play went (what its drive returns). */
enum rl_drive_outcome {
    RL_DRIVE_OK = 0,        /* the program answered as it must */
    RL_DRIVE_NEVER_STARTED, /* it never got going (a server never listened) */
    RL_DRIVE_FAILED,        /* it answered wrongly: the note says how */
};

struct rl_sandbox;
struct rl_explore_params;
struct rl_explore_outcome;

struct rl_tool {
    const char *name; /* "tsan", "helgrind", ... (used in reports) */
    enum rl_tool_stage stage;
    enum rl_variant variant; /* RUN: the build it runs */
    unsigned needs;          /* enum rl_tool_needs */
    /* RUN: runs first and alone in each round; when it sees the program
     * hang, the other tools get a shorter time. */
    int watches_hangs;
    /* RUN: the program runs at native speed under it, so it may play the
     * timing-sensitive server scenarios and rounds of clients. */
    int native_speed;
    /* RUN: grading reads the program's behaviour from its run: whether
     * the server echoed, the Check log the tests wrote. */
    int behaviour_reference;
    /* Fills run->argv and run->env (and may set run->sandbox.watch). */
    int (*prepare)(struct rl_run *run, char *err, size_t errlen);
    /* Reads the run's reports; appends findings seen by this tool. */
    int (*parse)(struct rl_run *run, struct rl_findings *out, char *err,
                 size_t errlen);
    /*
     * May be NULL.  Called at most once, while the program still runs,
     * when the runner is about to stop it although it has not exited (the
     * timeout has come, or a watch decided to stop it; for --server
     * runs, by rl_server_stop when the build has no stop hook to exit
     * cleanly): a last look at the live program, e.g. asking it for a
     * leak report.  It may take a moment (up to ~2 s); the stop waits for
     * it.  info->init_pid may be 0 there.
     */
    void (*before_stop)(struct rl_run *run, const struct rl_watch_info *info);
    /* May be NULL.  Frees run->state when parse was never called (the
     * sandbox could not start the program). */
    void (*cleanup)(struct rl_run *run);

    /* DRIVE only.  Before the run's tool prepares it: the program's
     * arguments (NULL-terminated, freed by the runner) and limits. */
    char **(*drive_prepare)(struct rl_run *run);
    /* DRIVE only.  After the tool's and the program's environment: what
     * the driver adds to it. */
    void (*drive_env)(struct rl_run *run);
    /* DRIVE only.  Plays against the started program, then stops it;
     * appends findings to out and says what went wrong in note; returns
     * the outcome (server/server_driver.h). */
    int (*drive)(struct rl_sandbox *sb, struct rl_run *run,
                 struct rl_findings *out, char *note, size_t notelen);

    /* EXPLORE only.  Builds and explores; never prints. */
    void (*explore)(const struct rl_explore_params *p,
                    struct rl_explore_outcome *out);
};

/* The registry: every tool, in the order they run. */
extern const struct rl_tool *const rl_tools[];
const struct rl_tool *rl_tool_find(const char *name);
/* Its index in rl_tools, or -1. */
int rl_tool_index(const struct rl_tool *t);
/* The tool that plays clients against --server programs (stage DRIVE). */
const struct rl_tool *rl_tool_driver(void);

#endif
