/* server_scenarios.h: clients that show whether a server waits for one. */
#ifndef RACELAB_SERVER_SCENARIOS_H
#define RACELAB_SERVER_SCENARIOS_H

#include <stddef.h>

#include "engine/finding.h"
#include "lib/sandbox.h"
#include "server/server_driver.h"
#include "tools/tool.h"

enum { RL_MANY_CLIENTS = 200 }; /* connected at once in the last scenario */

/*
 * After the basic echo clients, in the probe's run only (the plain build
 * at full speed: see server_scenarios.c for why the others skip them):
 * client 1 connects and stays idle; or sends half a line and stops; or
 * sends lines and never reads the echoes.  Each time client 2 connects,
 * writes a line and must get it back.  Last, RL_MANY_CLIENTS clients
 * connected at once each echo a line.
 *
 * When a client gets no echo, the server is inspected through /proc
 * (server_evidence.h) and an `iterative-blocking` finding, with the
 * kernel's evidence, is added to `found` once the server is seen
 * asleep on another client's connection: about 0.4 s after the write,
 * not after a long timeout.  The remaining scenarios are then skipped.
 *
 * Returns 1 after a finding, 0 when every client was answered, -1 when
 * a scenario could not be completed (no echo, yet no proof of blocking;
 * the server ended): `note` says what happened.
 */
int rl_server_scenarios(struct rl_sandbox *sb, const struct rl_run *run,
                        int port, struct rl_findings *found,
                        struct rl_server_stats *stats, char *note,
                        size_t notelen);

#endif
