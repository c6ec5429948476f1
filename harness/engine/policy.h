/* policy.h: which tool to believe for which bug, and merging their reports. */
#ifndef RACELAB_POLICY_H
#define RACELAB_POLICY_H

#include "engine/finding.h"

/* 1 when `tool` may on its own establish a finding with this id. */
int rl_policy_is_authoritative(const char *id, const char *tool);

/*
 * Turns the raw findings of every run into the verdict shown to the user:
 * findings of one id that share a source line are merged into one that
 * lists all their tools; findings no authoritative tool saw are dropped;
 * a deadlock hides the lock-order inversion it proves; the result is
 * sorted by the failure-mode table's order, then by file and line.
 */
void rl_policy_apply(struct rl_findings *raw, struct rl_findings *verdict);

#endif
