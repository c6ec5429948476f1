/* server_rounds.h: rounds of clients, what grows with them, a clean stop. */
#ifndef RACELAB_SERVER_ROUNDS_H
#define RACELAB_SERVER_ROUNDS_H

#include <signal.h>
#include <stddef.h>

#include "engine/finding.h"
#include "lib/sandbox.h"
#include "tools/tool.h"

/*
 * An outcome beyond enum rl_server_outcome (server_driver.h): the server
 * answered its first clients, then stopped accepting connections once
 * their children (or threads) had ended: typically accept() failed with
 * EINTR after a SIGCHLD handler ran, and the server gave up.  Not a
 * failure mode of its own; `note` says what happened.
 */
enum { RL_SERVER_STOPPED_SERVING = 16 };

/* The clean stop's signal, hook thread and switch (RL_STOP_*). */
#include "protocol/hooks.h"

/*
 * Rounds of 1, 10 and 50 clients (run->program_args[0] is the port):
 * each client sends one line and reads it back, then disconnects; the
 * last round's clients disconnect all at once.  In the probe's run (the
 * plain build, where signals arrive as usual) the server is measured
 * after each round, once it has settled: zombie children, descriptors
 * of the server and of each live child, threads ended but never joined
 * or detached.  A figure that grows with the connections becomes a
 * finding in `out` (zombie-children, fd-leak: tool "server";
 * thread-leak: tool "probe", from the probe's table), with the growth in
 * its detail and the user's lines where the children were forked, the
 * connections accepted or the threads created.  Other tools' runs only
 * drive the clients, so that their own reports cover the same traffic.
 * Returns RL_SERVER_ECHOED, RL_SERVER_BAD_ECHO or
 * RL_SERVER_STOPPED_SERVING; for a failure, `note` says why.
 */
int rl_server_rounds(struct rl_sandbox *sb, const struct rl_run *run,
                     struct rl_findings *out, char *note, size_t notelen);

/*
 * Stops a server so that exit-time reports are still written: asks the
 * stop hook's thread (TSan and ASan builds of --server runs) to exit(0)
 * and waits a moment for the end; without a hook, gives the tool's
 * before_stop its last look.  Then rl_sandbox_stop (stop_signal, grace,
 * SIGKILL) for whatever is left.
 */
void rl_server_stop(struct rl_sandbox *sb, struct rl_run *run);

#endif
