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

/*
 * For --server, before the policy: a server does not end by itself while
 * it is being served, and one that exits (it crashed, or gave up when
 * accept failed) still holds its listening socket, which is no leak the
 * student must fix.  So the tools' exit-time descriptor reports (fd-leak
 * with RL_FINDING_AT_EXIT: the probe's, probe/fds.c, and memcheck's) are
 * dropped; a server's descriptor leaks are measured as growth across
 * rounds of clients instead (server_rounds.c), and a thread that keeps
 * its connection open is seen by connfd_analysis.c.
 */
void rl_policy_drop_exit_fd_reports(struct rl_findings *raw);

#endif
