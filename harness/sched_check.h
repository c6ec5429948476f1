/* sched_check.h: `racelab check` under racelab's seeded scheduler. */
#ifndef RACELAB_SCHED_CHECK_H
#define RACELAB_SCHED_CHECK_H

#include "check_options.h"

/*
 * Explores seeds o->seed .. o->seed + o->schedules - 1 (one seed when only
 * --seed was given) and reports the first failing seed of each kind, with
 * its interleaving.  Returns 0 clean, 1 findings, 2 usage error or the
 * program did not compile, 3 internal error.  cmd_check calls it when
 * o->schedules > 0 || o->seed_set.
 */
int rl_check_schedules(struct rl_check_options *o);

#endif
