/* sched_trace.h: a recorded schedule as a finding and as thread columns. */
#ifndef RACELAB_SCHED_TRACE_H
#define RACELAB_SCHED_TRACE_H

#include <stdio.h>

#include "engine/finding.h"
#include "sched/sched_explore.h"
#include "lib/symbolize.h"

/*
 * Turns the recorded run of a failing seed into a finding: deadlock (with
 * its wait-for cycle), livelock, or data-race (the unsynchronized pair of
 * accesses, and the step that lost marked).  The finding carries the seed
 * and the shown steps.  `sym` must have been run over the trace's pcs
 * (rl_sched_trace_symbols).  Returns the finding, appended to out; or
 * NULL, adding nothing, for a failed run whose trace shows no cause in the
 * interleaving (no unsynchronized access, no unchecked condition wait).
 */
struct rl_finding *rl_sched_finding(const struct rl_seed_trace *t,
                                    const struct rl_seed_result *r,
                                    const struct rl_symbolizer *sym,
                                    struct rl_findings *out);

/* Queues every pc of the trace for rl_symbolizer_run. */
void rl_sched_trace_symbols(struct rl_symbolizer *sym,
                            const struct rl_seed_trace *t);

/* The steps of a passing run, for --trace (steps only, no finding). */
void rl_sched_steps(const struct rl_seed_trace *t,
                    const struct rl_symbolizer *sym, struct rl_finding *f);

/* What the marked step of a finding's trace (rl_trace_step.losing) is. */
enum rl_losing {
    RL_LOSING_NONE,
    RL_LOSING_STALE,  /* a store of a value read before another's store */
    RL_LOSING_RACE,   /* the second of an unsynchronized pair */
    RL_LOSING_FAILED, /* the step after which the program failed */
};

/* Rows of a finding's trace the text report shows (0: all; --trace). */
extern int rl_trace_rows_shown;

/* Prints steps as one column per thread; only the last max_rows rows
 * (0: all), each line indented by `indent`. */
void rl_trace_print(FILE *out, const struct rl_trace_step *s, size_t n,
                    size_t max_rows, int indent);

#endif
