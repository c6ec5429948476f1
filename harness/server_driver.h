/* server_driver.h: start-up and echo clients for `racelab check --server`. */
#ifndef RACELAB_SERVER_DRIVER_H
#define RACELAB_SERVER_DRIVER_H

#include <stddef.h>
#include "sandbox.h"
#include "tool.h"

/* A port for the server to listen on (free on this machine when the
 * sandbox has no network namespace of its own). */
int rl_server_pick_port(void);

enum rl_server_outcome {
    RL_SERVER_ECHOED = 0, /* every client got its line back */
    RL_SERVER_NO_LISTEN,  /* nothing ever accepted a connection */
    RL_SERVER_BAD_ECHO,   /* a client got no echo, or a wrong one */
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

#endif
