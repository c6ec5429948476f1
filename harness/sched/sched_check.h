/* sched_check.h: `racelab check` under racelab's seeded scheduler. */
#ifndef RACELAB_SCHED_CHECK_H
#define RACELAB_SCHED_CHECK_H

#include "cli/check_options.h"
#include "engine/finding.h"
#include "engine/sources.h"

/*
 * Explores seeds o->seed .. o->seed + o->schedules - 1 (one seed when only
 * --seed was given) and reports the first failing seed of each kind, with
 * its interleaving.  Returns 0 clean, 1 findings, 2 usage error or the
 * program did not compile, 3 internal error.  cmd_check calls it when
 * o->schedules > 0 || o->seed_set.
 */
int rl_check_schedules(struct rl_check_options *o);

/*
 * The same exploration for `racelab grade` (a rubric run's "schedules"):
 * seeds 1..schedules of the program built from src (plus the include
 * folders, NULL-terminated, or NULL) at depth 3, with
 * spurious wakeups; appends the findings (tool "sched") to out and says
 * what was explored in note.  Prints nothing on success.  Returns 0, 1
 * when the program does not compile for the scheduler, -1 on racelab's
 * own failure (err says why).
 */
int rl_sched_findings(const struct rl_sources *src, char *const *includes,
                      char *const *program_args, int schedules, double timeout,
                      struct rl_findings *out, char *note, size_t notelen,
                      char *err, size_t errlen);

#endif
