/* tool.h: one interface for every detector (sanitizers, valgrind, probes). */
#ifndef RACELAB_TOOL_H
#define RACELAB_TOOL_H

#include <stddef.h>
#include "engine/finding.h"
#include "lib/sandbox.h"
#include "lib/strv.h"
#include "engine/sources.h"

/* The builds of the user's program that the tools need. */
enum rl_variant {
    RL_VARIANT_PLAIN, /* gcc -g -O1 -pthread: valgrind tools and probes */
    RL_VARIANT_TSAN,  /* clang -fsanitize=thread */
    RL_VARIANT_ASAN,  /* clang -fsanitize=address,undefined */
    RL_VARIANT_COUNT
};

/* One run of the user's program under one tool. */
struct rl_run {
    const struct rl_tool *tool;
    const struct rl_sources *sources;
    const char *exe;           /* the variant's executable, absolute path */
    char *const *program_args; /* arguments after FILE.c... -- */
    const char *workdir;       /* a scratch folder of this run alone */
    const char *harness_dir;   /* folder of bin/racelab (probe.so beside) */
    double timeout;
    struct rl_strv argv;             /* prepare fills: tool prefix, exe, args */
    struct rl_strv env;              /* prepare fills: "NAME=value" to add */
    struct rl_sandbox_opts sandbox;  /* prepare may adjust */
    struct rl_sandbox_result result; /* filled after the run */
    void *state;                     /* the tool's own, freed by its parse */
};

struct rl_tool {
    const char *name; /* "tsan", "helgrind", ... (used in reports) */
    enum rl_variant variant;
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
};

/* The registry: every tool, in the order they run. */
extern const struct rl_tool *const rl_tools[];
const struct rl_tool *rl_tool_find(const char *name);

#endif
