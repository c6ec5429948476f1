/* sched_check.h: a program checked under racelab's seeded scheduler: the
 * EXPLORE stage of a check (tools/tool_sched.c). */
#ifndef RACELAB_SCHED_CHECK_H
#define RACELAB_SCHED_CHECK_H

#include "tools/tool.h"

/*
 * Builds the program with the TSan pass pointed at racelab's scheduler,
 * explores seeds p->first .. p->first + p->count - 1 in one sandbox (the
 * runtime forks per seed) and turns the first failing seed of each kind
 * into a finding (tool "sched") that carries the seed and its
 * interleaving.  Prints nothing: out says what happened.
 */
void rl_sched_check(const struct rl_explore_params *p,
                    struct rl_explore_outcome *out);

/*
 * Stepping (racelab check --step) runs one seed again and again with more
 * choices: the program is built once per session.  open builds it (NULL,
 * with out saying why, when it cannot); each run explores p->first with
 * these choices ("STEP:THREAD,...", or NULL) into out, which the caller
 * frees (rl_explore_outcome_free) before the next run.
 */
struct rl_sched_session;
struct rl_sched_session *
rl_sched_session_open(const struct rl_explore_params *p,
                      struct rl_explore_outcome *out);
void rl_sched_session_run(struct rl_sched_session *s, const char *choices,
                          struct rl_explore_outcome *out);
void rl_sched_session_close(struct rl_sched_session *s);

#endif
