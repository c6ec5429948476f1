/* server_errpaths.h: clients that leave badly, and the descriptors a
 * server keeps for them. */
#ifndef RACELAB_SERVER_ERRPATHS_H
#define RACELAB_SERVER_ERRPATHS_H

#include <stddef.h>
#include <sys/types.h>

#include "lib/sandbox.h"

/* A connection the server still held after its client had gone. */
struct rl_errpath_leak {
    int found;
    int fd;        /* its descriptor in the process that holds it */
    pid_t holder;  /* that process (outside view) */
    int child;     /* 1: a child of the server holds it */
    char did[128]; /* what the client did, for the report */
    double waited; /* seconds after the client had gone */
};

/*
 * Clients that leave the way real ones do, one after another: one resets
 * its connection after its echo (SO_LINGER 0, then close: the server's
 * read fails with ECONNRESET), one closes in the middle of a line, one
 * resets in the middle of a line, one stops reading its echoes and then
 * resets (the server's write fails with EPIPE or ECONNRESET).  After each,
 * the server (pid, and its children) must let go of that connection: a
 * descriptor still open on it once its peer is gone is a leak, however
 * few.  The first such one goes to *leak; returns 1 then, else 0.
 */
int rl_server_error_clients(struct rl_sandbox *sb, unsigned port, pid_t pid,
                            struct rl_errpath_leak *leak);

#endif
