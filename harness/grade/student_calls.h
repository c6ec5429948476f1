/* student_calls.h: a race found in the lab's own test code also names the
 * student's functions that test code called just before the racing line:
 * the tests' accesses are guarded by the student's locks, so those are
 * where the bug is. */
#ifndef RACELAB_STUDENT_CALLS_H
#define RACELAB_STUDENT_CALLS_H

#include <stddef.h>

#include "engine/finding.h"

/*
 * For every data-race finding none of whose locations is in a student
 * file: reads the lab file's lines of the racing function up to each
 * racing line, finds the calls of functions the student files define,
 * and adds each such function's definition as a location, with a detail
 * line ("the racing lines are in the lab's tests; before them the tests
 * call your rw_write_lock (rwlock.c:31) ...").  student and lab are the
 * paths as the findings name them.
 */
void rl_name_student_calls(struct rl_findings *found, char *const *student,
                           size_t nstudent, char *const *lab, size_t nlab);

#endif
