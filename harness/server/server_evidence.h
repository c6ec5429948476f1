/* server_evidence.h: kernel evidence of where a server waits, from /proc. */
#ifndef RACELAB_SERVER_EVIDENCE_H
#define RACELAB_SERVER_EVIDENCE_H

#include <stddef.h>
#include <sys/types.h>

#include "engine/finding.h"
#include "tools/tool.h"

/* One TCP socket of the server's network namespace (/proc/PID/net/tcp
 * and tcp6; the harness's client ends are listed there too). */
struct rl_tcp_sock {
    unsigned local_port, remote_port;
    char remote[48]; /* the peer's address, "127.0.0.1" */
    int state;       /* 0x0A listening, 0x01 established, ... */
    unsigned long tx_queue;
    unsigned long rx_queue; /* listening: the accept queue's length;
                             * else bytes received, not yet read */
    unsigned long inode;    /* 0: no socket yet (waits to be accepted) */
};

struct rl_tcp_table {
    struct rl_tcp_sock *v;
    size_t n;
};

/* Reads the TCP sockets of pid's network namespace; 0, or -1. */
int rl_tcp_table_read(pid_t pid, struct rl_tcp_table *t);
/* Appends the sockets of one file in /proc/net/tcp or tcp6 form. */
int rl_tcp_table_add_file(const char *path, struct rl_tcp_table *t);
void rl_tcp_table_free(struct rl_tcp_table *t);
/* The socket with these local and remote ports (remote 0: listening). */
const struct rl_tcp_sock *rl_tcp_find(const struct rl_tcp_table *t,
                                      unsigned local_port,
                                      unsigned remote_port);

/* One thread of the server, or of one of its child processes. */
struct rl_task_state {
    pid_t pid, tid; /* as racelab sees them */
    pid_t ns_pid;   /* the process id as the server sees it */
    int child;      /* 0: the server's own process; 1: a descendant */
    int main_thread;
    char state; /* 'R', 'S', 'D', ... from /proc/.../stat */
    long nr;    /* system call it is in, or -1 (running, or none) */
    unsigned long args[6], sp, pc;
    unsigned long long cpu; /* utime + stime in clock ticks */
    unsigned long inode;    /* socket inode of the descriptor in args[0]
                             * of a call that takes one, else 0 */
    char fd_target[64];     /* that descriptor's /proc/.../fd link */
};

/* The server at one moment: its threads and its namespace's sockets. */
struct rl_server_snap {
    struct rl_task_state *tasks;
    size_t ntasks;
    struct rl_tcp_table tcp;
};

int rl_server_snap_take(pid_t server, struct rl_server_snap *s);
/* Fills nr, args, sp and pc from the text of /proc/.../syscall:
 * "nr a0 .. a5 sp pc"; nr -1 for "running" or "-1 sp pc". */
void rl_task_parse_syscall(const char *text, struct rl_task_state *t);
void rl_server_snap_free(struct rl_server_snap *s);

/* "read", "accept4", ...; NULL for a number it does not know. */
const char *rl_syscall_name(long nr);
/* 1 when the call's first argument is a descriptor it waits on. */
int rl_syscall_takes_fd(long nr);

/* A client the driver has connected, as the report names it. */
struct rl_client_info {
    int number;      /* client 1, 2, ... */
    unsigned port;   /* its local port */
    const char *did; /* "stays idle", ...: for the report */
};

/* A client that got no echo, and the clients that might hold it up. */
struct rl_blocking_case {
    unsigned server_port;
    const struct rl_client_info *clients;
    size_t nclients;
    size_t waiter;       /* index in clients of the one with no echo */
    size_t waiter_bytes; /* what its write handed to the kernel */
    double waited;       /* seconds its read has waited so far */
};

/*
 * Compares two snapshots of the server taken a moment apart.  When they
 * prove that it is blocked on another client's connection (the waiter's
 * connection unread in both, every thread asleep in the same call with
 * the same arguments, no CPU used in between, and one of them waiting
 * on a descriptor that is another client's connection), appends an
 * `iterative-blocking` finding (tool "server") with the evidence and the
 * source line of the blocked call, and returns 1.  Returns 2, with no
 * finding, when threads wait on several other clients at once (a fixed
 * pool of workers, all taken: the server is concurrent, only bounded);
 * else 0 (nothing proven yet: look again later).
 */
int rl_server_judge_blocking(const struct rl_server_snap *a,
                             const struct rl_server_snap *b,
                             const struct rl_blocking_case *c,
                             const struct rl_run *run, struct rl_findings *out);

#endif
