/* server_driver.c: start-up and echo clients for `racelab check --server`. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/escape_bytes.h"
#include "lib/tcp_client.h"
#include "server/server_driver.h"
#include "server/server_rounds.h"
#include "server/server_scenarios.h"

enum { CLIENTS = 3, BATCH = 3 /* lines in one write */ };
static const int SPLIT_GAP_MS = 30;    /* between the pieces of one line */
static const double LISTEN_WAIT = 5.0; /* seconds for the server to listen */
static const int ECHO_WAIT_MS = 2000;  /* for each echoed line */
/* For the last of the clients connected at once, before reading them in
 * order instead (a server that serves one client at a time). */
static const int TOGETHER_FIRST_MS = 500;

static int port_is_free(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons(port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int ok = fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
    if (fd >= 0)
        close(fd);
    return ok;
}

/* The runner's worker threads pick ports at once, so each call seeds its
 * own generator: the clock, the pid and a shared atomic counter keep two
 * calls (in two threads or two racelab processes) from drawing alike. */
static unsigned port_seed(void)
{
    static atomic_uint calls;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    unsigned n = atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed);
    return (unsigned)getpid() ^ (unsigned)ts.tv_nsec ^
           (unsigned)ts.tv_sec * 2654435761u ^ n * 40503u;
}

int rl_server_pick_port(void)
{
    unsigned seed = port_seed();
    for (int tries = 0; tries < 100; tries++) {
        int port = 20000 + (int)(rand_r(&seed) % 40000);
        if (port_is_free(port))
            return port;
    }
    return 20000 + (int)(rand_r(&seed) % 40000);
}

static int connect_once(struct rl_sandbox *sb, int port)
{
    int fd = rl_sandbox_socket(sb, AF_INET, SOCK_STREAM);
    if (fd < 0)
        return -1;
    /* Blocking: the server is known to listen, or is being waited for. */
    if (rl_tcp_connect(fd, (unsigned)port, -1) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Polls until the server accepts connections (or LISTEN_WAIT passes). */
static int wait_for_listen(struct rl_sandbox *sb, int port)
{
    double deadline = rl_now() + LISTEN_WAIT;
    while (rl_now() < deadline) {
        int fd = connect_once(sb, port);
        if (fd >= 0)
            return fd;
        if (rl_sandbox_program_pid(sb) <= 0)
            break; /* the server is gone */
        rl_sleep_ms(20);
    }
    return -1;
}

/* Sends one line and expects it back: 0, or -1 with a note. */
static int echo_line(int fd, int client, const char *which, const char *line,
                     char *note, size_t notelen)
{
    char answer[128];
    int n = (int)strlen(line);
    if (rl_tcp_send_all(fd, line, (size_t)n, ECHO_WAIT_MS) != 0) {
        snprintf(note, notelen, "client %d could not send its %s line", client,
                 which);
        return -1;
    }
    size_t got_len = 0;
    int got =
        rl_tcp_read_line_n(fd, answer, sizeof answer, ECHO_WAIT_MS, &got_len);
    if (got == -2 && got_len == 0) {
        snprintf(note, notelen,
                 "the server closed client %d's connection instead of "
                 "echoing its %s line",
                 client, which);
        return -1;
    }
    if (got == -1 && got_len == 0) {
        snprintf(note, notelen,
                 "client %d got no echo of its %s line within %d ms", client,
                 which, ECHO_WAIT_MS);
        return -1;
    }
    if (got != 0 || got_len != (size_t)n || memcmp(answer, line, got_len)) {
        char sent[96], back[128];
        rl_escape_bytes(line, (size_t)n, sent, sizeof sent);
        rl_escape_bytes(answer, got_len, back, sizeof back);
        snprintf(note, notelen, "client %d sent \"%s\" but got back \"%s\"%s",
                 client, sent, back,
                 got == -1   ? " (then nothing more, no newline)"
                 : got == -2 ? " (then the server closed the connection)"
                             : "");
        return -1;
    }
    return 0;
}

/*
 * Several lines in one write, each echo awaited: a server that takes one
 * line out of its buffer per wakeup leaves the others there, and no
 * wakeup comes for bytes already read.  0, or -1 with a note.
 */
static int echo_batch(int fd, int client, char *note, size_t notelen)
{
    char batch[3 * 48], line[48], answer[128];
    size_t len = 0;
    for (int i = 1; i <= BATCH; i++)
        len += (size_t)snprintf(batch + len, sizeof batch - len,
                                "line %d of %d in one write, client %d\n", i,
                                BATCH, client);
    if (rl_tcp_send_all(fd, batch, len, ECHO_WAIT_MS) != 0) {
        snprintf(note, notelen, "client %d could not send its lines", client);
        return -1;
    }
    for (int i = 1; i <= BATCH; i++) {
        int n = snprintf(line, sizeof line,
                         "line %d of %d in one write, client %d\n", i, BATCH,
                         client);
        size_t got = 0;
        int rc =
            rl_tcp_read_line_n(fd, answer, sizeof answer, ECHO_WAIT_MS, &got);
        if (rc == 0 && got == (size_t)n && memcmp(answer, line, got) == 0)
            continue;
        char back[128], want[96];
        rl_escape_bytes(answer, got, back, sizeof back);
        rl_escape_bytes(line, (size_t)n, want, sizeof want);
        if (got == 0)
            snprintf(note, notelen,
                     "client %d sent %d lines in one write and got back the "
                     "echo of %d of them, then %s: an echo server answers "
                     "every line it has read, not one per wakeup",
                     client, BATCH, i - 1,
                     rc == -1 ? "nothing more within 2 s"
                              : "the connection closed");
        else
            snprintf(note, notelen,
                     "client %d sent %d lines in one write; for line %d, "
                     "\"%s\", it got back \"%s\"",
                     client, BATCH, i, want, back);
        return -1;
    }
    return 0;
}

/* One line in several writes, a moment apart (so that they arrive
 * apart): a server must wait for its newline, not echo or drop a part. */
static int echo_split(int fd, int client, char *note, size_t notelen)
{
    static const char *const piece[] = {"one line from client ", "in three ",
                                        "writes\n"};
    char line[64], answer[128];
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    snprintf(line, sizeof line, "%s%s%s", piece[0], piece[1], piece[2]);
    for (int i = 0; i < 3; i++) {
        if (i > 0)
            rl_sleep_ms(SPLIT_GAP_MS);
        if (rl_tcp_send_all(fd, piece[i], strlen(piece[i]), ECHO_WAIT_MS)) {
            snprintf(note, notelen, "client %d could not send its line",
                     client);
            return -1;
        }
    }
    size_t got = 0, want = strlen(line);
    int rc = rl_tcp_read_line_n(fd, answer, sizeof answer, ECHO_WAIT_MS, &got);
    if (rc == 0 && got == want && memcmp(answer, line, got) == 0)
        return 0;
    char back[128], sent[96];
    rl_escape_bytes(answer, got, back, sizeof back);
    rl_escape_bytes(line, want, sent, sizeof sent);
    snprintf(note, notelen,
             "client %d sent \"%s\" in three writes %d ms apart and got back "
             "\"%s\"%s",
             client, sent, SPLIT_GAP_MS, back,
             rc == -1   ? " (then nothing more within 2 s)"
             : rc == -2 ? " (then the connection closed)"
                        : "");
    return -1;
}

/* One client, two lines: an echo server answers every line, not just a
 * connection's first. */
static int echo_once(int fd, int client, char *note, size_t notelen)
{
    char line[64];
    snprintf(line, sizeof line, "hello from client %d\n", client);
    if (echo_line(fd, client, "first", line, note, notelen) != 0)
        return -1;
    snprintf(line, sizeof line, "and a second line from client %d\n", client);
    return echo_line(fd, client, "second", line, note, notelen);
}

/*
 * One more client sends lines together and then a line in pieces, as TCP
 * may deliver them.  Played after the blocking scenarios, and only when
 * they found the server concurrent: a server that reads with stdio
 * (whose buffer select cannot see) is blocked by a half line first, and
 * that is its finding.
 */
static int echo_batches(struct rl_sandbox *sb, int port, char *note,
                        size_t notelen)
{
    int fd = connect_once(sb, port);
    if (fd < 0) {
        snprintf(note, notelen, "client %d could not connect", CLIENTS + 1);
        return RL_SERVER_BAD_ECHO;
    }
    int status = echo_batch(fd, CLIENTS + 1, note, notelen);
    if (status == 0)
        status = echo_split(fd, CLIENTS + 1, note, notelen);
    close(fd);
    return status == 0 ? RL_SERVER_ECHOED : RL_SERVER_BAD_ECHO;
}

/* Reads client i's echo of "together i" within wait_ms: 0, or -1. */
static int together_echo(int fd, int i, int wait_ms)
{
    char line[64], answer[128];
    snprintf(line, sizeof line, "together %d\n", i + 1);
    return rl_tcp_read_line(fd, answer, sizeof answer, wait_ms) == 0 &&
                   strcmp(answer, line) == 0
               ? 0
               : -1;
}

/*
 * All clients connected at once, each sends a line, then the answers are
 * read last client first.  Sequential clients alone are not enough: a
 * server reuses one descriptor number for them, and ThreadSanitizer
 * rightly sees the close/accept on that number as ordering the threads,
 * so a race between connection threads would never show.
 *
 * A server that serves one client at a time still works as an echo
 * server: when the last client's answer does not come soon, the clients
 * are read first to last instead, each closed after its echo so that
 * such a server moves on to the next.  Whether it should have served
 * them at once is for the blocking scenarios (server_scenarios.h).
 */
static int echo_together(struct rl_sandbox *sb, int port, char *note,
                         size_t notelen)
{
    int fds[CLIENTS], n = 0, status = 0;
    char line[64];
    for (; n < CLIENTS; n++)
        if ((fds[n] = connect_once(sb, port)) < 0)
            break;
    for (int i = 0; i < n && status == 0; i++) {
        int len = snprintf(line, sizeof line, "together %d\n", i + 1);
        if (rl_tcp_send_all(fds[i], line, (size_t)len, ECHO_WAIT_MS) != 0)
            status = -1;
    }
    int i = n - 1;
    if (status == 0 && n > 0 &&
        together_echo(fds[i], i, TOGETHER_FIRST_MS) == 0) {
        i--; /* the last one answered: the others, last first */
    } else {
        for (i = 0; i < n - 1 && together_echo(fds[i], i, ECHO_WAIT_MS) == 0;
             i++) {
            close(fds[i]);
            fds[i] = -1;
        }
    }
    for (; i >= 0 && status == 0; i--) {
        if (fds[i] >= 0 && together_echo(fds[i], i, ECHO_WAIT_MS) != 0) {
            snprintf(note, notelen,
                     "with %d clients connected at once, client %d got no "
                     "echo within %d ms",
                     n, i + 1, ECHO_WAIT_MS);
            status = -1;
        }
    }
    for (int k = 0; k < n; k++)
        if (fds[k] >= 0)
            close(fds[k]);
    if (n < CLIENTS && status == 0) {
        snprintf(note, notelen, "client %d could not connect", n + 1);
        status = -1;
    }
    return status;
}

/* The basic clients: one after another, then all at once. */
static int basic_clients(struct rl_sandbox *sb, int port, char *note,
                         size_t notelen)
{
    int fd = wait_for_listen(sb, port);
    if (fd < 0 && rl_sandbox_program_pid(sb) <= 0) {
        snprintf(note, notelen,
                 "the server ended before it accepted a connection on port %d",
                 port);
        return RL_SERVER_NO_LISTEN;
    }
    if (fd < 0) {
        snprintf(note, notelen,
                 "the server never accepted a connection on port %d "
                 "within %.0f s",
                 port, LISTEN_WAIT);
        return RL_SERVER_NO_LISTEN;
    }
    int status = 0;
    for (int client = 1; client <= CLIENTS && status == 0; client++) {
        if (client > 1 && (fd = connect_once(sb, port)) < 0) {
            snprintf(note, notelen, "client %d could not connect", client);
            return RL_SERVER_BAD_ECHO;
        }
        status = echo_once(fd, client, note, notelen);
        close(fd);
    }
    if (status == 0)
        status = echo_together(sb, port, note, notelen);
    return status == 0 ? RL_SERVER_ECHOED : RL_SERVER_BAD_ECHO;
}

int rl_server_drive(struct rl_sandbox *sb, const struct rl_run *run, char *note,
                    size_t notelen)
{
    return basic_clients(sb, atoi(run->program_args[0]), note, notelen);
}

int rl_server_drive_stats(struct rl_sandbox *sb, const struct rl_run *run,
                          struct rl_findings *found,
                          struct rl_server_stats *stats, char *note,
                          size_t notelen)
{
    struct rl_server_stats none;
    if (!stats)
        stats = &none;
    memset(stats, 0, sizeof *stats);
    stats->blocking_latency = -1;
    int port = atoi(run->program_args[0]);
    int outcome = basic_clients(sb, port, note, notelen);
    if (outcome != RL_SERVER_ECHOED)
        return outcome;
    int blocked =
        rl_server_scenarios(sb, run, port, found, stats, note, notelen) == 1;
    if (!blocked && found && run->tool && run->tool->native_speed) {
        outcome = echo_batches(sb, port, note, notelen);
        if (outcome != RL_SERVER_ECHOED)
            return outcome;
    }
    char rounds_note[160] = "";
    int rounds =
        rl_server_rounds(sb, run, found, rounds_note, sizeof rounds_note);
    if (rounds != RL_SERVER_ECHOED) {
        snprintf(note, notelen, "%s", rounds_note);
        return rounds;
    }
    return RL_SERVER_ECHOED;
}

int rl_server_drive_full(struct rl_sandbox *sb, const struct rl_run *run,
                         struct rl_findings *found, char *note, size_t notelen)
{
    return rl_server_drive_stats(sb, run, found, NULL, note, notelen);
}
