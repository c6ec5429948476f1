/* grade_run.h: one rubric run of a submission: its sources gathered from
 * the submission and the lab folder, built and checked once. */
#ifndef RACELAB_GRADE_RUN_H
#define RACELAB_GRADE_RUN_H

#include "engine/check_engine.h"
#include "grade/check_xml.h"
#include "grade/rubric.h"

struct rl_grade_run {
    const struct rl_rubric_run *spec;
    char *missing; /* student files the submission lacks, or NULL */
    char *refused; /* why a student file was refused (submission_check.h),
                      or NULL: then nothing was built or run */
    enum rl_check_status status; /* rl_check_execute's (REFUSED if missing
                                    or refused) */
    struct rl_check check; /* findings, sources, builds: see check_engine.h */
    int echoed;            /* server: the probe's run echoed every line */
    char server_note[640]; /* server: why not, or "" */
    char *log_dir, *log_path; /* check_tests: where Check's log goes */
    int have_results;         /* check_tests: a Check log was read */
    struct rl_ck_results results;
    char results_error[256]; /* check_tests: why there are no results */
    /* racelab's own fault outside the check (the engine's are in
     * check.diag), in words, or "": the grade is then not trusted. */
    char fault[320];
    /* Not run yet: set only on the runs after the last finished one when
     * a partial grade is written while grading goes on (cmd_grade.c);
     * their checks score 0, "not graded yet". */
    int pending;
};

/*
 * Runs `spec` of the rubric: student files from sub_dir, the rest from
 * lab_dir; the lab folder is on the include path.  Always returns with
 * g filled (never fails: what went wrong is in g->missing, g->status).
 */
void rl_grade_run_execute(struct rl_grade_run *g, const struct rl_rubric *r,
                          const struct rl_rubric_run *spec, const char *lab_dir,
                          const char *sub_dir);
void rl_grade_run_free(struct rl_grade_run *g);

/* 1 when the run failed through racelab's own fault (not the
 * submission's): the grade is then not to be trusted. */
int rl_grade_run_internal_error(const struct rl_grade_run *g);

#endif
