/* server_driver.h: start-up and echo clients for `racelab check --server`. */
#ifndef RACELAB_SERVER_DRIVER_H
#define RACELAB_SERVER_DRIVER_H

#include <stddef.h>
#include "engine/finding.h"
#include "lib/sandbox.h"
#include "tools/tool.h"

/* A port for the server to listen on (free on this machine when the
 * sandbox has no network namespace of its own). */
int rl_server_pick_port(void);

/* The driver's outcomes (tools/tool.h), as an echo server sees them. */
enum rl_server_outcome {
    RL_SERVER_ECHOED = RL_DRIVE_OK,               /* every line came back */
    RL_SERVER_NO_LISTEN = RL_DRIVE_NEVER_STARTED, /* nothing accepted */
    RL_SERVER_BAD_ECHO = RL_DRIVE_FAILED,         /* no echo, or a wrong one */
};

/*
 * Waits for the server (run->program_args[0] is its port) to listen on
 * 127.0.0.1, then has a few clients, one after another, each send a line
 * and expect it back; then the same clients all connected at once.
 * Returns an rl_server_outcome; for a failure, `note` has a message for
 * the student (never listened, closed, wrong answer).
 */
int rl_server_drive(struct rl_sandbox *sb, const struct rl_run *run, char *note,
                    size_t notelen);

/* What the blocking scenarios measured (server_scenarios.c). */
struct rl_server_stats {
    int scenarios;           /* how many blocking scenarios ran */
    double blocking_latency; /* seconds from the waiting client's write
                              * to the iterative-blocking verdict, or -1 */
    int many_clients;        /* clients connected at once (0: not run) */
    int many_connected;      /* of those, connected */
    int many_echoed;         /* of those, answered */
};

/*
 * rl_server_drive, then (when the basic clients were answered) the
 * blocking scenarios of server_scenarios.h, whose `iterative-blocking`
 * findings go to `found`, then the rounds of server_rounds.h (zombies,
 * descriptors, threads), whose findings go to `found` too.  Returns the
 * basic clients' outcome, or the rounds' when they saw the server stop
 * answering (RL_SERVER_STOPPED_SERVING, RL_SERVER_BAD_ECHO).  A scenario
 * that could not be completed leaves a message in `note` but does not
 * change the outcome.  `stats` may be NULL.
 */
int rl_server_drive_stats(struct rl_sandbox *sb, const struct rl_run *run,
                          struct rl_findings *found,
                          struct rl_server_stats *stats, char *note,
                          size_t notelen);
int rl_server_drive_full(struct rl_sandbox *sb, const struct rl_run *run,
                         struct rl_findings *found, char *note, size_t notelen);

#endif
