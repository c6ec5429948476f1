/* grade_judge.h: each rubric check judged from its run's outcome, as a
 * result record that the output formats (report/grade_formats.h) print. */
#ifndef RACELAB_GRADE_JUDGE_H
#define RACELAB_GRADE_JUDGE_H

#include <stddef.h>

#include "engine/finding.h"
#include "grade/grade_run.h"
#include "grade/rubric.h"
#include "engine/runner.h"

enum rl_grade_status {
    RL_GRADE_PASS,
    RL_GRADE_FAIL,
    RL_GRADE_INFO, /* a report_only check: shown, never scored */
};

/* Why a check's run gave nothing to judge; the check's message says it
 * in words, this says it to the formats (e.g. to show the compiler's
 * output once per run). */
enum rl_grade_problem {
    RL_GRADE_PROBLEM_NONE,
    RL_GRADE_PROBLEM_MISSING_FILE,  /* the submission lacks a student file */
    RL_GRADE_PROBLEM_REFUSED_FILE,  /* a student file was refused by name */
    RL_GRADE_PROBLEM_COMPILE_ERROR, /* the message holds the compiler's words */
    RL_GRADE_PROBLEM_NOT_BUILT,     /* not built, and no compiler output */
    RL_GRADE_PROBLEM_INTERNAL_ERROR,    /* racelab could not run it */
    RL_GRADE_PROBLEM_SCHED_DID_NOT_RUN, /* the scheduler could not run it */
    RL_GRADE_PROBLEM_NEVER_LISTENED,    /* a server lab's server never did */
    RL_GRADE_PROBLEM_NOT_MEASURED,      /* a forbid check whose run stopped
                                           before the end: it proves nothing */
    RL_GRADE_PROBLEM_TOOL_UNAVAILABLE,  /* a forbid check that only tools
                                           this machine cannot run decide */
    RL_GRADE_PROBLEM_PENDING, /* its run had not run yet (a partial grade) */
};

struct rl_grade_check_result {
    const char *name; /* the rubric's */
    enum rl_grade_status status;
    int points, max_points; /* points got (0 unless PASS), points at stake */
    enum rl_grade_problem problem;
    char *message; /* why it failed, when no finding says it; or NULL */
    const struct rl_finding **findings; /* into runs[run].check->verdict */
    size_t nfindings;
    size_t run; /* index in the result's runs (and the rubric's) */
    /* 1 when the check could not be measured (its run stopped early, or
     * its tools cannot run here): 0 points that say nothing of the work;
     * JSON's "not_measured". */
    int not_measured;
};

/* One rubric run, as the "runs:" lines show it. */
struct rl_grade_run_result {
    const char *name;
    const struct rl_check *check; /* for quoting the findings' sources */
    struct rl_run_summary *tools; /* one per tool run, in order */
    size_t ntools;
    const char *sched_note; /* the scheduler's, or "" when it had none */
};

struct rl_grade_result {
    const char *lab;
    int score, max_score;
    struct rl_grade_check_result *checks; /* in the rubric's order */
    size_t nchecks;
    struct rl_grade_run_result *runs;
    size_t nruns;
    int internal_error; /* racelab itself failed somewhere: exit status 3 */
    /* Runs not run yet (a partial grade written while grading goes on):
     * their checks score 0; 0 in the final grade. */
    size_t npending;
    char **diagnostics; /* racelab's own faults the judge saw, in words */
    size_t ndiagnostics;
    /* What this machine could not do, each once, with the instructor's
     * fix ("tsan could not run here: ..."): the grade is then partial,
     * and every format says so first. */
    char **environment;
    size_t nenvironment;
};

/*
 * Judges every check of the rubric from runs[i] (the outcome of
 * rubric->runs[i]).  Prints nothing.  The result points into rubric and
 * runs: free it (rl_grade_result_free) before them.
 */
void rl_grade_judge(const struct rl_rubric *rubric,
                    const struct rl_grade_run *runs,
                    struct rl_grade_result *result);
void rl_grade_result_free(struct rl_grade_result *result);

/* 1 when a PASS or an INFO: JSON's "passed" (report_only checks pass). */
int rl_grade_check_passed(const struct rl_grade_check_result *c);

#endif
