/* check_step.h: racelab check --seed S --step FILE.c: play scheduler. */
#ifndef RACELAB_CHECK_STEP_H
#define RACELAB_CHECK_STEP_H

#include "cli/check_options.h"

/* Steps through seed o->seed of the program on the terminal: one row per
 * Enter, a thread's number to run it instead; at the end (or q) prints
 * the --seed/--choices that replay the run, and checks that they do.
 * Writes o->html_path and o->trace_json_path of the final run.  Returns
 * the exit status. */
int rl_check_step(const struct rl_check_options *o);

#endif
