/* server_driver.h: start-up and echo clients for `racelab check --server`. */
#ifndef RACELAB_SERVER_DRIVER_H
#define RACELAB_SERVER_DRIVER_H

#include <stddef.h>
#include "sandbox.h"
#include "tool.h"

/* A port for the server to listen on (free on this machine when the
 * sandbox has no network namespace of its own). */
int rl_server_pick_port(void);

/*
 * Waits for the server (run->program_args[0] is its port) to listen on
 * 127.0.0.1, then has a few clients each send a line and expect it back.
 * Returns 0 when every client got its echo; otherwise -1 with a message
 * for the student in `note` (never listened, closed, wrong answer).
 */
int rl_server_drive(struct rl_sandbox *sb, const struct rl_run *run, char *note,
                    size_t notelen);

#endif
