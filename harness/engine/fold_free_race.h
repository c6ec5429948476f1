/* fold_free_race.h: a race with free is the use-after-free, not a second
 * bug. */
#ifndef RACELAB_FOLD_FREE_RACE_H
#define RACELAB_FOLD_FREE_RACE_H

#include "engine/finding.h"

/*
 * Before the policy: a data-race whose one access is free itself
 * (RL_FINDING_FREE_ACCESS, TSan's view of a block freed while another
 * thread still reads it) that shares a line with a use-after-free finding
 * (ASan's, memcheck's) is folded into it: its tools, its lines not there
 * yet (the earlier read the free raced with) and its evidence.  One bug,
 * one finding, and no mutex advice for it.  A race with free and no
 * use-after-free on its lines stays a data-race.
 */
void rl_fold_free_races(struct rl_findings *raw);

#endif
