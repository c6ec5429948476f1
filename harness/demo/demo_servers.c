/* demo_servers.c: the server demos' live acts.  racelab plays the
 * clients from here (lib/tcp_client.h, sockets inside the server's
 * sandbox) and reads the kernel's side from /proc as each step happens:
 * the accept queue, the bytes no one has read, where the server's
 * threads wait, its <defunct> children, its mapped stacks. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "demo/demo_acts.h"
#include "demo/demo_proc.h"
#include "lib/clock.h"
#include "lib/escape_bytes.h"
#include "lib/procfs.h"
#include "lib/tcp_client.h"

/* How long a read waits before the hall is told it got nothing. */
#define NO_ANSWER_MS 1000

static int start_server(struct demo_screen *s, struct demo_proc *p,
                        const struct rl_demo_act *a, int flags)
{
    if (demo_proc_start(p, a->argv, flags | DEMO_SERVER, 120) != 0) {
        demo_line(s, "could not start %s: %s", a->argv[0], p->error);
        demo_proc_end(p);
        return -1;
    }
    demo_show_start(s, p, a);
    demo_line(s, "listening on 127.0.0.1:%d", p->port);
    return 0;
}

/* Client n connects: the time connect() took, shown. */
static int client_connect(struct demo_screen *s, struct demo_proc *p, int n)
{
    double t0 = rl_now();
    int fd = demo_client(p);
    if (fd < 0)
        demo_line(s, "client %d: connect() failed", n);
    else
        demo_line(s, "client %d: connect() returned after %.1f ms", n,
                  1000 * (rl_now() - t0));
    return fd;
}

static void client_write(struct demo_screen *s, int fd, int n, const char *text)
{
    char shown[64];
    rl_escape_bytes(text, strlen(text), shown, sizeof shown);
    double t0 = rl_now();
    int rc = rl_tcp_send_all(fd, text, strlen(text), 1000);
    demo_line(s, "client %d: write(\"%s\") %s after %.1f ms", n, shown,
              rc == 0 ? "returned" : "FAILED", 1000 * (rl_now() - t0));
}

/* Client n reads its echo: 1 answered, 0 its read waited in vain. */
static int client_read(struct demo_screen *s, int fd, int n, int wait_ms)
{
    char buf[128], shown[160];
    size_t got = 0;
    double t0 = rl_now();
    int rc = rl_tcp_read_line_n(fd, buf, sizeof buf, wait_ms, &got);
    rl_escape_bytes(buf, got, shown, sizeof shown);
    if (rc == 0) {
        demo_line(s, "client %d: read() returned \"%s\" after %.1f ms", n,
                  shown, 1000 * (rl_now() - t0));
        return 1;
    }
    demo_line(s, "client %d: read() WAITS: no answer after %.1f s", n,
              rl_now() - t0);
    return 0;
}

/* The kernel's view, as `ss -ltn` and `ss -tn` would show it. */
static void show_queues(struct demo_screen *s, struct demo_proc *p,
                        unsigned c2_port)
{
    struct demo_tcp_view v;
    demo_cmd(s, "cat /proc/%d/net/tcp      (what ss -ltn reads)", (int)p->pid);
    if (demo_tcp_view(p, c2_port, &v) != 0) {
        demo_line(s, "cannot read it");
        return;
    }
    demo_line(s,
              "listening 127.0.0.1:%d   Recv-Q %lu   (accept queue: "
              "connections not yet accepted)",
              p->port, v.backlog);
    if (v.conn_found)
        demo_line(s,
                  "client 2's connection: %s, %lu bytes waiting to be "
                  "read",
                  v.accepted ? "accepted" : "NOT accepted", v.unread);
}

static void show_waits(struct demo_screen *s, struct demo_proc *p,
                       const unsigned *ports, int nports)
{
    struct demo_wait w[16];
    demo_cmd(s, "cat /proc/%d/task/*/syscall    (where each thread waits)",
             (int)p->pid);
    int n = demo_thread_waits(p, w, 16);
    for (int i = 0; i < n; i++) {
        char whose[48] = "";
        for (int k = 0; k < nports; k++)
            if (w[i].peer_port && w[i].peer_port == ports[k])
                snprintf(whose, sizeof whose, " on client %d's connection",
                         k + 1);
        demo_line(s, "%s %d: in %s()%s",
                  w[i].main_thread ? "main thread" : "thread", (int)w[i].tid,
                  w[i].call, whose);
    }
}

/* Until the server has taken in client 1 (port c1): accepted it, read
 * what it sent, and its main thread sits in a call again (read on that
 * connection, or back in accept or select), at most 3 s.  What the act
 * does next then meets the server in that state on a loaded machine
 * too, not after a guessed sleep. */
static void wait_settled(struct demo_proc *p, unsigned c1)
{
    static const char *const idle[] = {"accept", "pselect", "select", "poll",
                                       "epoll"};
    for (double t0 = rl_now(); rl_now() - t0 < 3; rl_sleep_ms(10)) {
        struct demo_tcp_view v;
        if (demo_tcp_view(p, c1, &v) != 0 || !v.accepted || v.unread)
            continue;
        struct demo_wait w[16];
        int n = demo_thread_waits(p, w, 16);
        for (int i = 0; i < n; i++) {
            if (!w[i].main_thread)
                continue;
            if (strcmp(w[i].call, "read") == 0 && w[i].peer_port == c1)
                return;
            for (size_t k = 0; k < sizeof idle / sizeof *idle; k++)
                if (strncmp(w[i].call, idle[k], strlen(idle[k])) == 0)
                    return;
        }
    }
}

/* The kernel's side of one step, the moment after it: the accept
 * queue's length, or the bytes client 2's connection holds unread (a
 * moment to let them arrive, when none show yet). */
static void kernel_step(struct demo_screen *s, struct demo_proc *p, unsigned c2,
                        int bytes)
{
    struct demo_tcp_view v = {0};
    for (double t0 = rl_now(); rl_now() - t0 < 0.2; rl_sleep_ms(5))
        if (demo_tcp_view(p, c2, &v) == 0 &&
            (bytes ? v.unread > 0 : v.backlog > 0 || v.accepted))
            break;
    if (bytes)
        demo_line(s, "    kernel: client 2's connection holds %lu unread bytes",
                  v.unread);
    else
        demo_line(s, "    kernel: accept queue (Recv-Q) %lu, client 2 %s",
                  v.backlog, v.accepted ? "accepted" : "waits in it");
}

/* iterative-blocking, and the same clients against a concurrent server. */
int demo_live_blocking(struct demo_screen *s, const struct rl_demo_act *a)
{
    struct demo_proc p;
    if (start_server(s, &p, a, 0) != 0)
        return -1;
    int c1 = client_connect(s, &p, 1);
    demo_line(s, "client 1: sends nothing, stays connected");
    wait_settled(&p, rl_tcp_local_port(c1));
    int c2 = client_connect(s, &p, 2);
    unsigned ports[2] = {rl_tcp_local_port(c1), rl_tcp_local_port(c2)};
    kernel_step(s, &p, ports[1], 0);
    client_write(s, c2, 2, "hello\n");
    kernel_step(s, &p, ports[1], 1);
    int answered = client_read(s, c2, 2, NO_ANSWER_MS);
    show_queues(s, &p, ports[1]);
    show_waits(s, &p, ports, 2);
    if (!answered) {
        demo_point(s, "client 1 leaves: close()");
        double t0 = rl_now();
        close(c1);
        c1 = -1;
        if (client_read(s, c2, 2, 3000))
            demo_line(s,
                      "client 2 got its answer %.1f ms after client 1 "
                      "left",
                      1000 * (rl_now() - t0));
    }
    if (c1 >= 0)
        close(c1);
    close(c2);
    demo_proc_end(&p);
    return 0;
}

/* Waits until the server has `want` zombie children, at most 3 s. */
static int settle_defunct(pid_t pid, int want)
{
    int n = 0;
    for (double t0 = rl_now(); rl_now() - t0 < 3; rl_sleep_ms(20))
        if ((n = demo_defunct_count(pid)) >= want)
            break;
    return n;
}

enum { BURST = 5, BURSTS = 3 };

/* zombies: bursts of BURST clients that all leave at once. */
int demo_live_zombies(struct demo_screen *s, const struct rl_demo_act *a)
{
    struct demo_proc p;
    if (start_server(s, &p, a, 0) != 0)
        return -1;
    int before = 0;
    for (int b = 1; b <= BURSTS; b++) {
        int fds[BURST];
        for (int i = 0; i < BURST; i++) {
            fds[i] = demo_client(&p);
            /* the echo proves its child is up and serving */
            if (fds[i] >= 0) {
                char buf[16];
                rl_tcp_send_all(fds[i], "hi\n", 3, 1000);
                rl_tcp_read_line(fds[i], buf, sizeof buf, 2000);
            }
        }
        /* Frozen, the server cannot run its handler while the children
         * exit: every exit of the burst falls into one pending SIGCHLD,
         * as a loaded machine makes happen by chance. */
        kill(p.pid, SIGSTOP);
        for (double t0 = rl_now();
             rl_proc_state(p.pid) != 'T' && rl_now() - t0 < 2;)
            rl_sleep_ms(2); /* stopped for real before the first exit */
        for (int i = 0; i < BURST; i++)
            if (fds[i] >= 0)
                close(fds[i]);
        settle_defunct(p.pid, before + BURST); /* every child has exited */
        kill(p.pid, SIGCONT);
        /* Its handler, if any, has run once the signal is no longer
         * pending and the server is back in accept. */
        for (double t0 = rl_now(); rl_now() - t0 < 3; rl_sleep_ms(10)) {
            unsigned long long pending = 0;
            if (rl_proc_status_mask(p.pid, "ShdPnd", &pending) != 0 ||
                !(pending & (1ull << (SIGCHLD - 1))))
                break;
        }
        /* ... and has returned from it to accept (in the handler the
         * thread shows as running, or in wait4) */
        for (double t0 = rl_now(); rl_now() - t0 < 2; rl_sleep_ms(5)) {
            struct demo_wait w[4];
            int n = demo_thread_waits(&p, w, 4);
            if (n > 0 && strncmp(w[0].call, "accept", 6) == 0)
                break;
        }
        before = demo_defunct_count(p.pid);
        demo_cmd(s, "kill -STOP %d; %d clients close at once; kill -CONT %d",
                 (int)p.pid, BURST, (int)p.pid);
        demo_cmd(s, "ps --ppid %d | grep -c '<defunct>'", (int)p.pid);
        demo_line(s, "<defunct> after burst %d: %d", b, before);
    }
    demo_proc_end(&p);
    return 0;
}

/* event-blocking: client 1 sends half a line, client 2 a whole one. */
int demo_live_half_line(struct demo_screen *s, const struct rl_demo_act *a)
{
    struct demo_proc p;
    if (start_server(s, &p, a, 0) != 0)
        return -1;
    int c1 = client_connect(s, &p, 1);
    client_write(s, c1, 1, "hel");
    demo_line(s, "client 1: half a line, no newline; it stops there");
    wait_settled(&p, rl_tcp_local_port(c1));
    int c2 = client_connect(s, &p, 2);
    client_write(s, c2, 2, "hello\n");
    rl_sleep_ms(100);
    unsigned ports[2] = {rl_tcp_local_port(c1), rl_tcp_local_port(c2)};
    int answered = client_read(s, c2, 2, NO_ANSWER_MS);
    show_waits(s, &p, ports, 2);
    show_queues(s, &p, ports[1]);
    if (!answered) {
        demo_point(s, "client 1 finishes its line");
        client_write(s, c1, 1, "lo\n");
        client_read(s, c2, 2, 3000);
        client_read(s, c1, 1, 1000);
    }
    close(c1);
    close(c2);
    demo_proc_end(&p);
    return 0;
}

/* connfd-race: two clients right after each other, under the probe,
 * which holds each new thread until main's next accept has returned:
 * the race every time, not once in a thousand. */
int demo_live_connfd(struct demo_screen *s, const struct rl_demo_act *a)
{
    struct demo_proc p;
    if (start_server(s, &p, a, DEMO_PROBE) != 0)
        return -1;
    int c1 = client_connect(s, &p, 1);
    int c2 = client_connect(s, &p, 2);
    client_write(s, c1, 1, "one\n");
    client_write(s, c2, 2, "two\n");
    unsigned ports[2] = {rl_tcp_local_port(c1), rl_tcp_local_port(c2)};
    int got2 = client_read(s, c2, 2, NO_ANSWER_MS);
    int got1 = client_read(s, c1, 1, NO_ANSWER_MS);
    show_waits(s, &p, ports, 2);
    if (!got1 && got2)
        demo_point(s, "two threads serve client 2; nobody serves client 1");
    close(c1);
    close(c2);
    demo_proc_end(&p);
    return 0;
}

enum { LEAK_ROUND = 5, LEAK_ROUNDS = 3 };

/* thread-leak: rounds of clients one after another, the stacks counted. */
int demo_live_stacks(struct demo_screen *s, const struct rl_demo_act *a)
{
    struct demo_proc p;
    if (start_server(s, &p, a, 0) != 0)
        return -1;
    demo_cmd(s,
             "cat /proc/%d/maps    (a thread's stack: rw-p right above "
             "a ---p guard page)",
             (int)p.pid);
    unsigned long bytes;
    demo_line(s, "stacks mapped before any client: %d",
              demo_stack_count(p.pid, &bytes));
    int served = 0;
    for (int r = 1; r <= LEAK_ROUNDS; r++) {
        for (int i = 0; i < LEAK_ROUND; i++) {
            int fd = demo_client(&p);
            char buf[16];
            if (fd < 0)
                continue;
            rl_tcp_send_all(fd, "hi\n", 3, 1000);
            rl_tcp_read_line(fd, buf, sizeof buf, 2000);
            close(fd);
            served++;
            /* its thread has ended: only main is left */
            for (double t0 = rl_now();
                 rl_proc_count_tasks(p.pid) > 1 && rl_now() - t0 < 2;)
                rl_sleep_ms(5);
        }
        int n = demo_stack_count(p.pid, &bytes);
        demo_line(s,
                  "after %2d clients, one at a time: %d stacks mapped "
                  "(%lu MiB)",
                  served, n, bytes >> 20);
    }
    demo_proc_end(&p);
    return 0;
}
