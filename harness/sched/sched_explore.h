/* sched_explore.h: build the scheduled variant, run seeds, read the results. */
#ifndef RACELAB_SCHED_EXPLORE_H
#define RACELAB_SCHED_EXPLORE_H

#include <stddef.h>
#include <stdint.h>

#include "protocol/sched_wire.h"
#include "engine/sources.h"
#include "lib/sandbox.h"

/* How one seed's run ended. */
struct rl_seed_result {
    long long seed;
    int exit_code, signal;
    int verdict; /* enum rs_verdict */
    long long steps;
};

/* A recorded run: every step, and the blocked threads at a deadlock. */
struct rl_seed_trace {
    long long seed;
    struct rs_step *steps;
    size_t nsteps;
    long long dropped; /* older steps the ring no longer held */
    struct rs_waiter *waiters;
    size_t nwaiters;
    char *output; /* what the program printed (first 4 KiB) */
};

struct rl_explore {
    long long calibration; /* PCT's k: steps of the calibration run */
    struct rl_seed_result *seeds;
    size_t nseeds;
    struct rl_seed_trace *traces;
    size_t ntraces;
    double wall_seconds;
    /* how its run was confined (the sandbox says) */
    char isolation[RL_ISOLATION_MAX];
    long long stopped; /* seeds run before the time budget ran out, or 0 */
};

struct rl_explore_opts {
    long long first;
    int count;
    int depth;
    int spurious;
    int trace_all;  /* record every seed, not only the first failures */
    double timeout; /* per seed; the whole exploration gets twice this */
    char *const *program_args;
    const char *choices; /* "STEP:THREAD,..." (stepping), or NULL */
};

/* Compiles src with the TSan pass and links racelab's scheduler instead
 * of the TSan runtime; *exe is workdir/sched.  Returns 0, 1 when the
 * program does not compile (*output says why), -1 on an internal error. */
int rl_sched_build(const struct rl_sources *src, const char *workdir,
                   char **exe, char **output, char *err, size_t errlen);
/* The same with extra include folders (grading adds the lab folder). */
int rl_sched_build_with(const struct rl_sources *src, char *const *includes,
                        const char *workdir, char **exe, char **output,
                        char *err, size_t errlen);

/* Runs the seeds in one sandbox and reads what the runtime wrote. */
int rl_sched_explore(const char *exe, const char *workdir,
                     const struct rl_explore_opts *o, struct rl_explore *x,
                     char *err, size_t errlen);
/* Parses the runtime's result file (exposed for tests). */
int rl_sched_parse(const char *path, struct rl_explore *x, char *err,
                   size_t errlen);
void rl_explore_free(struct rl_explore *x);

/* A failing seed: the program failed, or the scheduler found it stuck. */
int rl_seed_failed(const struct rl_seed_result *r);

#endif
