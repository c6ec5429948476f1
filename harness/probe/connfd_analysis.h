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

/* The probe's candidate connfd-race that only tsan can confirm (see
 * rl_connfd_findings); never left for the policy. */
#define RL_CONNFD_HANDOFF "connfd-handoff"

/* Queues the sites only these checks use (call before rl_symbolizer_run). */
void rl_connfd_add_sites(struct rl_symbolizer *sym, const struct rlp_shm *shm);

/*
 * Findings (tool "probe") about the connection threads of shm, the
 * threads a thread created right after accepting a descriptor and handed
 * that descriptor:
 * - connfd-race: a thread whose argument, a pointer where the next accept
 *   stores again (its creator's stack, a global or static, a block handed
 *   before), held the next accepted descriptor by the time it read it
 *   (the probe held its start, or its first step after its handshake,
 *   until then); locations: the accept in the loop, the pthread_create,
 *   the thread routine;
 * - RL_CONNFD_HANDOFF: when no thread raced but a hold could not decide
 *   (the creator spun on a flag), the same lines for rl_connfd_relabel;
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
 * connection cause.  First, a handoff on whose accept line tsan saw a
 * race (not on a descriptor) becomes that connfd-race; the other handoffs
 * are dropped.  Without a connfd-race, nothing changes.
 */
void rl_connfd_relabel(struct rl_findings *raw);

#endif
