/* grade_score.h: each rubric check judged from its run, printed for the
 * student and written as JSON. */
#ifndef RACELAB_GRADE_SCORE_H
#define RACELAB_GRADE_SCORE_H

#include "grade/grade_run.h"
#include "grade/rubric.h"

/*
 * Judges every check of the rubric from runs[i] (the outcome of
 * rubric->runs[i]), prints them with the total on standard output, and
 * writes json_path when not NULL.  Returns the exit status: 0 graded, 3
 * when racelab itself failed (a tool broke, the JSON could not be
 * written).
 */
int rl_grade_score(const struct rl_rubric *rubric,
                   const struct rl_grade_run *runs, const char *json_path);

#endif
