/* connfd_analysis.h: verdicts on a server's connection threads from the
 * probe's table: connfd-race, thread-leak, fd-leak (pure: no I/O). */
#ifndef RACELAB_CONNFD_ANALYSIS_H
#define RACELAB_CONNFD_ANALYSIS_H

#include "engine/finding.h"
#include "protocol/probe_shm.h"
#include "tools/symbolize.h"

/*
 * Thresholds: a leak is a figure that grows with the clients, so one
 * ended thread (or one descriptor) alone is not enough to call it.
 */
enum { RL_CONN_LEAK_MIN = 2 };

/* Queues the sites only these checks use (call before rl_symbolizer_run). */
void rl_connfd_add_sites(struct rl_symbolizer *sym, const struct rlp_shm *shm);

/*
 * Findings (tool "probe") about the connection threads of shm, the
 * threads a thread created right after accepting a descriptor and handed
 * that descriptor:
 * - connfd-race: a thread whose argument, a pointer into its creator's
 *   stack, held the next accepted descriptor by the time it read it (the
 *   probe held its start until then); locations: the accept in the loop,
 *   the pthread_create, the thread routine;
 * - thread-leak: at least RL_CONN_LEAK_MIN of them ended and were never
 *   joined nor detached (their stacks stay mapped);
 * - fd-leak: at least RL_CONN_LEAK_MIN of them ended with the descriptor
 *   they were handed still open, and nobody closed it since (a thread
 *   whose argument was overwritten does not count: the race lost it).
 * sym may be NULL: then no locations (and the policy drops them).
 */
void rl_connfd_findings(const struct rlp_shm *shm,
                        const struct rl_symbolizer *sym,
                        struct rl_findings *out);

/*
 * Before the policy: once the probe established a connfd-race, the
 * data-race the sanitizers and valgrind report on the same lines is that
 * race, seen from memory: it is folded into the connfd-race finding (its
 * tools, lines and evidence), and so is a tsan race on a descriptor
 * (location_kind RL_LOCATION_FD), which two threads serving one
 * connection cause.  Without a connfd-race, nothing changes.
 */
void rl_connfd_relabel(struct rl_findings *raw);

#endif
