/* server_evidence.c: kernel evidence of where a server waits, from /proc. */
#include <arpa/inet.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "server/server_evidence.h"
#include "server/server_stack.h"
#include "lib/procfs.h"
#include "tools/symbolize.h"
#include "lib/xalloc.h"

enum {
    MAX_TASKS = 1024, /* threads of the server and its children looked at */
    MAX_DEPTH = 4,    /* generations of child processes */
    OTHER_TASKS = 4,  /* other threads named in a report */
    SHOWN_FRAMES = 3, /* source lines of the blocked call */
};

/* ---- sockets ---------------------------------------------------------- */

/* "0100007F" or a 32-digit IPv6 address, as /proc/net/tcp prints them
 * (each 32-bit word in host order), to text. */
static void address_text(const char *hex, char *out, size_t len)
{
    size_t digits = strlen(hex);
    unsigned char bytes[16];
    for (size_t w = 0; w < digits / 8 && w < 4; w++) {
        char word[9];
        memcpy(word, hex + 8 * w, 8);
        word[8] = '\0';
        uint32_t v = (uint32_t)strtoul(word, NULL, 16);
        memcpy(bytes + 4 * w, &v, 4);
    }
    static const unsigned char v4mapped[12] = {0, 0, 0, 0, 0,    0,
                                               0, 0, 0, 0, 0xff, 0xff};
    if (digits == 8)
        inet_ntop(AF_INET, bytes, out, (socklen_t)len);
    else if (digits == 32 && memcmp(bytes, v4mapped, 12) == 0)
        inet_ntop(AF_INET, bytes + 12, out, (socklen_t)len);
    else if (digits == 32)
        inet_ntop(AF_INET6, bytes, out, (socklen_t)len);
    else
        snprintf(out, len, "?");
}

int rl_tcp_table_add_file(const char *path, struct rl_tcp_table *t)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    char line[512], local[40], remote[40];
    while (fgets(line, sizeof line, f)) {
        struct rl_tcp_sock s;
        memset(&s, 0, sizeof s);
        if (sscanf(line,
                   " %*u: %39[0-9A-Fa-f]:%x %39[0-9A-Fa-f]:%x %x %lx:%lx "
                   "%*x:%*x %*x %*u %*d %lu",
                   local, &s.local_port, remote, &s.remote_port, &s.state,
                   &s.tx_queue, &s.rx_queue, &s.inode) != 8)
            continue; /* the header */
        address_text(remote, s.remote, sizeof s.remote);
        t->v = xrealloc(t->v, (t->n + 1) * sizeof *t->v);
        t->v[t->n++] = s;
    }
    fclose(f);
    return 0;
}

int rl_tcp_table_read(pid_t pid, struct rl_tcp_table *t)
{
    char path[64];
    memset(t, 0, sizeof *t);
    snprintf(path, sizeof path, "/proc/%d/net/tcp", (int)pid);
    if (rl_tcp_table_add_file(path, t) != 0)
        return -1;
    snprintf(path, sizeof path, "/proc/%d/net/tcp6", (int)pid);
    rl_tcp_table_add_file(path, t); /* absent without IPv6 */
    return 0;
}

void rl_tcp_table_free(struct rl_tcp_table *t)
{
    free(t->v);
    memset(t, 0, sizeof *t);
}

const struct rl_tcp_sock *rl_tcp_find(const struct rl_tcp_table *t,
                                      unsigned local_port, unsigned remote_port)
{
    for (size_t i = 0; i < t->n; i++) {
        const struct rl_tcp_sock *s = &t->v[i];
        if (s->local_port != local_port || s->remote_port != remote_port)
            continue;
        /* A closed earlier connection on the same ports may linger in
         * TIME_WAIT (6) or closing states: the live one counts. */
        if (remote_port == 0 ? s->state == 0x0A : s->state == 0x01)
            return s;
    }
    return NULL;
}

/* ---- system calls ----------------------------------------------------- */

struct syscall_name {
    long nr;
    const char *name;
    int takes_fd;
};

static const struct syscall_name syscalls[] = {
    {SYS_read, "read", 1},
    {SYS_write, "write", 1},
    {SYS_readv, "readv", 1},
    {SYS_writev, "writev", 1},
    {SYS_pread64, "pread64", 1},
    {SYS_pwrite64, "pwrite64", 1},
    {SYS_recvfrom, "recvfrom", 1},
    {SYS_sendto, "sendto", 1},
    {SYS_recvmsg, "recvmsg", 1},
    {SYS_sendmsg, "sendmsg", 1},
    {SYS_accept, "accept", 1},
    {SYS_accept4, "accept4", 1},
    {SYS_connect, "connect", 1},
    {SYS_sendfile, "sendfile", 1},
    {SYS_epoll_wait, "epoll_wait", 1},
    {SYS_epoll_pwait, "epoll_pwait", 1},
#ifdef SYS_select
    {SYS_select, "select", 0},
#endif
#ifdef SYS_poll
    {SYS_poll, "poll", 0},
#endif
#ifdef SYS_pause
    {SYS_pause, "pause", 0},
#endif
    {SYS_pselect6, "pselect6", 0},
    {SYS_ppoll, "ppoll", 0},
    {SYS_wait4, "wait4", 0},
    {SYS_waitid, "waitid", 0},
    {SYS_nanosleep, "nanosleep", 0},
    {SYS_clock_nanosleep, "clock_nanosleep", 0},
    {SYS_futex, "futex", 0},
    {SYS_rt_sigsuspend, "rt_sigsuspend", 0},
    {SYS_rt_sigtimedwait, "rt_sigtimedwait", 0},
};

static const struct syscall_name *find_syscall(long nr)
{
    for (size_t i = 0; i < sizeof syscalls / sizeof *syscalls; i++)
        if (syscalls[i].nr == nr)
            return &syscalls[i];
    return NULL;
}

const char *rl_syscall_name(long nr)
{
    const struct syscall_name *s = find_syscall(nr);
    return s ? s->name : NULL;
}

int rl_syscall_takes_fd(long nr)
{
    const struct syscall_name *s = find_syscall(nr);
    return s && s->takes_fd;
}

/* ---- threads ---------------------------------------------------------- */

/* The last NSpid value of /proc/PID/status: the id the server sees. */
static pid_t inner_pid(pid_t pid)
{
    char path[64], buf[4096];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    long ns =
        rl_proc_read(path, buf, sizeof buf) >= 0 ? rl_proc_ns_pid(buf) : -1;
    return ns >= 0 ? (pid_t)ns : pid;
}

/* State and CPU ticks from .../stat; 0, or -1 when the task is gone. */
static int read_stat(const char *dir, struct rl_task_state *t)
{
    char path[128];
    struct rl_proc_stat st;
    snprintf(path, sizeof path, "%s/stat", dir);
    if (rl_proc_stat_read(path, &st) != 0)
        return -1;
    t->state = st.state;
    t->cpu = st.utime + st.stime;
    return 0;
}

void rl_task_parse_syscall(const char *text, struct rl_task_state *t)
{
    long nr;
    unsigned long *a = t->args;
    t->nr = -1;
    if (sscanf(text, "%ld %lx %lx %lx %lx %lx %lx %lx %lx", &nr, &a[0], &a[1],
               &a[2], &a[3], &a[4], &a[5], &t->sp, &t->pc) == 9)
        t->nr = nr;
}

static void read_syscall(const char *dir, struct rl_task_state *t)
{
    char path[128], buf[512];
    t->nr = -1;
    snprintf(path, sizeof path, "%s/syscall", dir);
    if (rl_proc_read(path, buf, sizeof buf) >= 0)
        rl_task_parse_syscall(buf, t);
}

/* The descriptor a call waits on: its link, and its socket inode. */
static void read_fd(struct rl_task_state *t)
{
    char path[96];
    if (!rl_syscall_takes_fd(t->nr))
        return;
    snprintf(path, sizeof path, "/proc/%d/fd/%d", (int)t->pid, (int)t->args[0]);
    ssize_t n = readlink(path, t->fd_target, sizeof t->fd_target - 1);
    t->fd_target[n > 0 ? n : 0] = '\0';
    sscanf(t->fd_target, "socket:[%lu]", &t->inode);
}

static void add_task(struct rl_server_snap *s, pid_t pid, pid_t ns_pid,
                     pid_t tid, int child)
{
    char dir[64];
    struct rl_task_state t;
    memset(&t, 0, sizeof t);
    t.pid = pid;
    t.tid = tid;
    t.ns_pid = ns_pid;
    t.child = child;
    t.main_thread = pid == tid;
    snprintf(dir, sizeof dir, "/proc/%d/task/%d", (int)pid, (int)tid);
    if (s->ntasks >= MAX_TASKS || read_stat(dir, &t) != 0 || t.state == 'Z')
        return;
    read_syscall(dir, &t);
    read_fd(&t);
    s->tasks = xrealloc(s->tasks, (s->ntasks + 1) * sizeof *s->tasks);
    s->tasks[s->ntasks++] = t;
}

static void add_process(struct rl_server_snap *s, pid_t pid, int depth);

struct generation {
    struct rl_server_snap *s;
    int depth; /* of the children */
};

static int add_child(pid_t child, void *arg)
{
    const struct generation *g = arg;
    add_process(g->s, child, g->depth);
    return 0;
}

/* The children of one thread (a thread's forks are listed under it). */
static void add_children(struct rl_server_snap *s, pid_t pid, pid_t tid,
                         int depth)
{
    struct generation g = {s, depth + 1};
    if (depth < MAX_DEPTH)
        rl_proc_thread_children(pid, tid, add_child, &g);
}

static void add_process(struct rl_server_snap *s, pid_t pid, int depth)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    DIR *d = opendir(path);
    if (!d)
        return;
    pid_t ns_pid = inner_pid(pid), tids[256];
    size_t ntids = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') {
            pid_t tid = (pid_t)atoi(e->d_name);
            add_task(s, pid, ns_pid, tid, depth > 0);
            if (ntids < sizeof tids / sizeof *tids)
                tids[ntids++] = tid;
        }
    closedir(d);
    for (size_t i = 0; i < ntids; i++)
        add_children(s, pid, tids[i], depth);
}

int rl_server_snap_take(pid_t server, struct rl_server_snap *s)
{
    memset(s, 0, sizeof *s);
    if (server <= 0 || rl_tcp_table_read(server, &s->tcp) != 0)
        return -1;
    add_process(s, server, 0);
    return s->ntasks > 0 ? 0 : -1;
}

void rl_server_snap_free(struct rl_server_snap *s)
{
    free(s->tasks);
    rl_tcp_table_free(&s->tcp);
    memset(s, 0, sizeof *s);
}

/* ---- the verdict ------------------------------------------------------ */

/* Where the waiter's bytes are: in a connection not yet accepted, or
 * accepted and unread.  0 when the server has read some of them. */
static int waiter_unread(const struct rl_server_snap *s,
                         const struct rl_blocking_case *c,
                         const struct rl_tcp_sock **conn)
{
    *conn = rl_tcp_find(&s->tcp, c->server_port, c->clients[c->waiter].port);
    return *conn && (*conn)->rx_queue >= c->waiter_bytes;
}

static const struct rl_task_state *find_task(const struct rl_server_snap *s,
                                             pid_t tid)
{
    for (size_t i = 0; i < s->ntasks; i++)
        if (s->tasks[i].tid == tid)
            return &s->tasks[i];
    return NULL;
}

/* Asleep in a call that waits for something outside (a descriptor, a
 * child, a lock, time): not, say, in the middle of a fork. */
static int asleep(const struct rl_task_state *t)
{
    return (t->state == 'S' || t->state == 'D') && find_syscall(t->nr);
}

/* Every thread asleep in both, in the same call, having used no CPU. */
static int stable(const struct rl_server_snap *a,
                  const struct rl_server_snap *b)
{
    if (a->ntasks != b->ntasks)
        return 0;
    for (size_t i = 0; i < b->ntasks; i++) {
        const struct rl_task_state *y = &b->tasks[i];
        const struct rl_task_state *x = find_task(a, y->tid);
        if (!x || !asleep(x) || !asleep(y) || x->nr != y->nr ||
            memcmp(x->args, y->args, sizeof x->args) != 0 || x->sp != y->sp ||
            x->pc != y->pc || x->cpu != y->cpu)
            return 0;
    }
    return 1;
}

/* A thread asleep in accept while a connection waits to be accepted is
 * about to wake up: the picture is not settled. */
static int accept_pending(const struct rl_server_snap *s, unsigned port)
{
    const struct rl_tcp_sock *l = rl_tcp_find(&s->tcp, port, 0);
    if (!l || l->rx_queue == 0)
        return 0;
    for (size_t i = 0; i < s->ntasks; i++) {
        const struct rl_task_state *t = &s->tasks[i];
        if ((t->nr == SYS_accept || t->nr == SYS_accept4) &&
            t->inode == l->inode)
            return 1;
    }
    return 0;
}

/* The client (other than the waiter) whose connection is this socket. */
static long client_of(const struct rl_server_snap *s,
                      const struct rl_blocking_case *c, unsigned long inode)
{
    for (size_t i = 0; inode && i < c->nclients; i++) {
        const struct rl_tcp_sock *k =
            rl_tcp_find(&s->tcp, c->server_port, c->clients[i].port);
        if (k && k->inode == inode)
            return (long)i;
    }
    return -1;
}

/* A thread waiting on another client's connection, and that client;
 * *held: 1 when all such threads wait on that one client, more when
 * they wait on several. */
static const struct rl_task_state *find_holder(const struct rl_server_snap *s,
                                               const struct rl_blocking_case *c,
                                               size_t *holder, size_t *held)
{
    const struct rl_task_state *first = NULL;
    *held = 0;
    for (size_t i = 0; i < s->ntasks; i++) {
        long k = client_of(s, c, s->tasks[i].inode);
        if (k < 0 || (size_t)k == c->waiter)
            continue;
        if (!first) {
            first = &s->tasks[i];
            *holder = (size_t)k;
            *held = 1;
        } else if ((size_t)k != *holder) {
            (*held)++;
        }
    }
    return first;
}

static void who(const struct rl_task_state *t, char *buf, size_t len)
{
    if (t->child)
        snprintf(buf, len, "a child process of the server (pid %d)",
                 (int)t->ns_pid);
    else if (t->main_thread)
        snprintf(buf, len, "the server's main thread");
    else
        snprintf(buf, len, "a thread of the server");
}

/* "descriptor 4: client 1's connection (127.0.0.1:40312)", etc. */
static void what_fd(const struct rl_server_snap *s,
                    const struct rl_blocking_case *c,
                    const struct rl_task_state *t, char *buf, size_t len)
{
    const struct rl_tcp_sock *l = rl_tcp_find(&s->tcp, c->server_port, 0);
    long k = client_of(s, c, t->inode);
    int fd = (int)t->args[0];
    if (k >= 0)
        snprintf(
            buf, len, " on descriptor %d: client %d's connection (%s:%u)", fd,
            c->clients[k].number,
            rl_tcp_find(&s->tcp, c->server_port, c->clients[k].port)->remote,
            c->clients[k].port);
    else if (l && t->inode && t->inode == l->inode)
        snprintf(buf, len, " on descriptor %d: the listening socket (port %u)",
                 fd, c->server_port);
    else if (rl_syscall_takes_fd(t->nr))
        snprintf(buf, len, " on descriptor %d (%s)", fd,
                 t->fd_target[0] ? t->fd_target : "closed");
    else
        buf[0] = '\0';
}

static void where_line(const struct rl_server_snap *s,
                       const struct rl_blocking_case *c,
                       const struct rl_task_state *t, struct rl_finding *f)
{
    char name[64], call[48], fd[160], line[320];
    const char *sys = rl_syscall_name(t->nr);
    who(t, name, sizeof name);
    if (sys)
        snprintf(call, sizeof call, "%s()", sys);
    else
        snprintf(call, sizeof call, "system call %ld", t->nr);
    what_fd(s, c, t, fd, sizeof fd);
    snprintf(line, sizeof line, "%s waits in %s%s", name, call, fd);
    rl_finding_append_detail(f, line);
}

/* The client lines: connect, write, read, in that order. */
static void client_lines(const struct rl_server_snap *s,
                         const struct rl_blocking_case *c, size_t holder,
                         const struct rl_tcp_sock *conn, struct rl_finding *f)
{
    const struct rl_client_info *h = &c->clients[holder];
    const struct rl_client_info *w = &c->clients[c->waiter];
    const struct rl_tcp_sock *l = rl_tcp_find(&s->tcp, c->server_port, 0);
    const struct rl_tcp_sock *hc =
        rl_tcp_find(&s->tcp, c->server_port, h->port);
    char line[320];
    snprintf(line, sizeof line, "client %d (%s:%u) %s", h->number, hc->remote,
             h->port, h->did ? h->did : "is connected");
    rl_finding_append_detail(f, line);
    if (conn->inode == 0)
        snprintf(line, sizeof line,
                 "client %d's connect returned: the kernel completed the "
                 "connection, which waits in the listen socket's accept "
                 "queue (accept queue length %lu), not yet accepted",
                 w->number, l ? l->rx_queue : 1ul);
    else
        snprintf(line, sizeof line,
                 "client %d's connect returned and the server accepted the "
                 "connection, but has not read from it",
                 w->number);
    rl_finding_append_detail(f, line);
    snprintf(line, sizeof line,
             "client %d's write returned: the kernel buffered its %zu bytes "
             "(%lu bytes wait unread in the connection's receive queue)",
             w->number, c->waiter_bytes, conn->rx_queue);
    rl_finding_append_detail(f, line);
    snprintf(line, sizeof line,
             "client %d's read waited %.2f s and got nothing back", w->number,
             c->waited);
    rl_finding_append_detail(f, line);
}

/* The source lines of the blocked call, from the thread's stack. */
static void add_locations(const struct rl_task_state *t,
                          const struct rl_run *run, struct rl_finding *f)
{
    struct rlp_site site;
    if (!run || !run->exe || !run->sources ||
        rl_stack_site(t->pid, t->sp, run->exe, &site) == 0)
        return;
    struct rl_symbolizer *sym = rl_symbolizer_new(run->exe, run->sources);
    char err[256];

    rl_symbolizer_add_site(sym, &site);
    if (rl_symbolizer_run(sym, err, sizeof err) == 0) {
        struct rl_frame frames[SHOWN_FRAMES];
        size_t n = rl_symbolize_site(sym, &site, frames, SHOWN_FRAMES);
        for (size_t i = 0; i < n; i++)
            rl_finding_add_location(f, frames[i].file, frames[i].line,
                                    frames[i].function);
    }
    rl_symbolizer_free(sym);
}

/* A thread of the server's own process asleep waiting for a child: the
 * accept loop (or a SIGCHLD handler that interrupted it) blocked in
 * waitpid while a child still serves a client.  Its line, not the
 * child's read, is what the student must change. */
static const struct rl_task_state *
waits_for_child(const struct rl_server_snap *s)
{
    for (size_t i = 0; i < s->ntasks; i++) {
        const struct rl_task_state *t = &s->tasks[i];
        if (!t->child && (t->nr == SYS_wait4 || t->nr == SYS_waitid))
            return t;
    }
    return NULL;
}

int rl_server_judge_blocking(const struct rl_server_snap *a,
                             const struct rl_server_snap *b,
                             const struct rl_blocking_case *c,
                             const struct rl_run *run, struct rl_findings *out)
{
    const struct rl_tcp_sock *ca, *cb;
    size_t holder = 0;
    if (!waiter_unread(a, c, &ca) || !waiter_unread(b, c, &cb) ||
        ca->rx_queue != cb->rx_queue || ca->inode != cb->inode ||
        !stable(a, b) || accept_pending(b, c->server_port))
        return 0;
    size_t held;
    const struct rl_task_state *t = find_holder(b, c, &holder, &held);
    if (!t)
        return 0;
    if (held > 1)
        return 2; /* a fixed pool of workers, all busy: not one at a time */
    struct rl_finding *f = rl_findings_add(out, "iterative-blocking", "server");
    client_lines(b, c, holder, cb, f);
    where_line(b, c, t, f);
    int others = 0;
    for (size_t i = 0; i < b->ntasks && others < OTHER_TASKS; i++)
        if (&b->tasks[i] != t) {
            where_line(b, c, &b->tasks[i], f);
            others++;
        }
    if (b->ntasks > OTHER_TASKS + 1) {
        char line[64];
        snprintf(line, sizeof line, "(and %zu more threads)",
                 b->ntasks - OTHER_TASKS - 1);
        rl_finding_append_detail(f, line);
    }
    /* The line that waits for a child comes first: that is what to
     * change; then where the child is held up. */
    const struct rl_task_state *reaper = waits_for_child(b);
    if (reaper)
        add_locations(reaper, run, f);
    add_locations(t, run, f);
    return 1;
}
