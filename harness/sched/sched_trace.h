/* sched_trace.h: a recorded schedule as a finding and as thread columns. */
#ifndef RACELAB_SCHED_TRACE_H
#define RACELAB_SCHED_TRACE_H

#include <stdio.h>

#include "engine/finding.h"
#include "sched/sched_explore.h"
#include "tools/symbolize.h"

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

#endif
