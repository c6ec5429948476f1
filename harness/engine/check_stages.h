/* check_stages.h: the stages of one check, in the order check_engine.c
 * runs them.  Each reads what the earlier ones left in struct rl_check
 * and adds its own part; none prints.  A stage returns 0 to go on, or -1
 * when the check cannot go further (c->status and c->diag say why). */
#ifndef RACELAB_CHECK_STAGES_H
#define RACELAB_CHECK_STAGES_H

#include "engine/check_engine.h"

/* stage_build.c */
int rl_stage_sources(struct rl_check *c);
/* Turns on the tools the request's mode implies (the DRIVE tool for
 * --server, EXPLORE tools when seeds are asked for) and off those whose
 * needs the machine or the request does not meet. */
int rl_stage_select(struct rl_check *c);
int rl_stage_build(struct rl_check *c);

/* stage_runs.c: every RUN tool, round after round. */
int rl_stage_runs(struct rl_check *c);

/* stage_explore.c: the EXPLORE tool, after the runs. */
int rl_stage_explore(struct rl_check *c);

/* stage_merge.c: raw findings of every stage, through the policy. */
int rl_stage_merge(struct rl_check *c);

#endif
