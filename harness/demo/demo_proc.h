/* demo_proc.h: one of the labs' or the corpus's programs built and run
 * live for a demo act, confined in the sandbox like every run of user
 * code, and what the kernel says about it while it runs. */
#ifndef RACELAB_DEMO_PROC_H
#define RACELAB_DEMO_PROC_H

#include <stddef.h>
#include <sys/types.h>

#include "engine/build.h"
#include "engine/sources.h"
#include "lib/sandbox.h"
#include "protocol/probe_shm.h"
#include "tools/tool.h"

struct demo_proc {
    struct rl_sources src;
    struct rl_build build;
    char *dir; /* scratch folder: builds, the run's own folder */
    struct rl_run run;
    struct rl_sandbox *sb;
    pid_t pid; /* the program's main process, outside view */
    int port;  /* a server's port, else 0 */
    char port_arg[16];
    char *args[2];  /* the server's arguments: its port */
    double started; /* rl_now() when it started */
    char error[256];
};

enum {
    DEMO_SERVER = 1, /* run as PROG PORT, and wait until it listens */
    DEMO_PROBE = 2,  /* under racelab's probe (demo_proc_table) */
};

/* Builds files (paths from the checkout's root, the cwd; -I labs/common
 * and labs/sync-common always) and starts the plain build in the
 * sandbox, for at most timeout seconds.  0, or -1 with p->error filled. */
int demo_proc_start(struct demo_proc *p, const char *const *files, int flags,
                    double timeout);
/* Waits for the program to end by itself (or its timeout); then
 * p->run.result says how it ended and what it printed.  0, or -1. */
int demo_proc_wait(struct demo_proc *p);
struct demo_screen;
struct rl_demo_act;
/* Shows how the act's program was built and started (the compiler's
 * command, the program's, its confinement). */
void demo_show_start(struct demo_screen *s, const struct demo_proc *p,
                     const struct rl_demo_act *a);
/* Stops it (if still running), waits, frees everything. */
void demo_proc_end(struct demo_proc *p);
/* The probe's live table, or NULL. */
const struct rlp_shm *demo_proc_table(struct demo_proc *p);
/* Seconds since the program started. */
double demo_proc_age(const struct demo_proc *p);

/* A client socket inside the server's network namespace, connected
 * (blocking, at most 2 s): the fd, or -1. */
int demo_client(struct demo_proc *p);

/* The server's zombie children (<defunct> in ps), or -1 when gone. */
int demo_defunct_count(pid_t pid);
/* Thread stacks mapped in pid (/proc/PID/maps: anonymous rw mappings
 * right above a no-access guard page), their bytes in *bytes; or -1. */
int demo_stack_count(pid_t pid, unsigned long *bytes);

/* What the kernel holds for a TCP server: its listening socket's accept
 * queue and, for the connection whose client end has local port
 * client_port, the bytes received and not yet read, and whether the
 * server has accepted it (a socket in its descriptor table). */
struct demo_tcp_view {
    int listening;         /* the listening socket was found */
    unsigned long backlog; /* connections waiting for accept() */
    int conn_found;
    unsigned long unread; /* bytes in the connection's receive queue */
    int accepted;         /* the server holds it as a descriptor */
};
int demo_tcp_view(struct demo_proc *p, unsigned client_port,
                  struct demo_tcp_view *v);

/* Where one thread of the server's process waits: the system call
 * ("read", "accept", ...; "running") and, when its descriptor is a
 * connection of the server, the client's port (else 0). */
struct demo_wait {
    pid_t tid;
    int main_thread;
    char call[24];
    unsigned peer_port;
};
/* Fills up to max threads of the server's own process: how many, or -1. */
int demo_thread_waits(struct demo_proc *p, struct demo_wait *w, size_t max);

#endif
