/* server_scenarios.c: clients that show whether a server waits for one. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/escape_bytes.h"
#include "lib/tcp_client.h"
#include "server/server_evidence.h"
#include "server/server_scenarios.h"
#include "lib/xalloc.h"

/*
 * Which runs play the scenarios.  Only a native-speed tool's (the
 * probe's, tools/tool.h): it runs the plain build at native speed, so "no echo
 * within a fraction of a second" means something.  Under valgrind the server
 * runs 10 to 100 times slower with its threads serialized, so the same windows
 * would decide on timing; under TSan and ASan it is slower too, and those runs
 * would add nothing the probe's run does not see (the verdict rests on /proc,
 * not on a sanitizer).  They get the basic clients and the rounds only.
 */
/* Windows, in seconds.  The verdict needs no timeout: a first look after
 * FIRST_LOOK, a second one SAMPLE_GAP later, and the kernel's evidence
 * decides.  GIVE_UP only ends a scenario where it never does. */
static const double SETTLE_WAIT = 1.0; /* for the server to take client 1 */
static const double FIRST_LOOK = 0.2;
static const double SAMPLE_GAP = 0.15;
static const double GIVE_UP = 3.0;
static const double MANY_GIVE_UP = 6.0;
static const double MANY_CONNECT_WAIT = 10.0;
/* No connect completed for this long: the server's backlog is full and
 * nobody accepts (a SYN dropped once is retried after 1 s). */
static const double MANY_STALL = 2.5;
static const double PUMP_WAIT = 6.0;
static const double PACE_WAIT = 0.1;
static const int SEND_WAIT_MS = 1000; /* a line, or half of one */
enum {
    PUMP_MAX = 64 << 20, /* bytes client 1 sends without reading */
    PUMP_FROZEN = 5,     /* looks PUMP_LOOK_US apart with nothing moving */
    PUMP_LOOK_US = 30000,
    CONNECTING = 16, /* connects in flight or queued at once (see pace) */
};

struct client {
    int fd;
    unsigned port; /* local port */
    int expect;    /* its echo is awaited */
    char sent[64]; /* the line it sent */
    size_t sent_len;
    char got[128];
    size_t got_len;
    int done; /* 1: echoed right; -1: wrong answer or closed */
};

struct drive {
    struct rl_sandbox *sb;
    const struct rl_run *run;
    unsigned port;
    struct rl_findings *found;
    struct rl_server_stats *stats;
    char *note;
    size_t notelen;
};

/* A client socket in the sandbox's network; not yet connected.  A
 * client that never reads gets small buffers and a small segment size:
 * its tiny receive window keeps the server's congestion window, and so
 * its send buffer (sized from it), small, and the server's side fills
 * after some 200 KB instead of megabytes (measured here, for a server
 * reading one byte at a time: 0.4 s against 2.6 s for 8 MB). */
static int client_socket(struct drive *d, int never_reads)
{
    int fd = rl_sandbox_socket(d->sb, AF_INET, SOCK_STREAM | SOCK_NONBLOCK);
    if (fd >= 0 && never_reads) {
        int snd = 8192, rcv = 4096, mss = 536;
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof snd);
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
        setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &mss, sizeof mss);
    }
    return fd;
}

/* Starts a non-blocking connect; 0 done or in progress, -1 failed. */
static int start_connect(struct drive *d, struct client *c, int never_reads)
{
    memset(c, 0, sizeof *c);
    c->fd = client_socket(d, never_reads);
    if (c->fd < 0)
        return -1;
    if (rl_tcp_connect_start(c->fd, d->port) != 0) {
        close(c->fd);
        c->fd = -1;
        return -1;
    }
    c->port = rl_tcp_local_port(c->fd);
    return 0;
}

static int open_client(struct drive *d, struct client *c, int never_reads)
{
    if (start_connect(d, c, never_reads) != 0)
        return -1;
    int rc = 0;
    double end = rl_now() + MANY_CONNECT_WAIT;
    while (rc == 0 && rl_now() < end)
        rc = rl_tcp_connect_done(c->fd, 50);
    if (rc != 1) {
        close(c->fd);
        c->fd = -1;
        return -1;
    }
    return 0;
}

static void close_clients(struct client *cs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (cs[i].fd >= 0)
            close(cs[i].fd);
}

/* Sends the client's line (expecting it back). */
static int send_line(struct client *c, const char *fmt, int number)
{
    c->sent_len = (size_t)snprintf(c->sent, sizeof c->sent, fmt, number);
    c->expect = 1;
    return rl_tcp_send_all(c->fd, c->sent, c->sent_len, SEND_WAIT_MS);
}

/* Reads what has arrived for c; marks it done at its newline. */
static void take_echo(struct client *c)
{
    ssize_t n = recv(c->fd, c->got + c->got_len, sizeof c->got - 1 - c->got_len,
                     MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) {
        c->done = -1; /* closed without an answer */
        return;
    }
    c->got_len += (size_t)n;
    c->got[c->got_len] = '\0';
    if (memchr(c->got, '\n', c->got_len) || c->got_len == sizeof c->got - 1)
        c->done = c->got_len == c->sent_len &&
                          memcmp(c->got, c->sent, c->got_len) == 0
                      ? 1
                      : -1;
}

/* Polls the clients still awaited until `until`; returns how many are. */
static size_t poll_echoes(struct client *cs, size_t n, double until)
{
    struct pollfd *p = xcalloc(n, sizeof *p);
    size_t *who = xcalloc(n, sizeof *who), left;
    for (;;) {
        left = 0;
        for (size_t i = 0; i < n; i++)
            if (cs[i].expect && cs[i].done == 0) {
                p[left] = (struct pollfd){.fd = cs[i].fd, .events = POLLIN};
                who[left++] = i;
            }
        int ms = (int)((until - rl_now()) * 1000);
        if (left == 0 || ms <= 0 || poll(p, left, ms) <= 0)
            break;
        for (size_t k = 0; k < left; k++)
            if (p[k].revents)
                take_echo(&cs[who[k]]);
    }
    free(p);
    free(who);
    return left;
}

static size_t first_waiting(const struct client *cs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (cs[i].expect && cs[i].done == 0)
            return i;
    return n;
}

/* A wrong answer or a closed connection: what the student should see. */
static int bad_answer(struct drive *d, const struct client *cs, size_t n,
                      const struct rl_client_info *info, const char *during)
{
    for (size_t i = 0; i < n; i++) {
        if (cs[i].done != -1)
            continue;
        if (cs[i].got_len == 0)
            snprintf(d->note, d->notelen,
                     "%s: client %d's connection was closed without an echo",
                     during, info[i].number);
        else {
            char sent[96], back[128];
            rl_escape_bytes(cs[i].sent, cs[i].sent_len, sent, sizeof sent);
            rl_escape_bytes(cs[i].got, cs[i].got_len, back, sizeof back);
            snprintf(d->note, d->notelen,
                     "%s: client %d sent \"%s\" but got back \"%s\"", during,
                     info[i].number, sent, back);
        }
        return 1;
    }
    return 0;
}

/* One look at the server: 0, or -1 when it is gone. */
static int look(struct drive *d, struct rl_server_snap *s)
{
    pid_t pid = rl_sandbox_program_pid(d->sb);
    return pid > 0 ? rl_server_snap_take(pid, s) : -1;
}

/*
 * Waits for the echoes the clients expect (sent at t0).  While one is
 * missing, looks at the server every SAMPLE_GAP and lets two looks in a
 * row decide whether it is blocked on another client.  1: a finding was
 * added; 0: every echo came; -1: none of that (note filled).
 */
static int await_echoes(struct drive *d, struct client *cs,
                        const struct rl_client_info *info, size_t n, double t0,
                        double give_up, const char *during)
{
    struct rl_server_snap a = {0}, b = {0};
    int have_a = 0, verdict = 0;
    poll_echoes(cs, n, t0 + FIRST_LOOK);
    while (first_waiting(cs, n) < n && !bad_answer(d, cs, n, info, during)) {
        if (rl_now() - t0 > give_up) {
            snprintf(d->note, d->notelen,
                     "%s: client %d got no echo within %.0f s, yet the "
                     "server was not seen waiting on another client",
                     during, info[first_waiting(cs, n)].number, give_up);
            verdict = -1;
            break;
        }
        if (look(d, &b) != 0) {
            snprintf(d->note, d->notelen, "%s: the server ended", during);
            verdict = -1;
            break;
        }
        size_t w = first_waiting(cs, n);
        struct rl_blocking_case c = {d->port, info,           n,
                                     w,       cs[w].sent_len, rl_now() - t0};
        int judged =
            have_a ? rl_server_judge_blocking(&a, &b, &c, d->run, d->found) : 0;
        if (judged == 1) {
            rl_finding_set_scenario(&d->found->v[d->found->n - 1], during);
            d->stats->blocking_latency = rl_now() - t0;
            verdict = 1;
            break;
        }
        if (judged == 2) {
            snprintf(d->note, d->notelen,
                     "%s: client %d got no echo while the server's threads "
                     "or processes all waited on other clients (a fixed "
                     "number of workers, all taken)",
                     during, info[w].number);
            verdict = -1;
            break;
        }
        rl_server_snap_free(&a);
        a = b;
        memset(&b, 0, sizeof b);
        have_a = 1;
        poll_echoes(cs, n, rl_now() + SAMPLE_GAP);
    }
    rl_server_snap_free(&a);
    rl_server_snap_free(&b);
    if (verdict == 0 && bad_answer(d, cs, n, info, during))
        verdict = -1;
    return verdict;
}

/* Waits until the server has accepted client c and, if asked, read all
 * it sent; a server that does not is judged on what follows anyway. */
static void settle(struct drive *d, const struct client *c, int drained)
{
    double end = rl_now() + SETTLE_WAIT;
    while (rl_now() < end) {
        pid_t pid = rl_sandbox_program_pid(d->sb);
        struct rl_tcp_table t;
        if (pid <= 0 || rl_tcp_table_read(pid, &t) != 0)
            return;
        const struct rl_tcp_sock *s = rl_tcp_find(&t, d->port, c->port);
        int ok = s && s->inode != 0 && (!drained || s->rx_queue == 0);
        rl_tcp_table_free(&t);
        if (ok)
            return;
        rl_sleep_ms(5);
    }
}

/* What moves while client 1 sends: the server's receive and send queues
 * of its connection, and client 1's own send queue. */
struct flow {
    unsigned long server_rx, server_tx, client_tx;
};

static int read_flow(struct drive *d, const struct client *c, struct flow *f)
{
    pid_t pid = rl_sandbox_program_pid(d->sb);
    struct rl_tcp_table t;
    if (pid <= 0 || rl_tcp_table_read(pid, &t) != 0)
        return -1;
    const struct rl_tcp_sock *s = rl_tcp_find(&t, d->port, c->port);
    const struct rl_tcp_sock *k = rl_tcp_find(&t, c->port, d->port);
    int ok = s && k;
    if (ok)
        *f = (struct flow){s->rx_queue, s->tx_queue, k->tx_queue};
    rl_tcp_table_free(&t);
    return ok ? 0 : -1;
}

/*
 * Client 1 sends lines and never reads the echoes, until the server
 * stops taking them: its sends would block and nothing moves in the
 * kernel for PUMP_FROZEN looks (the server reads no more of client 1:
 * blocked writing to it, or, in a good event loop, waiting for it to
 * read first).  Returns the bytes sent.
 */
static size_t pump(struct drive *d, struct client *c)
{
    enum { CHUNK = 64000 };
    char *chunk = xmalloc(CHUNK);
    for (size_t i = 0; i < CHUNK; i += 100) {
        memset(chunk + i, 'x', 99);
        chunk[i + 99] = '\n';
    }
    size_t sent = 0;
    int frozen = 0;
    struct flow last = {0}, f;
    double end = rl_now() + PUMP_WAIT;
    while (rl_now() < end && sent < PUMP_MAX && frozen < PUMP_FROZEN) {
        size_t off = sent % CHUNK;
        ssize_t n = send(c->fd, chunk + off, CHUNK - off, MSG_NOSIGNAL);
        if (n > 0) {
            sent += (size_t)n;
            frozen = 0;
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR)
            break;
        usleep(PUMP_LOOK_US);
        if (read_flow(d, c, &f) != 0)
            break;
        frozen = f.server_rx > 0 && memcmp(&f, &last, sizeof f) == 0
                     ? frozen + 1
                     : 0;
        last = f;
    }
    free(chunk);
    return sent;
}

enum holding { IDLE, HALF_LINE, NEVER_READS };

static const char *const scenario_names[] = {
    "while client 1 stayed idle",
    "while client 1 had sent half a line",
    "while client 1 never read its echoes",
};

/* Client 1 holds the server (or not) as `how` says; client 2 must still
 * get its echo.  1 finding, 0 fine, -1 failed (note). */
static int hold_scenario(struct drive *d, enum holding how)
{
    struct client cs[2];
    char did[128];
    const char *during = scenario_names[how];
    if (open_client(d, &cs[0], how == NEVER_READS) != 0) {
        snprintf(d->note, d->notelen, "%s: client 1 could not connect", during);
        return -1;
    }
    if (how == IDLE) {
        snprintf(did, sizeof did, "connected and stays idle");
        settle(d, &cs[0], 0);
    } else if (how == HALF_LINE) {
        static const char half[] = "half a line, no newline";
        rl_tcp_send_all(cs[0].fd, half, sizeof half - 1, SEND_WAIT_MS);
        snprintf(did, sizeof did,
                 "connected and sent half a line (%zu bytes, no newline), "
                 "then stopped",
                 sizeof half - 1);
        settle(d, &cs[0], 1);
    } else {
        size_t sent = pump(d, &cs[0]);
        snprintf(did, sizeof did,
                 "connected and sent %zu bytes of lines, and never read "
                 "the echoes",
                 sent);
    }
    int verdict = -1;
    if (open_client(d, &cs[1], 0) != 0) {
        snprintf(d->note, d->notelen, "%s: client 2 could not connect", during);
    } else if (send_line(&cs[1], "client %d, while the other waits\n", 2) !=
               0) {
        snprintf(d->note, d->notelen, "%s: client 2 could not send its line",
                 during);
    } else {
        struct rl_client_info info[2] = {{1, cs[0].port, did},
                                         {2, cs[1].port, NULL}};
        verdict = await_echoes(d, cs, info, 2, rl_now(), GIVE_UP, during);
    }
    close_clients(cs, 2);
    return verdict;
}

/* Waits (at most SETTLE_WAIT) until the server has closed its end of
 * client c's connection: a server with a process per connection has
 * then seen that child end, and its SIGCHLD is on its way. */
static void await_server_close(struct drive *d, const struct client *c)
{
    double end = rl_now() + SETTLE_WAIT;
    while (rl_now() < end) {
        pid_t pid = rl_sandbox_program_pid(d->sb);
        struct rl_tcp_table t;
        if (pid <= 0 || rl_tcp_table_read(pid, &t) != 0)
            return;
        const struct rl_tcp_sock *s = rl_tcp_find(&t, d->port, c->port);
        int gone = !s || s->inode == 0;
        rl_tcp_table_free(&t);
        if (gone)
            return;
        rl_sleep_ms(5);
    }
}

/*
 * Client 1 stays connected; client 2 connects, is echoed and leaves; then
 * client 3 must be echoed.  A server with a process per connection gets
 * a SIGCHLD for client 2's child while client 1's still lives: a
 * handler that waits for children without WNOHANG blocks in waitpid
 * until client 1 leaves, and the accept loop it interrupted with it.
 */
static int reaped_scenario(struct drive *d)
{
    static const char during[] =
        "while client 1 stayed connected after client 2 had left";
    struct client cs[3];
    int verdict = -1;
    for (size_t i = 0; i < 3; i++)
        cs[i].fd = -1;
    if (open_client(d, &cs[0], 0) != 0) {
        snprintf(d->note, d->notelen, "%s: client 1 could not connect", during);
        return -1;
    }
    settle(d, &cs[0], 0);
    if (open_client(d, &cs[1], 0) != 0 ||
        send_line(&cs[1], "client %d, come and gone\n", 2) != 0) {
        snprintf(d->note, d->notelen, "%s: client 2 could not connect", during);
        goto done;
    }
    struct rl_client_info info[3] = {
        {1, cs[0].port,
         "connected and stays idle, while client 2 connected, got its echo "
         "and left (a child of a process-per-connection server ends then, "
         "and its SIGCHLD arrives)"},
        {2, cs[1].port, "connected, sent a line"},
        {3, 0, NULL}};
    verdict = await_echoes(d, cs, info, 2, rl_now(), GIVE_UP, during);
    if (verdict != 0)
        goto done;
    close(cs[1].fd);
    await_server_close(d, &cs[1]);
    cs[1].fd = -1;
    cs[1].expect = 0;
    verdict = -1;
    if (open_client(d, &cs[2], 0) != 0) {
        snprintf(d->note, d->notelen, "%s: client 3 could not connect", during);
    } else if (send_line(&cs[2], "client %d, after the other left\n", 3) != 0) {
        snprintf(d->note, d->notelen, "%s: client 3 could not send its line",
                 during);
    } else {
        info[2].port = cs[2].port;
        struct client now[2] = {cs[0], cs[2]};
        struct rl_client_info who[2] = {info[0], info[2]};
        verdict = await_echoes(d, now, who, 2, rl_now(), GIVE_UP, during);
    }
done:
    close_clients(cs, 3);
    return verdict;
}

/* The harness's own descriptors must fit the clients. */
static void enough_descriptors(void)
{
    struct rlimit rl;
    rlim_t want = RL_MANY_CLIENTS * 2 + 64;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < want) {
        rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

/* Polls the connects in flight (state 1) for up to 20 ms; those done
 * become 2 (connected) or 3 (failed).  Returns how many are in flight. */
static size_t poll_connects(struct client *cs, char *state, size_t n)
{
    struct pollfd p[CONNECTING];
    size_t who[CONNECTING], k = 0;
    for (size_t i = 0; i < n && k < CONNECTING; i++)
        if (state[i] == 1) {
            p[k] = (struct pollfd){.fd = cs[i].fd, .events = POLLOUT};
            who[k++] = i;
        }
    if (k == 0 || poll(p, k, 20) <= 0)
        return k;
    size_t left = k;
    for (size_t j = 0; j < k; j++) {
        if (!p[j].revents)
            continue;
        state[who[j]] = rl_tcp_connect_done(p[j].fd, 0) == 1 ? 2 : 3;
        left--;
    }
    return left;
}

/* The listen socket's accept queue length, or -1. */
static long accept_queue(struct drive *d)
{
    pid_t pid = rl_sandbox_program_pid(d->sb);
    struct rl_tcp_table t;
    if (pid <= 0 || rl_tcp_table_read(pid, &t) != 0)
        return -1;
    const struct rl_tcp_sock *l = rl_tcp_find(&t, d->port, 0);
    long n = l ? (long)l->rx_queue : -1;
    rl_tcp_table_free(&t);
    return n;
}

/*
 * How many connects may start now.  A listen backlog that overflows
 * costs a dropped SYN and a one-second retry (a correct server with
 * listen(fd, 16) took 3 s for 200 clients that way), so connects are
 * paced to the server's accepting: at most CONNECTING connections in
 * flight or queued.  A server that stops accepting (its workers are all
 * taken) is not waited for beyond PACE_WAIT: the rest connect anyway.
 */
static size_t pace(struct drive *d, size_t flying, double *stuck_since)
{
    long queued = accept_queue(d);
    size_t busy = flying + (queued > 0 ? (size_t)queued : 0);
    if (busy < CONNECTING) {
        *stuck_since = rl_now();
        return CONNECTING - busy;
    }
    return rl_now() - *stuck_since > PACE_WAIT && flying < CONNECTING
               ? CONNECTING - flying
               : 0;
}

/* Connects n clients, paced; returns how many connected. */
static size_t connect_many(struct drive *d, struct client *cs, size_t n)
{
    char *state = xcalloc(n, 1); /* 0 not started, 1 in flight, 2 ok */
    size_t next = 0, flying = 0, connected = 0;
    double end = rl_now() + MANY_CONNECT_WAIT, stuck_since = rl_now();
    double progress = rl_now();
    for (size_t i = 0; i < n; i++)
        cs[i].fd = -1;
    while (rl_now() < end && rl_now() - progress < MANY_STALL) {
        size_t room = next < n ? pace(d, flying, &stuck_since) : 0;
        for (; next < n && room > 0; next++, flying++, room--) {
            if (start_connect(d, &cs[next], 0) != 0)
                goto done;
            state[next] = 1;
        }
        size_t before = flying;
        flying = poll_connects(cs, state, n);
        if (flying < before)
            progress = rl_now();
        if (next == n && flying == 0)
            break;
    }
done:
    for (size_t i = 0; i < n; i++)
        connected += state[i] == 2;
    free(state);
    return connected;
}

/* RL_MANY_CLIENTS clients connected at once, each echoing a line. */
static int many_scenario(struct drive *d)
{
    const size_t n = RL_MANY_CLIENTS;
    const char *during = "with many clients connected at once";
    struct client *cs = xcalloc(n, sizeof *cs);
    struct rl_client_info *info = xcalloc(n, sizeof *info);
    int verdict = -1;
    enough_descriptors();
    size_t connected = connect_many(d, cs, n);
    d->stats->many_clients = (int)n;
    d->stats->many_connected = (int)connected;
    if (connected < n) {
        snprintf(d->note, d->notelen,
                 "only %zu of %zu clients could connect at once", connected, n);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        info[i] = (struct rl_client_info){(int)i + 1, cs[i].port,
                                          "connected and sent its line"};
        if (send_line(&cs[i], "client %d of many\n", (int)i + 1) != 0) {
            snprintf(d->note, d->notelen, "%s: client %zu could not send",
                     during, i + 1);
            goto done;
        }
    }
    verdict = await_echoes(d, cs, info, n, rl_now(), MANY_GIVE_UP, during);
    for (size_t i = 0; i < n; i++)
        d->stats->many_echoed += cs[i].done == 1;
done:
    close_clients(cs, n);
    free(cs);
    free(info);
    return verdict;
}

int rl_server_scenarios(struct rl_sandbox *sb, const struct rl_run *run,
                        int port, struct rl_findings *found,
                        struct rl_server_stats *stats, char *note,
                        size_t notelen)
{
    if (!found || !run->tool || !run->tool->native_speed)
        return 0;
    struct drive d = {sb, run, (unsigned)port, found, stats, note, notelen};
    static const enum holding order[] = {IDLE, HALF_LINE, NEVER_READS};
    for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
        stats->scenarios++;
        int verdict = hold_scenario(&d, order[i]);
        if (verdict == 0 && order[i] == IDLE) {
            stats->scenarios++;
            verdict = reaped_scenario(&d);
        }
        if (verdict != 0)
            return verdict;
    }
    stats->scenarios++;
    return many_scenario(&d);
}
