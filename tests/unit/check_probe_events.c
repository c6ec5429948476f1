/* check_probe_events.c: the probe's signal, descriptor and child events,
 * recorded from real programs run with bin/racelab-probe.so preloaded. */
#include <check.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "protocol/probe_shm.h"

#define FIXTURES "tests/fixtures/probe_events"
#ifndef PROBE_SO
#define PROBE_SO "bin/racelab-probe.so"
#endif

enum {
    RUNS = 3, /* each verdict must hold on every run */
    OUT_MAX = 4096,
};

static char tmpdir[64]; /* mkdtemp template, see setup */

static void setup(void)
{
    strcpy(tmpdir, "/tmp/racelab-probe-events-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove '%s'\n", tmpdir);
}

/* ---- building and running a fixture ---- */

/* Compiles FIXTURES/name.c the way racelab's plain variant is built. */
static void build(const char *name, char *exe, size_t len)
{
    char cmd[3 * PATH_MAX];
    snprintf(exe, len, "%s/%s", tmpdir, name);
    snprintf(cmd, sizeof cmd, "gcc -g -O1 -pthread -o '%s' %s/%s.c", exe,
             FIXTURES, name);
    ck_assert_msg(system(cmd) == 0, "cannot build '%s'", name);
}

struct run {
    char out[OUT_MAX];   /* the program's stdout */
    int status;          /* from waitpid */
    struct rlp_shm *shm; /* copy of the probe's table, or NULL */
};

static void path_in_tmp(char *path, const char *leaf)
{
    snprintf(path, PATH_MAX, "%s/%s", tmpdir, leaf);
}

/* Starts exe (stdout to tmpdir/out) with the probe when `probe` is 1,
 * preloaded without a table when 2, or without it when 0. */
static pid_t start(const char *exe, const char *arg, int probe)
{
    char out[PATH_MAX], table[PATH_MAX], so[PATH_MAX];
    path_in_tmp(out, "out");
    path_in_tmp(table, "probe.bin");
    unlink(table);
    ck_assert_ptr_nonnull(realpath(PROBE_SO, so));
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0)
            _exit(126);
        close(fd);
        if (probe)
            setenv("LD_PRELOAD", so, 1);
        if (probe == 1)
            setenv(RLP_ENV_FILE, table, 1);
        execl(exe, exe, arg, (char *)NULL);
        _exit(127);
    }
    return pid;
}

static void read_file(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open '%s'", path);
    size_t n = fread(buf, 1, len - 1, f);
    buf[n] = '\0';
    fclose(f);
}

static void collect(struct run *r, int probe)
{
    char path[PATH_MAX];
    path_in_tmp(path, "out");
    read_file(path, r->out, sizeof r->out);
    r->shm = NULL;
    if (probe != 1)
        return;
    path_in_tmp(path, "probe.bin");
    r->shm = calloc(1, sizeof *r->shm);
    ck_assert_ptr_nonnull(r->shm);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "no probe table '%s'", path);
    ck_assert_int_eq(fread(r->shm, sizeof *r->shm, 1, f), 1);
    fclose(f);
    ck_assert_uint_eq(r->shm->magic, RLP_MAGIC);
}

static void run(const char *exe, const char *arg, int probe, struct run *r)
{
    pid_t pid = start(exe, arg, probe);
    ck_assert_int_eq(waitpid(pid, &r->status, 0), pid);
    collect(r, probe);
}

/* Runs a program that never ends: killed once it printed READY, as the
 * harness kills a server. */
static void run_until_ready(const char *exe, const char *arg, struct run *r)
{
    char out[PATH_MAX], text[OUT_MAX] = "";
    struct timespec tick = {0, 20000000};
    path_in_tmp(out, "out");
    pid_t pid = start(exe, arg, 1);
    for (int i = 0; i < 500 && !strstr(text, "READY"); i++) {
        nanosleep(&tick, NULL);
        read_file(out, text, sizeof text);
    }
    ck_assert_msg(strstr(text, "READY") != NULL, "'%s' never got ready", exe);
    kill(pid, SIGKILL);
    ck_assert_int_eq(waitpid(pid, &r->status, 0), pid);
    collect(r, 1);
}

/* ---- where a recorded site is in the fixture ---- */

/* The line of FIXTURES/name.c whose code carries the comment for marker. */
static int marker_line(const char *name, const char *marker)
{
    char path[PATH_MAX], line[512], tag[64];
    snprintf(path, sizeof path, "%s/%s.c", FIXTURES, name);
    snprintf(tag, sizeof tag, "/* %s */", marker);
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open '%s'", path);
    int found = 0;
    for (int n = 1; !found && fgets(line, sizeof line, f); n++)
        if (strstr(line, tag))
            found = n;
    fclose(f);
    ck_assert_msg(found > 0, "no marker '%s' in '%s'", tag, path);
    return found;
}

struct place {
    char func[128];
    char file[PATH_MAX]; /* basename */
    int line;
};

/* addr2line -f on an offset into exe, as the harness symbolizes sites. */
static void resolve(const char *exe, uint64_t pc, struct place *p)
{
    char cmd[PATH_MAX + 64], where[PATH_MAX] = "";
    snprintf(cmd, sizeof cmd, "addr2line -f -e '%s' %#llx", exe,
             (unsigned long long)pc);
    FILE *f = popen(cmd, "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(fgets(p->func, sizeof p->func, f));
    ck_assert_ptr_nonnull(fgets(where, sizeof where, f));
    pclose(f);
    p->func[strcspn(p->func, "\n")] = '\0';
    where[strcspn(where, " \n")] = '\0'; /* drop " (discriminator N)" */
    char *colon = strrchr(where, ':');
    ck_assert_msg(colon != NULL, "addr2line gave '%s'", where);
    *colon = '\0';
    p->line = atoi(colon + 1);
    const char *slash = strrchr(where, '/');
    snprintf(p->file, sizeof p->file, "%s", slash ? slash + 1 : where);
}

/* ---- expected events ---- */

struct expect {
    int kind;
    const char *detail;  /* fnmatch pattern */
    const char *marker;  /* line of the fixture where site.pc[0] is */
    const char *handler; /* function at site2.pc[0], or NULL: no site2 */
};

static int site_matches(const char *exe, const char *name,
                        const struct rlp_event *e, const struct expect *x)
{
    struct place p;
    char file[PATH_MAX];
    snprintf(file, sizeof file, "%s.c", name);
    resolve(exe, e->site.pc[0], &p);
    if (strcmp(p.file, file) != 0 || p.line != marker_line(name, x->marker))
        return 0;
    if (!x->handler)
        return e->site2.pc[0] == 0;
    resolve(exe, e->site2.pc[0], &p);
    return strcmp(p.func, x->handler) == 0;
}

/* Every event matches one expectation, and each expectation one event. */
static void check_events(const char *exe, const char *name,
                         const struct rlp_shm *m, const struct expect *xs,
                         int n)
{
    int used[RLP_MAX_EVENTS] = {0};
    ck_assert_uint_eq(m->overflow, 0);
    ck_assert_msg(m->nevents == (uint32_t)n, "%s: %u events, expected %d%s%s",
                  name, m->nevents, n, m->nevents ? ", first: " : "",
                  m->nevents ? m->events[0].detail : "");
    for (int i = 0; i < n; i++) {
        int found = -1;
        for (int j = 0; j < n && found < 0; j++) {
            const struct rlp_event *e = &m->events[j];
            if (!used[j] && e->kind == xs[i].kind &&
                fnmatch(xs[i].detail, e->detail, 0) == 0 && e->pid == m->pid &&
                site_matches(exe, name, e, &xs[i]))
                found = j;
        }
        ck_assert_msg(found >= 0, "%s: no event '%s' at %s", name, xs[i].detail,
                      xs[i].marker);
        used[found] = 1;
    }
}

/*
 * Builds fixture `name`, runs it without the probe, then RUNS times with
 * it: the output and exit status must not change, and every run must
 * record exactly the expected events.
 */
static void check_fixture(const char *name, const struct expect *xs, int n)
{
    char exe[PATH_MAX];
    struct run plain, preloaded, probed;
    build(name, exe, sizeof exe);
    run(exe, NULL, 0, &plain);
    ck_assert_msg(WIFEXITED(plain.status) && WEXITSTATUS(plain.status) == 0,
                  "%s failed without the probe", name);
    ck_assert_msg(strstr(plain.out, "DONE") != NULL, "%s: no DONE", name);
    run(exe, NULL, 2, &preloaded); /* no table: everything calls through */
    ck_assert_str_eq(preloaded.out, plain.out);
    for (int i = 0; i < RUNS; i++) {
        run(exe, NULL, 1, &probed);
        ck_assert_int_eq(probed.status, plain.status);
        ck_assert_str_eq(probed.out, plain.out);
        check_events(exe, name, probed.shm, xs, n);
        free(probed.shm);
    }
}

/* ---- signals ---- */

START_TEST(test_printf_in_handler)
{
    static const struct expect xs[] = {
        {RLP_E_SIGNAL_UNSAFE, "printf called in a handler for SIGUSR1",
         "@printf", "on_usr1"},
        {RLP_E_SIGNAL_UNSAFE, "printf/puts called in a handler for SIGUSR1",
         "@puts", "on_usr1"},
    };
    check_fixture("signal_printf", xs, 2);
}
END_TEST

START_TEST(test_malloc_in_handler)
{
    static const struct expect xs[] = {
        {RLP_E_SIGNAL_UNSAFE, "malloc called in a handler for SIGUSR1",
         "@malloc", "on_usr1"},
        {RLP_E_SIGNAL_UNSAFE, "free called in a handler for SIGUSR1", "@free",
         "on_usr1"},
    };
    check_fixture("signal_malloc", xs, 2);
}
END_TEST

/* Nested handlers each report their own signal; TLS keeps a handler on
 * another thread apart. */
START_TEST(test_nested_and_thread_handlers)
{
    static const struct expect xs[] = {
        {RLP_E_SIGNAL_UNSAFE, "printf called in a handler for SIGUSR2",
         "@inner", "on_usr2"},
        {RLP_E_SIGNAL_UNSAFE, "printf/puts called in a handler for SIGUSR1",
         "@outer", "on_usr1"},
        {RLP_E_SIGNAL_UNSAFE, "fprintf called in a handler for SIGWINCH",
         "@thread", "on_winch"},
    };
    check_fixture("signal_nested", xs, 3);
}
END_TEST

/* exit() in a handler: recorded, what exit runs is not, and the exit-time
 * descriptor check still runs. */
START_TEST(test_exit_in_handler)
{
    static const struct expect xs[] = {
        {RLP_E_SIGNAL_UNSAFE, "printf/puts called in a handler for SIGTERM",
         "@printf", "on_term"},
        {RLP_E_SIGNAL_UNSAFE, "exit called in a handler for SIGTERM", "@exit",
         "on_term"},
        {RLP_E_FD_LEAK, "fd * (socket) opened here is still open at exit",
         "@socket", NULL},
    };
    check_fixture("signal_exit", xs, 3);
}
END_TEST

START_TEST(test_sigchld_errno_clobber)
{
    static const struct expect xs[] = {
        {RLP_E_ERRNO_CLOBBER,
         "errno changed from 0 (Success) to 10 (ECHILD) in handler for "
         "SIGCHLD",
         "@waitpid", "on_chld"},
    };
    check_fixture("sigchld_errno", xs, 1);
}
END_TEST

/* errno changed by a call the probe does not wrap: blamed on the handler
 * (site and site2 both name it). */
START_TEST(test_errno_clobber_unwrapped_call)
{
    char exe[PATH_MAX];
    struct run r;
    struct place p;
    build("errno_unwrapped", exe, sizeof exe);
    for (int i = 0; i < RUNS; i++) {
        run(exe, NULL, 1, &r);
        ck_assert_str_eq(r.out, "DONE errno 2\n");
        ck_assert_uint_eq(r.shm->nevents, 1);
        const struct rlp_event *e = &r.shm->events[0];
        ck_assert_int_eq(e->kind, RLP_E_ERRNO_CLOBBER);
        ck_assert_str_eq(e->detail, "errno changed from 0 (Success) to 2 "
                                    "(ENOENT) in handler for SIGUSR1");
        resolve(exe, e->site.pc[0], &p);
        ck_assert_str_eq(p.func, "on_usr1");
        resolve(exe, e->site2.pc[0], &p);
        ck_assert_str_eq(p.func, "on_usr1");
        free(r.shm);
    }
}
END_TEST

START_TEST(test_correct_sigchld_handler)
{
    check_fixture("sigchld_correct", NULL, 0);
}
END_TEST

START_TEST(test_handlers_transparent)
{
    char exe[PATH_MAX];
    struct run r;
    check_fixture("signal_transparent", NULL, 0);
    build("signal_transparent", exe, sizeof exe);
    run(exe, NULL, 1, &r);
    ck_assert_str_eq(r.out, "value 42\n"
                            "siginfo handler back: 1, SA_SIGINFO 1, "
                            "SA_RESTART 1\n"
                            "signal() returns it: 1\n"
                            "then SIG_IGN: 1\n"
                            "escaped e\n"
                            "escaped\n"
                            "DONE\n");
    free(r.shm);
}
END_TEST

/* ---- descriptors ---- */

START_TEST(test_fd_leak_socket_and_file)
{
    static const struct expect xs[] = {
        {RLP_E_FD_LEAK, "fd * (socket) opened here is still open at exit",
         "@socket", NULL},
        {RLP_E_FD_LEAK, "fd * (file) opened here is still open at exit",
         "@open", NULL},
    };
    check_fixture("fd_leak", xs, 2);
}
END_TEST

START_TEST(test_fd_leak_kinds)
{
    static const struct expect xs[] = {
        {RLP_E_FD_LEAK, "fd * (accepted connection) opened here *", "@accept",
         NULL},
        {RLP_E_FD_LEAK, "fd * (pipe write end) opened here *", "@pipe", NULL},
        {RLP_E_FD_LEAK, "fd * (file stream) opened here *", "@fopen", NULL},
        {RLP_E_FD_LEAK, "fd * (socket) opened here *", "@dup", NULL},
        {RLP_E_FD_LEAK, "fd * (epoll) opened here *", "@epoll", NULL},
        {RLP_E_FD_LEAK,
         "fd * (socket) and 2 more opened here are still open at exit", "@loop",
         NULL},
    };
    check_fixture("fd_leak_kinds", xs, 6);
}
END_TEST

START_TEST(test_fds_all_closed)
{
    check_fixture("fd_closed", NULL, 0);
}
END_TEST

/* ---- children ---- */

/* One event per fork site, naming one child and counting the others. */
START_TEST(test_zombies_never_waited)
{
    static const struct expect xs[] = {
        {RLP_E_ZOMBIE,
         "child * and 2 more exited but were never reaped (zombies)", "@fork",
         NULL},
    };
    check_fixture("zombie", xs, 1);
}
END_TEST

/* posix_spawn and vfork (run as fork) children are tracked too. */
START_TEST(test_zombies_spawned_and_vforked)
{
    static const struct expect xs[] = {
        {RLP_E_ZOMBIE, "child * exited but was never reaped (zombie)", "@spawn",
         NULL},
        {RLP_E_ZOMBIE, "child * exited but was never reaped (zombie)", "@vfork",
         NULL},
    };
    check_fixture("zombie_spawn", xs, 2);
}
END_TEST

START_TEST(test_children_reaped)
{
    check_fixture("zombie_reaped", NULL, 0);
}
END_TEST

static const struct expect long_zombie = {
    RLP_E_ZOMBIE, "child * exited but was not reaped for over 1 s (zombie)",
    "@forkA", NULL};

/* A found at C's fork, B and C at exit; none twice. */
START_TEST(test_zombie_server_exits)
{
    static const struct expect xs[] = {
        long_zombie,
        {RLP_E_ZOMBIE, "child * exited but was never reaped (zombie)", "@forkB",
         NULL},
        {RLP_E_ZOMBIE, "child * exited but was never reaped (zombie)", "@forkC",
         NULL},
    };
    check_fixture("zombie_server", xs, 3);
}
END_TEST

/* Killed like a server at the end of a test: the exit check never runs,
 * the zombie seen at fork time is there. */
START_TEST(test_zombie_server_killed)
{
    char exe[PATH_MAX];
    struct run r;
    build("zombie_server", exe, sizeof exe);
    for (int i = 0; i < RUNS; i++) {
        run_until_ready(exe, "hang", &r);
        ck_assert(WIFSIGNALED(r.status));
        check_events(exe, "zombie_server", r.shm, &long_zombie, 1);
        free(r.shm);
    }
}
END_TEST

Suite *make_probe_events_suite(void)
{
    Suite *s = suite_create("probe_events");
    TCase *sig = tcase_create("Signals");
    TCase *fds = tcase_create("Descriptors");
    TCase *kids = tcase_create("Children");
    TCase *all[] = {sig, fds, kids};
    for (int i = 0; i < 3; i++) {
        tcase_add_checked_fixture(all[i], setup, teardown);
        tcase_set_timeout(all[i], 120);
        suite_add_tcase(s, all[i]);
    }
    tcase_add_test(sig, test_printf_in_handler);
    tcase_add_test(sig, test_malloc_in_handler);
    tcase_add_test(sig, test_nested_and_thread_handlers);
    tcase_add_test(sig, test_exit_in_handler);
    tcase_add_test(sig, test_sigchld_errno_clobber);
    tcase_add_test(sig, test_errno_clobber_unwrapped_call);
    tcase_add_test(sig, test_correct_sigchld_handler);
    tcase_add_test(sig, test_handlers_transparent);
    tcase_add_test(fds, test_fd_leak_socket_and_file);
    tcase_add_test(fds, test_fd_leak_kinds);
    tcase_add_test(fds, test_fds_all_closed);
    tcase_add_test(kids, test_zombies_never_waited);
    tcase_add_test(kids, test_zombies_spawned_and_vforked);
    tcase_add_test(kids, test_children_reaped);
    tcase_add_test(kids, test_zombie_server_exits);
    tcase_add_test(kids, test_zombie_server_killed);
    return s;
}
