/* server_rounds.c: rounds of clients, what grows with them, a clean stop. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "protocol/probe_shm.h"
#include "lib/clock.h"
#include "server/server_driver.h"
#include "server/server_errpaths.h"
#include "server/server_rounds.h"
#include "lib/procfs.h"
#include "lib/spawn.h"
#include "tools/symbolize.h"
#include "lib/tcp_client.h"
#include "lib/user_wrapper.h"
#include "lib/xalloc.h"
#include "tools/tool_probe.h"

extern char **environ;

enum {
    NROUNDS = 3,
    MAX_CLIENTS = 50,
    MAX_LISTEN = 32, /* listening sockets of the server we look for */
    MAX_SITES = 4,   /* lines shown per finding */
    GROWTH_MIN = 5,  /* 61 connections: a leak per connection grows more */
};
static const int ROUND_SIZE[NROUNDS] = {1, 10, 50};
static const int ECHO_WAIT_MS = 3000;    /* a client's echo */
static const int CONNECT_WAIT_MS = 2000; /* a connection to be queued */
/* An echo for a client while earlier ones stay connected: a server that
 * serves one client at a time never sends it; it is then served in turn. */
static const int TOGETHER_WAIT_MS = 1000;
static const int EOF_WAIT_MS = 1500;       /* end-of-file after being served */
static const double SETTLE_MAX = 3.0;      /* seconds for figures to settle */
static const double SETTLE_QUIET = 0.15;   /* unchanged this long: settled */
static const double CHILD_END_WAIT = 0.5;  /* a child to end after its close */
static const double REAP_WAIT = 0.5;       /* its SIGCHLD handler to run */
static const double STOPPED_WAIT = 0.5;    /* SIGSTOP to take effect */
static const double BURST_END_WAIT = 3.0;  /* children to end in the burst */
static const double CLEAN_STOP_WAIT = 6.0; /* TSan sleeps 1 s at exit */

/* ---- /proc ------------------------------------------------------------ */

/* Is sig in the mask `field` ("SigCgt", "ShdPnd") of /proc/PID/status? */
static int status_mask_has(pid_t pid, const char *field, int sig)
{
    unsigned long long mask;
    return rl_proc_status_mask(pid, field, &mask) == 0 &&
           (mask >> (sig - 1)) & 1;
}

/* A handler is installed for sig. */
static int catches(pid_t pid, int sig)
{
    return status_mask_has(pid, "SigCgt", sig);
}

/* A child's SIGCHLD (sent to the process) waits for its handler to run:
 * until it has, the server has not had its chance to reap. */
static int sigchld_pending(pid_t pid)
{
    return status_mask_has(pid, "ShdPnd", SIGCHLD);
}

/* Inodes of the listening TCP sockets in pid's network namespace. */
static int listen_inodes(pid_t pid, unsigned long *ino, int max)
{
    static const char *const files[] = {"tcp", "tcp6"};
    int n = 0;
    for (int f = 0; f < 2; f++) {
        char path[64], line[512];
        snprintf(path, sizeof path, "/proc/%d/net/%s", (int)pid, files[f]);
        FILE *in = fopen(path, "re");
        if (!in)
            continue;
        while (fgets(line, sizeof line, in) && n < max) {
            unsigned st;
            unsigned long inode;
            /* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
            if (sscanf(line, " %*s %*s %*s %x %*s %*s %*s %*s %*s %lu", &st,
                       &inode) == 2 &&
                st == 0x0A) /* TCP_LISTEN */
                ino[n++] = inode;
        }
        fclose(in);
    }
    return n;
}

/* The lowest descriptor of pid that is one of the sockets, or -1. */
static int holds_socket(pid_t pid, const unsigned long *ino, int n)
{
    char path[64], link[64];
    snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    int found = -1;
    struct dirent *e;
    while ((e = readdir(d))) {
        char fdpath[96];
        unsigned long inode;
        snprintf(fdpath, sizeof fdpath, "%s/%.20s", path, e->d_name);
        ssize_t len = readlink(fdpath, link, sizeof link - 1);
        if (len <= 0)
            continue;
        link[len] = '\0';
        if (sscanf(link, "socket:[%lu]", &inode) != 1)
            continue;
        for (int i = 0; i < n; i++)
            if (ino[i] == inode && (found < 0 || atoi(e->d_name) < found))
                found = atoi(e->d_name);
    }
    closedir(d);
    return found;
}

/* ---- the probe's table: threads ended, never joined nor detached -------- */

static int is_leaked_thread(const struct rlp_thread *t)
{
    return __atomic_load_n(&t->state, __ATOMIC_ACQUIRE) == RLP_T_EXITED &&
           !__atomic_load_n(&t->joined_or_detached, __ATOMIC_ACQUIRE);
}

static int count_leaked_threads(const struct rlp_shm *t)
{
    if (!t || t->magic != RLP_MAGIC || t->version != RLP_VERSION)
        return 0;
    int n = 0;
    for (uint32_t i = 1; i < t->nthreads && i < RLP_MAX_THREADS; i++)
        n += is_leaked_thread(&t->threads[i]);
    return n;
}

/* ---- what is measured ------------------------------------------------- */

/* The server's figures at one moment. */
struct sample {
    int live, zombies; /* children running; children in state Z */
    int fds;           /* the server's open descriptors */
    int tasks;         /* its threads (settling only) */
    int threads;       /* threads ended, never joined nor detached */
    int pending;       /* a SIGCHLD waits for the server's handler */
};

static int count_child(pid_t child, void *arg)
{
    struct sample *s = arg;
    char st = rl_proc_state(child);
    if (st == 'Z')
        s->zombies++;
    else if (st)
        s->live++;
    return 0;
}

static struct sample take_sample(pid_t pid, const struct rlp_shm *table)
{
    struct sample s = {0};
    rl_proc_children(pid, count_child, &s);
    s.fds = rl_proc_count_fds(pid);
    s.tasks = rl_proc_count_tasks(pid);
    s.threads = count_leaked_threads(table);
    s.pending = sigchld_pending(pid);
    return s;
}

static int same_sample(const struct sample *a, const struct sample *b)
{
    return a->live == b->live && a->zombies == b->zombies && a->fds == b->fds &&
           a->tasks == b->tasks && a->threads == b->threads &&
           a->pending == b->pending;
}

/* The rounds' state. */
struct rounds {
    struct rl_sandbox *sb;
    const struct rl_run *run;
    int port;
    pid_t pid;                   /* the server (outside view) */
    int measure;                 /* the probe's run: figures count */
    int serial;                  /* the server serves one client at a time */
    int handles_sigchld;         /* a SIGCHLD handler is installed */
    const struct rlp_shm *table; /* the probe's, or NULL */
    struct sample before, after[NROUNDS];
    int child_fds[NROUNDS]; /* most descriptors in one serving child */
    int children_seen, children_listening, listen_fd;
    int no_eof; /* the first round's client saw no end-of-file */
    struct rl_errpath_leak gone; /* kept open after its client had gone */
    char *note;
    size_t notelen;
};

/* Waits until nothing changes for SETTLE_QUIET with no child running and
 * no SIGCHLD waiting for the server's handler (a loaded machine may not
 * have run it yet), at most SETTLE_MAX. */
static struct sample settle(struct rounds *r)
{
    double start = rl_now(), quiet = start;
    struct sample prev = take_sample(r->pid, r->table);
    while (rl_now() - start < SETTLE_MAX) {
        rl_sleep_ms(25);
        struct sample s = take_sample(r->pid, r->table);
        if (!same_sample(&s, &prev) || s.live > 0 || s.pending) {
            prev = s;
            quiet = rl_now();
        } else if (rl_now() - quiet >= SETTLE_QUIET) {
            break;
        }
    }
    return prev;
}

struct child_scan {
    struct rounds *r;
    int round;
    unsigned long ino[MAX_LISTEN];
    int nino;
};

static int scan_child(pid_t child, void *arg)
{
    struct child_scan *cs = arg;
    struct rounds *r = cs->r;
    char st = rl_proc_state(child);
    if (!st || st == 'Z')
        return 0;
    int fds = rl_proc_count_fds(child);
    if (fds < 0)
        return 0;
    r->children_seen++;
    if (fds > r->child_fds[cs->round])
        r->child_fds[cs->round] = fds;
    int fd = holds_socket(child, cs->ino, cs->nino);
    if (fd >= 0) {
        r->children_listening++;
        r->listen_fd = fd;
    }
    return 0;
}

/* While every client of the round is connected and answered: the
 * descriptors of each serving child, and whether it kept the listener. */
static void measure_children(struct rounds *r, int round)
{
    struct child_scan cs = {r, round, {0}, 0};
    cs.nino = listen_inodes(r->pid, cs.ino, MAX_LISTEN);
    rl_proc_children(r->pid, scan_child, &cs);
}

/* ---- clients ---------------------------------------------------------- */

struct client {
    int fd;
    int len;
    char line[48];
};

static int client_open(struct rounds *r)
{
    int fd = rl_sandbox_socket(r->sb, AF_INET, SOCK_STREAM);
    if (fd < 0)
        return -1;
    /* Without blocking: a server that stopped accepting fills its queue. */
    if (rl_tcp_connect(fd, (unsigned)r->port, CONNECT_WAIT_MS) != 0) {
        int e = errno; /* ECONNREFUSED: nobody listens any more */
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/* Reads the client's line back: 0, or -1 when it did not come in time. */
static int read_echo(const struct client *c, int wait_ms)
{
    char got[sizeof c->line];
    return rl_tcp_read_line(c->fd, got, sizeof got, wait_ms) == 0 &&
                   strcmp(got, c->line) == 0
               ? 0
               : -1;
}

static void close_client(struct client *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

/* Closes one client; in the measured run, waits for its child to end and
 * be reaped, so that serial disconnects never pile up SIGCHLDs. */
static void disconnect(struct rounds *r, struct client *c)
{
    struct sample s0 = {0};
    if (r->measure)
        s0 = take_sample(r->pid, NULL);
    close_client(c);
    if (!r->measure || s0.live == 0)
        return;
    double start = rl_now();
    struct sample s = s0;
    while (s.live >= s0.live && rl_now() - start < CHILD_END_WAIT) {
        rl_sleep_ms(2);
        s = take_sample(r->pid, NULL);
    }
    start = rl_now();
    while (r->handles_sigchld && s.pending && rl_now() - start < REAP_WAIT) {
        rl_sleep_ms(2);
        s = take_sample(r->pid, NULL);
    }
}

/* Why a round failed, for the note; the outcome.  `refused`: the
 * connection was refused (nobody listens any more). */
static int round_failed(struct rounds *r, int round, int client,
                        const char *what, int refused)
{
    int gone = rl_sandbox_program_pid(r->sb) <= 0;
    char where[80];
    snprintf(where, sizeof where, "%d-client round: client %d %s",
             ROUND_SIZE[round], client + 1, what);
    if (!gone && !refused) {
        snprintf(r->note, r->notelen, "in the %s", where);
        return RL_SERVER_BAD_ECHO;
    }
    /* Short: the runner keeps 160 bytes of a note. */
    snprintf(r->note, r->notelen,
             "the server %s once earlier clients were "
             "gone (%s)%s",
             gone ? "exited" : "stopped accepting", where,
             r->handles_sigchld
                 ? "; SIGCHLD makes accept() fail with EINTR: retry it"
                 : "");
    return RL_SERVER_STOPPED_SERVING;
}

/* A server that serves one client at a time: each client in turn gets
 * its echo once the ones before it have gone. */
static int serve_in_turn(struct rounds *r, int round, struct client *c, int n,
                         int from)
{
    /* Served one after another, the next client's child is forked as
     * soon as this one leaves: waiting for the number of children to drop
     * (disconnect) would wait out its limit every time.  Settling after
     * the round counts what is left. */
    for (int i = 0; i < from; i++)
        close_client(&c[i]);
    for (int i = from; i < n; i++) {
        if (read_echo(&c[i], ECHO_WAIT_MS) != 0)
            return round_failed(r, round, i, "got no echo of its line", 0);
        close_client(&c[i]);
    }
    return RL_SERVER_ECHOED;
}

/*
 * The last round's clients disconnect at once.  In the measured run of a
 * forking server, the server is stopped (SIGSTOP) while its children end,
 * so that all their SIGCHLDs arrive as one, as they can in any busy
 * server: a handler that reaps one child per signal leaves the rest.
 */
static void burst(struct rounds *r, struct client *c, int n)
{
    int held = 0;
    if (r->measure && take_sample(r->pid, NULL).live > 0 &&
        kill(r->pid, SIGSTOP) == 0) {
        held = 1;
        double start = rl_now();
        while (rl_proc_state(r->pid) != 'T' && rl_now() - start < STOPPED_WAIT)
            rl_sleep_ms(2);
    }
    for (int i = 0; i < n; i++)
        close_client(&c[i]);
    if (!held)
        return;
    double start = rl_now();
    while (take_sample(r->pid, NULL).live > 0 &&
           rl_now() - start < BURST_END_WAIT)
        rl_sleep_ms(5);
    kill(r->pid, SIGCONT);
}

static int answer_all(struct rounds *r, int round, struct client *c, int n)
{
    if (r->serial)
        return serve_in_turn(r, round, c, n, 0);
    for (int i = 0; i < n; i++) {
        if (read_echo(&c[i], i == 0 ? ECHO_WAIT_MS : TOGETHER_WAIT_MS) == 0)
            continue;
        if (i == 0 || rl_sandbox_program_pid(r->sb) <= 0)
            return round_failed(r, round, i, "got no echo of its line", 0);
        r->serial = 1;
        return serve_in_turn(r, round, c, n, i);
    }
    if (r->measure)
        measure_children(r, round);
    if (round == NROUNDS - 1) {
        burst(r, c, n);
        return RL_SERVER_ECHOED;
    }
    if (round == 0 && r->measure && !rl_tcp_sees_eof(c[0].fd, EOF_WAIT_MS))
        r->no_eof = 1;
    for (int i = 0; i < n; i++)
        disconnect(r, &c[i]);
    return RL_SERVER_ECHOED;
}

static int one_round(struct rounds *r, int round)
{
    struct client c[MAX_CLIENTS];
    int n = ROUND_SIZE[round], status = RL_SERVER_ECHOED;
    for (int i = 0; i < n; i++)
        c[i].fd = -1;
    for (int i = 0; i < n && status == RL_SERVER_ECHOED; i++) {
        c[i].len = snprintf(c[i].line, sizeof c[i].line, "round %d client %d\n",
                            round + 1, i + 1);
        if ((c[i].fd = client_open(r)) < 0)
            status = round_failed(r, round, i, "could not connect",
                                  errno == ECONNREFUSED);
        else if (rl_tcp_send_all(c[i].fd, c[i].line, (size_t)c[i].len,
                                 ECHO_WAIT_MS) != 0)
            status = round_failed(r, round, i, "could not send its line", 0);
    }
    if (status == RL_SERVER_ECHOED)
        status = answer_all(r, round, c, n);
    for (int i = 0; i < n; i++)
        close_client(&c[i]);
    return status;
}

/* ---- where: the user's lines ------------------------------------------ */

/* A call instruction of the executable: at `at`, in `caller`. */
struct call {
    uint64_t at;
    char caller[64], callee[64];
};

struct calls {
    struct call *v;
    size_t n;
};

/* "<fork@plt>" -> "fork"; NULL for a jump inside a function ("+0x"). */
static int callee_name(const char *ins, char *name, size_t len)
{
    const char *lt = strchr(ins, '<'), *gt = lt ? strchr(lt, '>') : NULL;
    if (!gt)
        return -1;
    size_t n = strcspn(lt + 1, "@>");
    if (memchr(lt + 1, '+', (size_t)(gt - lt - 1)) || n == 0 || n >= len)
        return -1;
    memcpy(name, lt + 1, n);
    name[n] = '\0';
    return 0;
}

/* Every direct call (and tail jump) of the executable, from objdump. */
static void load_calls(const char *exe, struct calls *c)
{
    char *argv[] = {"objdump", "-d", "--no-show-raw-insn", (char *)exe, NULL};
    char *text = NULL, *save = NULL, func[64] = "";
    rl_spawn_capture(argv, &text);
    size_t cap = 0;
    for (char *l = text ? strtok_r(text, "\n", &save) : NULL; l;
         l = strtok_r(NULL, "\n", &save)) {
        char *end;
        unsigned long long at = strtoull(l, &end, 16);
        if (end != l && strncmp(end, " <", 2) == 0) { /* a function */
            size_t n = strcspn(end + 2, ">");
            snprintf(func, sizeof func, "%.*s", (int)n, end + 2);
            continue;
        }
        const char *ins = end != l && *end == ':' ? end + 1 : NULL;
        ins = ins ? ins + strspn(ins, " \t") : NULL;
        if (!ins || (strncmp(ins, "call", 4) != 0 && strncmp(ins, "jmp", 3)))
            continue;
        struct call k = {.at = at};
        if (callee_name(ins, k.callee, sizeof k.callee) != 0 ||
            strcmp(k.callee, func) == 0)
            continue;
        snprintf(k.caller, sizeof k.caller, "%s", func);
        if (c->n == cap)
            c->v = xrealloc(c->v, (cap = cap ? 2 * cap : 64) * sizeof *c->v);
        c->v[c->n++] = k;
    }
    free(text);
}

/*
 * The calls of `name`.  A call made inside the program's own wrapper of
 * the same name (CS:APP's Fork, Accept) stands for the wrapper's calls,
 * which are where the program really forks or accepts; the wrapper's own
 * line goes to inner[] (other tools may name it).
 */
struct sites {
    uint64_t at[MAX_SITES], inner[MAX_SITES];
    size_t n, ninner;
};

static void call_sites(const struct calls *c, const char *name, int depth,
                       struct sites *s)
{
    for (size_t i = 0; i < c->n && s->n < MAX_SITES; i++) {
        if (strcmp(c->v[i].callee, name) != 0)
            continue;
        size_t before = s->n;
        if (depth < 2 && rl_wraps_call(c->v[i].caller, name))
            call_sites(c, c->v[i].caller, depth + 1, s);
        if (s->n == before)
            s->at[s->n++] = c->v[i].at;
        else if (s->ninner < MAX_SITES)
            s->inner[s->ninner++] = c->v[i].at;
    }
}

struct places {
    struct rl_symbolizer *sym;
    struct calls calls;
    struct sites fork, accept;
};

static void add_sites(struct rl_symbolizer *sym, const struct sites *s)
{
    for (size_t i = 0; i < s->n; i++)
        rl_symbolizer_add(sym, s->at[i]);
    for (size_t i = 0; i < s->ninner; i++)
        rl_symbolizer_add(sym, s->inner[i]);
}

static void places_load(struct places *p, const struct rounds *r)
{
    memset(p, 0, sizeof *p);
    p->sym = rl_symbolizer_new(r->run->exe, r->run->sources);
    load_calls(r->run->exe, &p->calls);
    call_sites(&p->calls, "fork", 0, &p->fork);
    call_sites(&p->calls, "accept", 0, &p->accept);
    call_sites(&p->calls, "accept4", 0, &p->accept);
    add_sites(p->sym, &p->fork);
    add_sites(p->sym, &p->accept);
    for (uint32_t i = 1;
         r->table && i < r->table->nthreads && i < RLP_MAX_THREADS; i++)
        rl_symbolizer_add_site(p->sym, &r->table->threads[i].create_site);
    char err[256];
    if (rl_symbolizer_run(p->sym, err, sizeof err) != 0 && r->run->diag)
        rl_diag_add(r->run->diag, RL_DIAG_WARNING, "server", "rounds: %s", err);
}

static void places_free(struct places *p)
{
    rl_symbolizer_free(p->sym);
    free(p->calls.v);
}

static void add_site(struct rl_finding *f, const struct places *p,
                     const struct rlp_site *site)
{
    struct rl_frame fr;
    if (rl_symbolize_user_frame(p->sym, site, &fr) == 0)
        rl_finding_add_location(f, fr.file, fr.line, fr.function);
}

/* The calls' lines: where the program calls, then inside its wrappers. */
static void add_calls(struct rl_finding *f, const struct places *p,
                      const struct sites *s)
{
    for (size_t i = 0; i < s->n + s->ninner; i++) {
        struct rlp_site site = {{i < s->n ? s->at[i] : s->inner[i - s->n]}};
        add_site(f, p, &site);
    }
}

/* ---- verdicts --------------------------------------------------------- */

/* A figure that grows with the connections, round after round. */
static int grows(const int fig[NROUNDS], int before)
{
    for (int i = 1; i < NROUNDS; i++)
        if (fig[i] < fig[i - 1])
            return 0;
    return fig[0] >= before && fig[NROUNDS - 1] - before >= GROWTH_MIN;
}

/* "what after rounds of 1, 10 and 50 clients: 1, 11, 61 (before: 0)" */
static void growth_line(struct rl_finding *f, const char *what,
                        const int fig[NROUNDS], int before)
{
    char line[256];
    snprintf(line, sizeof line,
             "%s after rounds of %d, %d and %d clients: %d, %d, %d "
             "(before: %d)",
             what, ROUND_SIZE[0], ROUND_SIZE[1], ROUND_SIZE[2], fig[0], fig[1],
             fig[2], before);
    rl_finding_append_detail(f, line);
}

static void zombie_finding(const struct rounds *r, const struct places *p,
                           struct rl_findings *out)
{
    int fig[NROUNDS];
    for (int i = 0; i < NROUNDS; i++)
        fig[i] = r->after[i].zombies;
    if (!grows(fig, r->before.zombies))
        return;
    struct rl_finding *f = rl_findings_add(out, "zombie-children", "server");
    add_calls(f, p, &p->fork);
    growth_line(f, "zombies (children in state Z)", fig, r->before.zombies);
    if (fig[NROUNDS - 2] == r->before.zombies) {
        char line[256];
        snprintf(line, sizeof line,
                 "only the last round, whose %d clients disconnected at "
                 "once, left zombies: one SIGCHLD can stand for several "
                 "children, so reap in a loop",
                 ROUND_SIZE[NROUNDS - 1]);
        rl_finding_append_detail(f, line);
    }
}

static void server_fd_finding(const struct rounds *r, const struct places *p,
                              struct rl_findings *out)
{
    int fig[NROUNDS];
    for (int i = 0; i < NROUNDS; i++)
        fig[i] = r->after[i].fds;
    int growing = grows(fig, r->before.fds);
    if (!growing && !r->no_eof)
        return;
    struct rl_finding *f = rl_findings_add(out, "fd-leak", "server");
    add_calls(f, p, &p->accept);
    if (growing)
        growth_line(f, "descriptors open in the server", fig, r->before.fds);
    if (r->no_eof) {
        char line[256];
        snprintf(line, sizeof line,
                 "a client that was served and shut down its side saw no "
                 "end-of-file within %d ms: the server still holds the "
                 "connection open",
                 EOF_WAIT_MS);
        rl_finding_append_detail(f, line);
    }
}

static void child_fd_finding(const struct rounds *r, const struct places *p,
                             struct rl_findings *out)
{
    int growing = grows(r->child_fds, r->child_fds[0]);
    if (!growing && r->children_listening == 0)
        return;
    struct rl_finding *f = rl_findings_add(out, "fd-leak", "server");
    add_calls(f, p, &p->fork);
    char line[256];
    if (r->children_listening > 0) {
        f->fd = r->listen_fd;
        snprintf(line, sizeof line,
                 "%d of the %d children seen serving a client kept the "
                 "listening socket open (fd %d)",
                 r->children_listening, r->children_seen, r->listen_fd);
        rl_finding_append_detail(f, line);
    }
    if (growing) {
        snprintf(line, sizeof line,
                 "most descriptors open in one serving child, rounds of %d, "
                 "%d and %d clients: %d, %d, %d",
                 ROUND_SIZE[0], ROUND_SIZE[1], ROUND_SIZE[2], r->child_fds[0],
                 r->child_fds[1], r->child_fds[2]);
        rl_finding_append_detail(f, line);
    }
}

/* A connection still open after its client had gone (server_errpaths.h):
 * a leak on an error path, however few.  Joins the fd-leak finding of
 * the same process when there is one. */
static void gone_fd_finding(const struct rounds *r, const struct places *p,
                            struct rl_findings *out, size_t from)
{
    const struct rl_errpath_leak *g = &r->gone;
    if (!g->found)
        return;
    struct rl_finding *f = NULL;
    for (size_t i = from; i < out->n && !f; i++)
        if (strcmp(out->v[i].id, "fd-leak") == 0)
            f = &out->v[i];
    if (!f) {
        f = rl_findings_add(out, "fd-leak", "server");
        add_calls(f, p, &p->accept);
        f->fd = g->fd;
    }
    char line[400];
    snprintf(line, sizeof line,
             "a client %s; %.1f s later %s still held that connection open "
             "(descriptor %d): close the connection on every way out of "
             "serving it (end of file, a read or write that fails), not "
             "only at end of file",
             g->did, g->waited,
             g->child ? "a child process of the server" : "the server", g->fd);
    rl_finding_append_detail(f, line);
}

static void thread_finding(const struct rounds *r, const struct places *p,
                           struct rl_findings *out)
{
    int fig[NROUNDS];
    for (int i = 0; i < NROUNDS; i++)
        fig[i] = r->after[i].threads;
    if (!r->table || !grows(fig, r->before.threads))
        return;
    struct rl_finding *f = rl_findings_add(out, "thread-leak", "probe");
    for (uint32_t i = 1;
         i < r->table->nthreads && i < RLP_MAX_THREADS && f->nlocs < MAX_SITES;
         i++)
        if (is_leaked_thread(&r->table->threads[i]))
            add_site(f, p, &r->table->threads[i].create_site);
    growth_line(f,
                "threads ended but never joined nor detached (each "
                "keeps its stack)",
                fig, r->before.threads);
}

static void add_findings(const struct rounds *r, struct rl_findings *out)
{
    struct places p;
    size_t from = out->n;
    places_load(&p, r);
    zombie_finding(r, &p, out);
    server_fd_finding(r, &p, out);
    child_fd_finding(r, &p, out);
    gone_fd_finding(r, &p, out, from);
    thread_finding(r, &p, out);
    places_free(&p);
    for (size_t i = from; i < out->n; i++)
        rl_finding_set_scenario(&out->v[i], "rounds of clients");
}

int rl_server_rounds(struct rl_sandbox *sb, const struct rl_run *run,
                     struct rl_findings *out, char *note, size_t notelen)
{
    struct rounds r = {.sb = sb, .run = run, .note = note, .notelen = notelen};
    r.port = atoi(run->program_args[0]);
    r.pid = rl_sandbox_program_pid(sb);
    if (r.pid <= 0) {
        /* It served the basic clients, then died: the same story as a
         * server that dies between rounds (its handlers are gone with it,
         * so the hint is conditional).  Short: notes keep 160 bytes. */
        snprintf(note, notelen,
                 "the server exited once earlier clients were gone; if it "
                 "catches SIGCHLD, accept() can fail with EINTR: retry it");
        return RL_SERVER_STOPPED_SERVING;
    }
    /* Only where signals arrive as usual (a native-speed run): under TSan
     * a SIGCHLD can wait while the server sits in accept, and zombies
     * would be counted. */
    r.measure = run->tool->native_speed;
    r.table = r.measure ? rl_probe_table(run) : NULL; /* the run owns it */
    r.handles_sigchld = catches(r.pid, SIGCHLD);
    if (r.measure)
        r.before = settle(&r);
    int status = RL_SERVER_ECHOED;
    for (int round = 0; round < NROUNDS && status == RL_SERVER_ECHOED;
         round++) {
        status = one_round(&r, round);
        if (status == RL_SERVER_ECHOED && r.measure)
            r.after[round] = settle(&r);
        /* A server that serves one client at a time has shown it (the
         * probe's run reports it); the other tools gain nothing from
         * sixty more clients in a row, each a fork under a sanitizer. */
        if (r.serial && !r.measure)
            break;
    }
    if (status == RL_SERVER_ECHOED && r.measure) {
        rl_server_error_clients(sb, (unsigned)r.port, r.pid, &r.gone);
        add_findings(&r, out);
    } else if (status == RL_SERVER_ECHOED)
        settle(&r); /* the last clients' threads end before the stop */
    return status;
}

/* ---- the clean stop --------------------------------------------------- */

void rl_server_stop(struct rl_sandbox *sb, struct rl_run *run)
{
    pid_t pid = rl_sandbox_program_pid(sb);
    pid_t tid = pid > 0 ? rl_proc_find_thread(pid, RL_STOP_THREAD) : 0;
    if (tid > 0 && syscall(SYS_tgkill, pid, tid, RL_STOP_SIGNAL) == 0) {
        /* The hook's exit(0) runs the finalizers: their reports are
         * written before the program is gone. */
        double deadline = rl_now() + CLEAN_STOP_WAIT;
        while (rl_sandbox_program_pid(sb) > 0 && rl_now() < deadline)
            rl_sleep_ms(10);
    } else if (pid > 0 && run->tool->before_stop) {
        struct rl_watch_info info = {0, pid, 0, 0};
        run->tool->before_stop(run, &info);
    }
    rl_sandbox_stop(sb);
}
