/* server_errpaths.c: clients that leave badly, and the descriptors a
 * server keeps for them (server_errpaths.h). */
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/procfs.h"
#include "lib/tcp_client.h"
#include "server/server_errpaths.h"
#include "server/server_evidence.h"

static const int CONNECT_WAIT_MS = 2000;
static const int ECHO_WAIT_MS = 2000;
static const double ACCEPT_WAIT = 1.0; /* for the server to accept */
/* For the server to let go once the client has gone: a server closes a
 * dead connection within microseconds of its read or write failing. */
static const double LET_GO_WAIT = 0.5;
static const double PUMP_WAIT = 2.0; /* the client that stops reading */
enum { PUMP_MAX = 8 << 20, PUMP_STILL = 3 /* looks 20 ms apart */ };

enum leaving { RESET_AFTER_ECHO, CLOSE_MID_LINE, RESET_MID_LINE, RESET_UNREAD };

static const char *const leaving_did[] = {
    "got its echo, then reset its connection (SO_LINGER 0, then close): "
    "the server's next read fails with ECONNRESET",
    "closed its connection in the middle of a line",
    "reset its connection in the middle of a line",
    "sent lines without reading the echoes, then reset its connection: "
    "the server's write fails with EPIPE or ECONNRESET",
};

struct holder_search {
    unsigned long inode;
    int fd;
    pid_t pid;
};

/* The lowest descriptor of pid on socket `inode`, or -1. */
static int fd_on_socket(pid_t pid, unsigned long inode)
{
    char path[64], link[64], want[48];
    snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
    snprintf(want, sizeof want, "socket:[%lu]", inode);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    int found = -1;
    struct dirent *e;
    while ((e = readdir(d))) {
        char fdpath[96];
        snprintf(fdpath, sizeof fdpath, "%s/%.20s", path, e->d_name);
        ssize_t len = readlink(fdpath, link, sizeof link - 1);
        if (len <= 0)
            continue;
        link[len] = '\0';
        if (strcmp(link, want) == 0 && (found < 0 || atoi(e->d_name) < found))
            found = atoi(e->d_name);
    }
    closedir(d);
    return found;
}

static int child_holds(pid_t child, void *arg)
{
    struct holder_search *h = arg;
    char st = rl_proc_state(child);
    if (!st || st == 'Z')
        return 0;
    int fd = fd_on_socket(child, h->inode);
    if (fd < 0)
        return 0;
    h->fd = fd;
    h->pid = child;
    return 1;
}

/* Who holds the socket: the server (child 0), a child (1), or nobody. */
static int holder(pid_t server, unsigned long inode, struct holder_search *h)
{
    *h = (struct holder_search){inode, -1, 0};
    if ((h->fd = fd_on_socket(server, inode)) >= 0) {
        h->pid = server;
        return 0;
    }
    rl_proc_children(server, child_holds, h);
    return h->fd >= 0 ? 1 : -1;
}

/* The server's socket of the client at local port `client`, once it has
 * accepted it: its inode, or 0. */
static unsigned long accepted(pid_t server, unsigned port, unsigned client)
{
    double end = rl_now() + ACCEPT_WAIT;
    while (rl_now() < end) {
        struct rl_tcp_table t;
        if (rl_tcp_table_read(server, &t) != 0)
            return 0;
        const struct rl_tcp_sock *s = rl_tcp_find(&t, port, client);
        unsigned long inode = s ? s->inode : 0;
        rl_tcp_table_free(&t);
        if (inode)
            return inode;
        rl_sleep_ms(5);
    }
    return 0;
}

static void reset(int fd)
{
    struct linger l = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    close(fd);
}

/* The server's receive and send queues of the client's connection. */
static int server_queues(pid_t server, unsigned port, unsigned client,
                         unsigned long q[2])
{
    struct rl_tcp_table t;
    if (rl_tcp_table_read(server, &t) != 0)
        return -1;
    const struct rl_tcp_sock *s = rl_tcp_find(&t, port, client);
    if (s) {
        q[0] = s->rx_queue;
        q[1] = s->tx_queue;
    }
    rl_tcp_table_free(&t);
    return s ? 0 : -1;
}

/*
 * Sends lines and reads nothing, until the server takes no more: its
 * receive queue holds bytes it does not read and its send queue echo the
 * client does not take, unchanged for PUMP_STILL looks.  The server is
 * then blocked writing (or, in an event loop, waiting to write): the
 * reset that follows makes that write fail.
 */
static void pump(int fd, pid_t server, unsigned port)
{
    static char chunk[16000];
    for (size_t i = 0; i < sizeof chunk; i += 80) {
        memset(chunk + i, 'e', 79);
        chunk[i + 79] = '\n';
    }
    unsigned client = rl_tcp_local_port(fd);
    unsigned long last[2] = {0, 0}, q[2];
    size_t sent = 0;
    int still = 0;
    double end = rl_now() + PUMP_WAIT;
    while (rl_now() < end && sent < PUMP_MAX && still < PUMP_STILL) {
        ssize_t n = send(fd, chunk, sizeof chunk, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0) {
            sent += (size_t)n;
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR)
            return;
        rl_sleep_ms(20);
        if (server_queues(server, port, client, q) != 0)
            return;
        still = q[0] > 0 && q[1] > 0 && memcmp(q, last, sizeof q) == 0
                    ? still + 1
                    : 0;
        memcpy(last, q, sizeof q);
    }
}

/* One client that leaves as `how` says; 1 when the server kept its
 * connection open (leak filled), else 0. */
static int leave(struct rl_sandbox *sb, unsigned port, pid_t server,
                 enum leaving how, struct rl_errpath_leak *leak)
{
    int fd = rl_sandbox_socket(sb, AF_INET, SOCK_STREAM);
    if (fd < 0)
        return 0;
    if (how == RESET_UNREAD) {
        /* Small buffers and segments keep the server's send buffer
         * small too (see server_scenarios.c): it fills in a fraction of
         * a second. */
        int rcv = 4096, snd = 8192, mss = 536;
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof snd);
        setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &mss, sizeof mss);
    }
    if (rl_tcp_connect(fd, port, CONNECT_WAIT_MS) != 0) {
        close(fd);
        return 0;
    }
    unsigned long inode = accepted(server, port, rl_tcp_local_port(fd));
    static const char line[] = "a line, and then the client goes\n";
    static const char half[] = "half a line, and then the client goes";
    char answer[64];
    switch (how) {
    case RESET_AFTER_ECHO:
        if (rl_tcp_send_all(fd, line, sizeof line - 1, ECHO_WAIT_MS) == 0)
            rl_tcp_read_line(fd, answer, sizeof answer, ECHO_WAIT_MS);
        reset(fd);
        break;
    case CLOSE_MID_LINE:
        rl_tcp_send_all(fd, half, sizeof half - 1, ECHO_WAIT_MS);
        rl_sleep_ms(10);
        close(fd);
        break;
    case RESET_MID_LINE:
        rl_tcp_send_all(fd, half, sizeof half - 1, ECHO_WAIT_MS);
        rl_sleep_ms(10);
        reset(fd);
        break;
    case RESET_UNREAD:
        pump(fd, server, port);
        reset(fd);
        break;
    }
    if (!inode)
        return 0; /* never accepted: nothing to hold */
    double gone = rl_now();
    struct holder_search h;
    int who;
    while ((who = holder(server, inode, &h)) >= 0 &&
           rl_now() - gone < LET_GO_WAIT)
        rl_sleep_ms(10);
    if (who < 0 || rl_sandbox_program_pid(sb) <= 0)
        return 0;
    *leak =
        (struct rl_errpath_leak){1, h.fd, h.pid, who == 1, "", rl_now() - gone};
    snprintf(leak->did, sizeof leak->did, "%s", leaving_did[how]);
    return 1;
}

int rl_server_error_clients(struct rl_sandbox *sb, unsigned port, pid_t pid,
                            struct rl_errpath_leak *leak)
{
    static const enum leaving order[] = {RESET_AFTER_ECHO, CLOSE_MID_LINE,
                                         RESET_MID_LINE, RESET_UNREAD};
    memset(leak, 0, sizeof *leak);
    for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
        if (rl_sandbox_program_pid(sb) <= 0)
            return 0;
        if (leave(sb, port, pid, order[i], leak))
            return 1;
    }
    return 0;
}
