/* failure_modes.h: the stable vocabulary of bugs racelab names, one table
 * (failure_modes.c) from which reports, the policy, grading, tests and
 * docs take them. */
#ifndef RACELAB_FAILURE_MODES_H
#define RACELAB_FAILURE_MODES_H

enum { RL_MAX_AUTHORITIES = 4 };

struct rl_failure_mode {
    const char *id;          /* stable: reports, JSON, docs and tests use it */
    const char *title;       /* one line */
    const char *explanation; /* two or three sentences: what it means */
    const char *fix;         /* how to fix it */
    /* The tools ("tsan", "probe", "sched", ...) whose report of this ID
     * alone makes a finding; others only confirm.  Unused slots are NULL. */
    const char *authorities[RL_MAX_AUTHORITIES];
    /* 1: a finding of this ID explains why a program never finished
     * (a grader's tests that timed out show it). */
    int hang;
};

/* All modes, ending with an entry whose id is NULL. */
extern const struct rl_failure_mode rl_failure_modes[];
/* The mode with this id, or NULL. */
const struct rl_failure_mode *rl_failure_mode_find(const char *id);
/*
 * The text a finding of this id with these flags (finding.h's
 * RL_FINDING_*) is explained with: a case of the mode that has its own
 * title, explanation and fix (a self-deadlock is a deadlock, but not a
 * lock-order cycle), else the mode itself.  *case_name is that case's
 * name ("self-deadlock") or NULL.  NULL for an unknown id.
 */
const struct rl_failure_mode *
rl_failure_mode_explain(const char *id, unsigned flags, const char **case_name);
/* 1 when tool is authoritative for id; 0 for an unknown id or tool. */
int rl_failure_mode_trusts(const char *id, const char *tool);
/* 1 when id is a hang class (deadlock, livelock, starvation). */
int rl_failure_mode_is_hang(const char *id);

#endif
