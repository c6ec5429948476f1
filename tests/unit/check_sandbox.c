/* check_sandbox.c: the sandbox runs, limits, stops and cleans up programs. */
#include <arpa/inet.h>
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sched.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "engine/preflight.h"
#include "lib/sandbox.h"

/* Each test's scratch folder, made by the checked fixture. */
static char tmpdir[256];
/* "RL_SANDBOX_TEST=<unique>": put in the environment of everything a test
 * starts, so leftovers can be found in /proc afterwards. */
static char token[128];

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/rl-sandbox-test-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(token, sizeof token, "RL_SANDBOX_TEST=%d-%ld-%ld", (int)getpid(),
             (long)ts.tv_sec, ts.tv_nsec);
}

/* The fallback tcases switch the namespaces (and cgroups) off. */
static void setup_nons(void)
{
    setup();
    ck_assert_int_eq(setenv("RACELAB_SANDBOX", "nons", 1), 0);
}

static void setup_bare(void)
{
    setup();
    ck_assert_int_eq(setenv("RACELAB_SANDBOX", "nons,nocgroup", 1), 0);
}

/* As root, become nobody: the sandbox then uses a user namespace (or
 * nothing) and RLIMIT_NPROC instead of cgroups. */
static void setup_nobody(void)
{
    if (geteuid() == 0) {
        ck_assert_int_eq(setgroups(0, NULL), 0);
        ck_assert_int_eq(setgid(65534), 0);
        ck_assert_int_eq(setuid(65534), 0);
    }
    setup();
}

/* Can this user make a user namespace (as the sandbox will try)? */
static int userns_possible(void)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(unshare(CLONE_NEWUSER) == 0 ? 0 : 1);
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* Root on this machine gets everything, unless a fallback is tested. */
static int full_isolation(void)
{
    return geteuid() == 0 && !getenv("RACELAB_SANDBOX");
}

static void teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove '%s'\n", tmpdir);
}

/* Processes alive anywhere whose environment carries this test's token. */
static int survivors(void)
{
    DIR *d = opendir("/proc");
    ck_assert_ptr_nonnull(d);
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        char path[300], buf[65536];
        snprintf(path, sizeof path, "/proc/%s/environ", e->d_name);
        int fd = open(path, O_RDONLY);
        if (fd < 0)
            continue;
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        for (ssize_t i = 0; i < n; i += (ssize_t)strlen(buf + i) + 1) {
            buf[n] = 0;
            if (strcmp(buf + i, token) == 0)
                count++;
        }
    }
    closedir(d);
    return count;
}

/* cgroups this test process created and left behind. */
static int leftover_cgroups(const char *base)
{
    char prefix[64];
    snprintf(prefix, sizeof prefix, "racelab-%d-", (int)getpid());
    DIR *d = opendir(base);
    if (!d)
        return 0;
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        count += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    closedir(d);
    return count;
}

/* Our memory cgroup folder (cgroup v1), where the sandbox makes its own. */
static void memory_base(char *dir, size_t n)
{
    char line[512];
    FILE *f = fopen("/proc/self/cgroup", "r");
    snprintf(dir, n, "/nonexistent");
    while (f && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        char *path = strstr(line, ":memory:");
        if (path)
            snprintf(dir, n, "/sys/fs/cgroup/memory%s", path + 8);
    }
    if (f)
        fclose(f);
}

static void opts(struct rl_sandbox_opts *o, char **env)
{
    rl_sandbox_opts_default(o);
    env[0] = token;
    env[1] = NULL;
    o->env_extra = env;
    o->timeout = 10;
}

static void run_ok(char *const argv[], const struct rl_sandbox_opts *o,
                   struct rl_sandbox_result *r)
{
    char err[256] = "";
    int rc = rl_sandbox_run(argv, o, r, err, sizeof err);
    ck_assert_msg(rc == 0, "rl_sandbox_run: %s", err);
}

static void run_sh(const char *script, const struct rl_sandbox_opts *o,
                   struct rl_sandbox_result *r)
{
    char *argv[] = {"/bin/sh", "-c", (char *)script, NULL};
    run_ok(argv, o, r);
}

/* Compiles a helper program into the scratch folder; returns its path. */
static const char *build(const char *name, const char *src, const char *cc)
{
    static char exe[400];
    char path[400], cmd[1200];
    snprintf(path, sizeof path, "%s/%s.c", tmpdir, name);
    snprintf(exe, sizeof exe, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(src, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "%s -g -O1 -pthread -o '%s' '%s'", cc, exe, path);
    ck_assert_msg(system(cmd) == 0, "cannot build '%s'", path);
    return exe;
}

START_TEST(test_exit_status)
{
    struct rl_sandbox_opts o;
    struct rl_sandbox_result r;
    char *env[2];
    opts(&o, env);
    run_sh("echo out; echo err >&2; exit 7", &o, &r);
    ck_assert_int_eq(r.exited, 1);
    ck_assert_int_eq(r.exit_status, 7);
    ck_assert_int_eq(r.signal, 0);
    ck_assert_int_eq(r.timed_out, 0);
    ck_assert_str_eq(r.out, "out\n");
    ck_assert_str_eq(r.err, "err\n");
    ck_assert(r.wall_seconds < 5);
    if (full_isolation())
        ck_assert_str_eq(r.isolation,
                         "pid+net namespaces, memory+pids cgroups");
    else if (getenv("RACELAB_SANDBOX"))
        ck_assert_ptr_nonnull(strstr(r.isolation, "no namespaces"));
    else if (geteuid() != 0 && userns_possible())
        ck_assert_str_eq(r.isolation, "user+pid namespaces, no cgroup");
    rl_sandbox_result_free(&r);
}
END_TEST

START_TEST(test_killed_by_signal)
{
    struct rl_sandbox_opts o;
    struct rl_sandbox_result r;
    char *env[2];
    opts(&o, env);
    run_sh("kill -SEGV $$", &o, &r);
    ck_assert_int_eq(r.exited, 0);
    ck_assert_int_eq(r.signal, SIGSEGV);
    ck_assert_int_eq(r.timed_out, 0);
    rl_sandbox_result_free(&r);
}
END_TEST

START_TEST(test_exec_failure)
{
    struct rl_sandbox_opts o;
    char *env[2], err[256] = "";
    opts(&o, env);
    char *argv[] = {"racelab-no-such-program", NULL};
    ck_assert_ptr_null(rl_sandbox_start(argv, &o, err, sizeof err));
    ck_assert_str_eq(err, "cannot run 'racelab-no-such-program': "
                          "No such file or directory");
    o.stdin_path = "/nonexistent/input";
    char *argv2[] = {"true", NULL};
    ck_assert_ptr_null(rl_sandbox_start(argv2, &o, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "cannot open '/nonexistent/input'"));
}
END_TEST

START_TEST(test_timeout)
{
    struct rl_sandbox_opts o;
    struct rl_sandbox_result r;
    char *env[2];
    opts(&o, env);
    o.timeout = 0.5;
    char *argv[] = {"sleep", "100", NULL};
    run_ok(argv, &o, &r);
    ck_assert_int_eq(r.timed_out, 1);
    ck_assert_int_eq(r.exited, 0);
    ck_assert_int_eq(r.signal, SIGTERM); /* the default stop signal */
    ck_assert(r.wall_seconds >= 0.5 && r.wall_seconds < 3);
    ck_assert_int_eq(survivors(), 0);
    rl_sandbox_result_free(&r);
}
END_TEST

START_TEST(test_output_cap)
{
    struct rl_sandbox_opts o;
    struct rl_sandbox_result r;
    char *env[2];
    opts(&o, env);
    o.output_cap = 1000;
    run_sh("head -c 3000000 /dev/zero | tr '\\0' x; echo tail >&2", &o, &r);
    ck_assert_int_eq(r.exited, 1);
    ck_assert_int_eq(r.exit_status, 0);
    ck_assert_int_eq(r.out_len, 1000);
    ck_assert_int_eq(r.out_truncated, 1);
    ck_assert_int_eq(strspn(r.out, "x"), 1000);
    ck_assert_str_eq(r.err, "tail\n");
    ck_assert_int_eq(r.err_truncated, 0);
    rl_sandbox_result_free(&r);
}
END_TEST

/* A program that floods stdout forever must not block the harness. */
START_TEST(test_output_flood_timeout)
{
    struct rl_sandbox_opts o;
    struct rl_sandbox_result r;
    char *env[2];
    opts(&o, env);
    o.output_cap = 4096;
    o.timeout = 0.5;
    char *argv[] = {"yes", NULL};
    run_ok(argv, &o, &r);
    ck_assert_int_eq(r.timed_out, 1);
    ck_assert_int_eq(r.out_len, 4096);
    ck_assert_int_eq(r.out_truncated, 1);
    ck_assert_int_eq(survivors(), 0);
    rl_sandbox_result_free(&r);
}
END_TEST

START_TEST(test_closed_stdout)
{
    struct rl_sandbox_opts o;
    struct rl_sandbox_result r;
    char *env[2];
    opts(&o, env);
    run_sh("exec >&- 2>&-; sleep 0.2; exit 4", &o, &r);
    ck_assert_int_eq(r.exited, 1);
    ck_assert_int_eq(r.exit_status, 4);
    ck_assert_int_eq(r.out_len, 0);
    rl_sandbox_result_free(&r);
}
END_TEST

START_TEST(test_stdin)
{
    struct rl_sandbox_opts o;
    struct rl_sandbox_result r;
    char *env[2];
    opts(&o, env);
    run_sh("cat; readlink /proc/self/fd/0", &o, &r);
    ck_assert_str_eq(r.out, "/dev/null\n");
    rl_sandbox_result_free(&r);

    char path[300];
    snprintf(path, sizeof path, "%s/input", tmpdir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("hello\n", f);
    fclose(f);
    o.stdin_path = path;
    run_sh("cat", &o, &r);
    ck_assert_str_eq(r.out, "hello\n");
    rl_sandbox_result_free(&r);
}
END_TEST

/* Only 0, 1 and 2 are open in the program: no harness fd leaks in (which
 * memcheck --track-fds would blame on the student). */
START_TEST(test_no_inherited_fds)
{
    struct rl_sandbox_opts o;
    struct rl_sandbox_result r;
    char *env[2];
    opts(&o, env);
    int leak = open("/dev/null", O_RDONLY); /* not close-on-exec */
    ck_assert_int_ge(leak, 3);
    run_sh("ls /proc/$$/fd", &o, &r);
    ck_assert_str_eq(r.out, "0\n1\n2\n");
    close(leak);
    rl_sandbox_result_free(&r);
}
END_TEST

/* Nor does the sandbox's own machinery keep the harness's fds: a pipe
 * the harness closes must reach EOF while a sandbox runs (else parallel
 * runs would hold each other's pipes open). */
START_TEST(test_harness_fds_not_held)
{
    struct rl_sandbox_opts o;
    struct rl_sandbox_result r;
    char *env[2], err[256];
    int p[2];
    ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
    opts(&o, env);
    char *argv[] = {"sleep", "3", NULL};
    struct rl_sandbox *sb = rl_sandbox_start(argv, &o, err, sizeof err);
    ck_assert_msg(sb != NULL, "%s", err);
    close(p[1]);
    struct pollfd pf = {p[0], POLLIN, 0};
    ck_assert_int_eq(poll(&pf, 1, 1000), 1);
    char c;
    ck_assert_int_eq(read(p[0], &c, 1), 0);
    rl_sandbox_stop(sb);
    ck_assert_int_eq(rl_sandbox_wait(sb, &r), 0);
    close(p[0]);
    rl_sandbox_result_free(&r);
}
END_TEST

START_TEST(test_env_and_cwd)
{
    struct rl_sandbox_opts o;
    struct rl_sandbox_result r;
    char *env[2];
    opts(&o, env);
    char *extra[] = {"RL_EXTRA=one", "HOME=/rl-home", token, NULL};
    o.env_extra = extra;
    o.cwd = tmpdir;
    ck_assert_int_eq(setenv("RL_INHERITED", "yes", 1), 0);
    run_sh("echo \"$RL_EXTRA $HOME $RL_INHERITED\"; pwd; "
           "env | grep -c '^HOME='",
           &o, &r);
    char want[400];
    snprintf(want, sizeof want, "one /rl-home yes\n%s\n1\n", tmpdir);
    ck_assert_str_eq(r.out, want);
    rl_sandbox_result_free(&r);
}
END_TEST

struct watch_state {
    int calls, finals, stop_after;
    pid_t program;
    char comm[64];
};

static int watch(void *arg, const struct rl_watch_info *info)
{
    struct watch_state *w = arg;
    w->calls++;
    w->finals += info->final;
    if (info->program_pid > 0 && !w->program) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/comm", (int)info->program_pid);
        FILE *f = fopen(path, "r");
        if (f) {
            if (fgets(w->comm, sizeof w->comm, f))
                w->program = info->program_pid;
            fclose(f);
        }
    }
    return w->stop_after && w->calls >= w->stop_after;
}

START_TEST(test_watch_stop)
{
    struct rl_sandbox_opts o;
    struct rl_sandbox_result r;
    struct watch_state w = {0, 0, 5, 0, ""};
    char *env[2];
    opts(&o, env);
    o.watch = watch;
    o.watch_arg = &w;
    o.watch_interval = 0.02;
    char *argv[] = {"sleep", "100", NULL};
    run_ok(argv, &o, &r);
    ck_assert_int_eq(w.calls, 5);
    ck_assert_int_eq(w.finals, 0);
    ck_assert_int_eq(r.stopped_by_watch, 1);
    ck_assert_int_eq(r.timed_out, 0);
    ck_assert_int_eq(r.signal, SIGTERM);
    ck_assert(r.wall_seconds < 2);
    ck_assert_int_gt(w.program, 0);
    ck_assert_str_eq(w.comm, "sleep\n");
    ck_assert_int_eq(survivors(), 0);
    rl_sandbox_result_free(&r);
}
END_TEST

START_TEST(test_watch_final)
{
    struct rl_sandbox_opts o;
    struct rl_sandbox_result r;
    struct watch_state w = {0, 0, 0, 0, ""};
    char *env[2];
    opts(&o, env);
    o.watch = watch;
    o.watch_arg = &w;
    o.watch_interval = 0.1;
    o.timeout = 0.5;
    o.stop_signal = 0; /* straight SIGKILL */
    char *argv[] = {"sleep", "100", NULL};
    run_ok(argv, &o, &r);
    ck_assert_int_eq(w.finals, 1);
    ck_assert_int_ge(w.calls, 3);
    ck_assert_int_eq(r.timed_out, 1);
    ck_assert_int_eq(r.stopped_by_watch, 0);
    ck_assert_int_eq(r.signal, SIGKILL);
    rl_sandbox_result_free(&r);
}
END_TEST

START_TEST(test_stop_api)
{
    struct rl_sandbox_opts o;
    struct rl_sandbox_result r;
    char *env[2], err[256];
    opts(&o, env);
    char *argv[] = {"sleep", "100", NULL};
    struct rl_sandbox *sb = rl_sandbox_start(argv, &o, err, sizeof err);
    ck_assert_msg(sb != NULL, "%s", err);
    ck_assert_int_gt(rl_sandbox_program_pid(sb), 0);
    ck_assert_int_eq(survivors(), 1); /* the scan does see it */
    rl_sandbox_stop(sb);
    ck_assert_int_eq(rl_sandbox_wait(sb, &r), 0);
    ck_assert_int_eq(r.signal, SIGTERM);
    ck_assert_int_eq(r.timed_out, 0);
    ck_assert(r.wall_seconds < 2);
    ck_assert_int_eq(survivors(), 0);
    rl_sandbox_result_free(&r);
}
END_TEST

static void *stop_later(void *arg)
{
    usleep(200000);
    rl_sandbox_stop(arg);
    return NULL;
}

/* rl_sandbox_stop from another thread wakes rl_sandbox_wait. */
START_TEST(test_stop_from_thread)
{
    struct rl_sandbox_opts o;
    struct rl_sandbox_result r;
    char *env[2], err[256];
    opts(&o, env);
    char *argv[] = {"sleep", "100", NULL};
    struct rl_sandbox *sb = rl_sandbox_start(argv, &o, err, sizeof err);
    ck_assert_msg(sb != NULL, "%s", err);
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, stop_later, sb), 0);
    ck_assert_int_eq(rl_sandbox_wait(sb, &r), 0);
    pthread_join(t, NULL);
    ck_assert_int_eq(r.signal, SIGTERM);
    ck_assert(r.wall_seconds >= 0.2 && r.wall_seconds < 2);
    ck_assert_int_eq(survivors(), 0);
    rl_sandbox_result_free(&r);
}
END_TEST

/* program_pid is the running program, and 0 once it has ended (callers
 * poll it to see whether a server is still there). */
START_TEST(test_program_pid)
{
    struct rl_sandbox_opts o;
    struct rl_sandbox_result r;
    char *env[2], err[256];
    opts(&o, env);
    char *argv[] = {"/bin/sh", "-c", "read x; sleep 0.3", NULL};
    struct rl_sandbox *sb = rl_sandbox_start(argv, &o, err, sizeof err);
    ck_assert_msg(sb != NULL, "%s", err);
    pid_t pid = rl_sandbox_program_pid(sb);
    ck_assert_int_gt(pid, 0);
    char path[64], comm[32] = "";
    snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(fgets(comm, sizeof comm, f));
    fclose(f);
    ck_assert_str_eq(comm, "sh\n");
    ck_assert_int_eq(rl_sandbox_program_pid(sb), pid);
    int gone = 0;
    for (int i = 0; i < 300 && !gone; i++) {
        usleep(10000);
        gone = rl_sandbox_program_pid(sb) == 0;
    }
    ck_assert_int_eq(gone, 1);
    ck_assert_int_eq(rl_sandbox_wait(sb, &r), 0);
    ck_assert_int_eq(r.exited, 1);
    rl_sandbox_result_free(&r);
}
END_TEST

START_TEST(test_ignores_sigterm)
{
    struct rl_sandbox_opts o;
    struct rl_sandbox_result r;
    char *env[2];
    opts(&o, env);
    o.timeout = 0.5;
    o.stop_grace = 0.3;
    run_sh("trap '' TERM; sleep 100 & sleep 100", &o, &r);
    ck_assert_int_eq(r.timed_out, 1);
    ck_assert_int_eq(r.signal, SIGKILL);
    ck_assert(r.wall_seconds >= 0.8 && r.wall_seconds < 4);
    ck_assert_int_eq(survivors(), 0);
    rl_sandbox_result_free(&r);
}
END_TEST

/* A program that stops itself (and a child) cannot stall the end. */
START_TEST(test_stopped_program)
{
    struct rl_sandbox_opts o;
    struct rl_sandbox_result r;
    char *env[2];
    opts(&o, env);
    o.timeout = 0.5;
    o.stop_grace = 0.2;
    run_sh("sh -c 'kill -STOP $$' & kill -STOP $$", &o, &r);
    ck_assert_int_eq(r.timed_out, 1);
    ck_assert_int_eq(r.signal, SIGKILL);
    ck_assert(r.wall_seconds < 3);
    ck_assert_int_eq(survivors(), 0);
    rl_sandbox_result_free(&r);
}
END_TEST

/* The main process exits at once, leaving a setsid'd, double-forked daemon
 * in a session of its own: it must die with the run. */
START_TEST(test_daemon_killed)
{
    struct rl_sandbox_opts o;
    struct rl_sandbox_result r;
    char *env[2], err[256];
    opts(&o, env);
    char *argv[] = {"/bin/sh", "-c",
                    "(setsid sh -c 'sleep 100 & sleep 100' &); sleep 1", NULL};
    struct rl_sandbox *sb = rl_sandbox_start(argv, &o, err, sizeof err);
    ck_assert_msg(sb != NULL, "%s", err);
    /* main sh, sleep 1, the daemon sh and its two sleeps: seen alive */
    int alive = 0;
    for (int i = 0; i < 90 && alive < 5; i++) {
        usleep(10000);
        alive = survivors();
    }
    ck_assert_int_ge(alive, 5);
    ck_assert_int_eq(rl_sandbox_wait(sb, &r), 0);
    ck_assert_int_eq(r.exited, 1);
    ck_assert_int_eq(r.exit_status, 0);
    ck_assert_int_eq(survivors(), 0);
    rl_sandbox_result_free(&r);
}
END_TEST

static const char fork_bomb[] = "#include <unistd.h>\n"
                                "int main(void) { for (;;) fork(); }\n";

START_TEST(test_fork_bomb)
{
    struct rl_sandbox_opts o;
    struct rl_sandbox_result r;
    char *env[2];
    const char *exe = build("bomb", fork_bomb, "gcc");
    opts(&o, env);
    o.timeout = 1;
    o.max_procs = 64;
    char *argv[] = {(char *)exe, NULL};
    run_ok(argv, &o, &r);
    ck_assert_int_eq(r.timed_out, 1);
    ck_assert_int_eq(survivors(), 0);
    char mem[512];
    memory_base(mem, sizeof mem);
    if (full_isolation())
        ck_assert_int_eq(access(mem, F_OK), 0);
    ck_assert_int_eq(leftover_cgroups("/sys/fs/cgroup/pids"), 0);
    ck_assert_int_eq(leftover_cgroups(mem), 0);
    rl_sandbox_result_free(&r);
}
END_TEST

START_TEST(test_cpu_limit)
{
    struct rl_sandbox_opts o;
    struct rl_sandbox_result r;
    char *env[2];
    opts(&o, env);
    o.cpu_seconds = 1;
    run_sh("exec sh -c 'while :; do :; done'", &o, &r);
    ck_assert_int_eq(r.timed_out, 0);
    ck_assert_int_eq(r.signal, SIGXCPU);
    rl_sandbox_result_free(&r);
}
END_TEST

START_TEST(test_file_limit)
{
    struct rl_sandbox_opts o;
    struct rl_sandbox_result r;
    char *env[2], path[300];
    opts(&o, env);
    o.file_bytes = 4096;
    o.cwd = tmpdir;
    run_sh("exec head -c 100000 /dev/zero > big", &o, &r);
    ck_assert_int_eq(r.signal, SIGXFSZ);
    struct stat st;
    snprintf(path, sizeof path, "%s/big", tmpdir);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_size, 4096);
    rl_sandbox_result_free(&r);
}
END_TEST

static const char memory_hog[] = "#include <stdlib.h>\n"
                                 "#include <string.h>\n"
                                 "int main(void)\n"
                                 "{\n"
                                 "    for (int i = 0; i < 64; i++) {\n"
                                 "        char *p = malloc(16 << 20);\n"
                                 "        if (!p) return 3;\n"
                                 "        memset(p, 1, 16 << 20);\n"
                                 "    }\n"
                                 "    return 0;\n"
                                 "}\n";

START_TEST(test_memory_limit)
{
    struct rl_sandbox_opts o;
    struct rl_sandbox_result r;
    char *env[2];
    const char *exe = build("hog", memory_hog, "gcc");
    opts(&o, env);
    o.memory_bytes = 64UL << 20;
    char *argv[] = {(char *)exe, NULL};
    run_ok(argv, &o, &r);
    ck_assert_msg(strstr(r.isolation, "memory"), "%s", r.isolation);
    ck_assert_int_eq(r.signal, SIGKILL); /* the cgroup's OOM killer */
    ck_assert_int_eq(r.timed_out, 0);
    rl_sandbox_result_free(&r);
    o.memory_bytes = 0; /* and without a limit it completes */
    run_ok(argv, &o, &r);
    ck_assert_int_eq(r.exited, 1);
    ck_assert_int_eq(r.exit_status, 0);
    rl_sandbox_result_free(&r);
}
END_TEST

/* Listens on 127.0.0.1:PORT, answers one client, and exits. */
static const char echo_server[] =
    "#include <arpa/inet.h>\n"
    "#include <stdio.h>\n"
    "#include <stdlib.h>\n"
    "#include <unistd.h>\n"
    "int main(int argc, char **argv)\n"
    "{\n"
    "    int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;\n"
    "    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);\n"
    "    struct sockaddr_in a = {0};\n"
    "    a.sin_family = AF_INET;\n"
    "    a.sin_port = htons(atoi(argv[1]));\n"
    "    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);\n"
    "    if (bind(s, (struct sockaddr *)&a, sizeof a) || listen(s, 4))\n"
    "        return 2;\n"
    "    int c = accept(s, 0, 0);\n"
    "    char buf[16] = {0};\n"
    "    if (read(c, buf, 4) != 4) return 3;\n"
    "    printf(\"got %s\\n\", buf);\n"
    "    return write(c, \"pong\", 4) == 4 ? 0 : 4;\n"
    "}\n";

static int connect_port(int s, int port)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return connect(s, (struct sockaddr *)&a, sizeof a);
}

/* A port free here now (only matters without a network namespace). */
static int free_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(getsockname(s, (struct sockaddr *)&a, &len), 0);
    close(s);
    return ntohs(a.sin_port);
}

START_TEST(test_socket_in_namespace)
{
    struct rl_sandbox_opts o;
    struct rl_sandbox_result r;
    char *env[2], err[256], port_arg[16];
    const char *exe = build("server", echo_server, "gcc");
    int port = free_port();
    snprintf(port_arg, sizeof port_arg, "%d", port);
    opts(&o, env);
    char *argv[] = {(char *)exe, port_arg, NULL};
    struct rl_sandbox *sb = rl_sandbox_start(argv, &o, err, sizeof err);
    ck_assert_msg(sb != NULL, "%s", err);
    int s = -1;
    for (int i = 0; i < 200 && s < 0; i++) {
        s = rl_sandbox_socket(sb, AF_INET, SOCK_STREAM);
        ck_assert_int_ge(s, 0);
        if (connect_port(s, port) < 0) {
            close(s);
            s = -1;
            usleep(10000);
        }
    }
    ck_assert_int_ge(s, 0);
    /* The server lives in the sandbox's network, not in ours. */
    if (full_isolation()) {
        int outside = socket(AF_INET, SOCK_STREAM, 0);
        ck_assert_int_lt(connect_port(outside, port), 0);
        ck_assert_int_eq(errno, ECONNREFUSED);
        close(outside);
    }
    ck_assert_int_eq(write(s, "ping", 4), 4);
    char buf[8] = {0};
    ck_assert_int_eq(read(s, buf, 4), 4);
    ck_assert_str_eq(buf, "pong");
    close(s);
    ck_assert_int_eq(rl_sandbox_wait(sb, &r), 0);
    ck_assert_int_eq(r.exited, 1);
    ck_assert_int_eq(r.exit_status, 0);
    ck_assert_str_eq(r.out, "got ping\n");
    rl_sandbox_result_free(&r);
}
END_TEST

START_TEST(test_valgrind_inside)
{
    struct rl_sandbox_opts o;
    struct rl_sandbox_result r;
    char *env[2];
    opts(&o, env);
    o.timeout = 60;
    /* --vgdb=no: every sandboxed valgrind is pid 2 or so, and vgdb's
     * /tmp/vgdb-pipe-*-vgdb-PID-* files of parallel runs would collide */
    char *argv[] = {"valgrind", "--tool=memcheck", "--vgdb=no", "true", NULL};
    run_ok(argv, &o, &r);
    ck_assert_msg(r.exited == 1 && r.exit_status == 0, "%d %d %d: %s", r.exited,
                  r.exit_status, r.signal, r.err);
    ck_assert_ptr_nonnull(strstr(r.err, "Memcheck, a memory error detector"));
    ck_assert_ptr_nonnull(strstr(r.err, "ERROR SUMMARY: 0 errors"));
    rl_sandbox_result_free(&r);
}
END_TEST

/* The sleep orders the two writes (TSan can miss truly simultaneous
 * ones, about 1 run in 100 here) without synchronizing them. */
static const char racy[] =
    "#include <pthread.h>\n"
    "#include <stdio.h>\n"
    "#include <unistd.h>\n"
    "static int shared;\n"
    "static void *bump(void *arg) { shared++; return arg; }\n"
    "int main(void)\n"
    "{\n"
    "    pthread_t t;\n"
    "    pthread_create(&t, 0, bump, 0);\n"
    "    usleep(100000);\n"
    "    shared++;\n"
    "    pthread_join(t, 0);\n"
    "    puts(\"DONE\");\n"
    "    return 0;\n"
    "}\n";

START_TEST(test_tsan_inside)
{
    struct rl_sandbox_opts o;
    struct rl_sandbox_result r;
    char *env[2];
    struct utsname u;
    const char *exe = build("racy", racy, "clang -fsanitize=thread");
    opts(&o, env);
    o.timeout = 60;
    o.address_limit_ok = 0;
    ck_assert_int_eq(uname(&u), 0);
    char *argv[] = {"setarch", u.machine, "-R", (char *)exe, NULL};
    run_ok(argv, &o, &r);
    ck_assert_int_eq(r.exited, 1);
    ck_assert_int_eq(r.exit_status, 66);
    ck_assert_str_eq(r.out, "DONE\n");
    ck_assert_ptr_nonnull(strstr(r.err, "WARNING: ThreadSanitizer: data race"));
    ck_assert_ptr_nonnull(strstr(r.err, "racy.c:"));
    rl_sandbox_result_free(&r);
}
END_TEST

START_TEST(test_preflight)
{
    struct rl_preflight p;
    char cache[300];
    snprintf(cache, sizeof cache, "%s/cache", tmpdir);
    ck_assert_int_eq(setenv("XDG_CACHE_HOME", cache, 1), 0);
    ck_assert_int_eq(rl_preflight_run(&p), 0);
    ck_assert_msg(p.tsan_ok && p.valgrind_ok, "%s", p.message);
    ck_assert_int_eq(p.from_cache, 0);
    ck_assert_str_eq(p.message, "");
    if (full_isolation())
        ck_assert(p.namespaces_ok && p.cgroup_ok);
    /* The second call reads the verdict back. */
    struct rl_preflight again;
    ck_assert_int_eq(rl_preflight_run(&again), 0);
    ck_assert_int_eq(again.from_cache, 1);
    ck_assert_str_eq(again.isolation, p.isolation);
    /* A missing tool is said plainly, with the fix; nothing is cached. */
    const char *path = getenv("PATH");
    char saved[4096];
    snprintf(saved, sizeof saved, "%s", path ? path : "");
    setenv("PATH", tmpdir, 1);
    ck_assert_int_eq(rl_preflight_run_cached(&p, 0), -1);
    setenv("PATH", saved, 1);
    ck_assert_int_eq(p.tsan_ok, 0);
    ck_assert_int_eq(p.valgrind_ok, 0);
    ck_assert_ptr_nonnull(strstr(p.message, "apt-get install clang"));
    ck_assert_ptr_nonnull(strstr(p.message, "apt-get install valgrind"));
}
END_TEST

static void fake_tool(const char *dir, const char *name, const char *body)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "#!/bin/sh\n%s\n", body);
    fclose(f);
    ck_assert_int_eq(chmod(path, 0755), 0);
}

/* Broken tools (stand-ins printing the real tools' startup failures) are
 * explained with the exact fix. */
START_TEST(test_preflight_diagnoses)
{
    char bin[300], path[700];
    snprintf(bin, sizeof bin, "%s/bin", tmpdir);
    ck_assert_int_eq(mkdir(bin, 0755), 0);
    /* clang -fsanitize=thread -g -O1 -pthread -o PROG SRC: $7 is PROG */
    fake_tool(bin, "clang", "cp /bin/true \"$7\"");
    fake_tool(bin, "setarch",
              "echo 'FATAL: ThreadSanitizer: unexpected memory mapping "
              "0x7b0000000000-0x7b1000000000' >&2; exit 66");
    fake_tool(bin, "valgrind",
              "echo 'valgrind:  Fatal error at startup: a function "
              "redirection' >&2; exit 1");
    snprintf(path, sizeof path, "%s:/usr/bin:/bin", bin);
    ck_assert_int_eq(setenv("PATH", path, 1), 0);
    struct rl_preflight p;
    ck_assert_int_eq(rl_preflight_run_cached(&p, 0), -1);
    ck_assert_int_eq(p.tsan_ok, 0);
    ck_assert_int_eq(p.valgrind_ok, 0);
    ck_assert_msg(strstr(p.message, "sysctl -w vm.mmap_rnd_bits=28"), "%s",
                  p.message);
    ck_assert_msg(strstr(p.message, "apt-get install libc6-dbg"), "%s",
                  p.message);
    /* A TSan that runs but reports nothing is not trusted either. */
    fake_tool(bin, "setarch", "exit 0");
    ck_assert_int_eq(rl_preflight_run_cached(&p, 0), -1);
    ck_assert_int_eq(p.tsan_ok, 0);
    ck_assert_msg(strstr(p.message, "did not report the race"), "%s",
                  p.message);
}
END_TEST

/* An unwritable cache costs time, never the verdict. */
START_TEST(test_preflight_unwritable_cache)
{
    struct rl_preflight p;
    ck_assert_int_eq(setenv("XDG_CACHE_HOME", "/proc/racelab-nope", 1), 0);
    ck_assert_int_eq(rl_preflight_run(&p), 0);
    ck_assert_int_eq(p.from_cache, 0);
    ck_assert(p.tsan_ok && p.valgrind_ok);
}
END_TEST

static TCase *tcase_with(const char *name, int timeout, void (*fix)(void))
{
    TCase *tc = tcase_create(name);
    tcase_add_checked_fixture(tc, fix, teardown);
    tcase_set_timeout(tc, timeout);
    return tc;
}

static TCase *tcase(const char *name, int timeout)
{
    return tcase_with(name, timeout, setup);
}

Suite *make_sandbox_suite(void)
{
    Suite *s = suite_create("sandbox");
    TCase *core = tcase("Core", 30);
    tcase_add_test(core, test_exit_status);
    tcase_add_test(core, test_killed_by_signal);
    tcase_add_test(core, test_exec_failure);
    tcase_add_test(core, test_output_cap);
    tcase_add_test(core, test_closed_stdout);
    tcase_add_test(core, test_stdin);
    tcase_add_test(core, test_no_inherited_fds);
    tcase_add_test(core, test_harness_fds_not_held);
    tcase_add_test(core, test_env_and_cwd);
    tcase_add_test(core, test_socket_in_namespace);
    suite_add_tcase(s, core);
    TCase *stop = tcase("Stop", 30);
    tcase_add_test(stop, test_timeout);
    tcase_add_test(stop, test_output_flood_timeout);
    tcase_add_test(stop, test_watch_stop);
    tcase_add_test(stop, test_watch_final);
    tcase_add_test(stop, test_stop_api);
    tcase_add_test(stop, test_stop_from_thread);
    tcase_add_test(stop, test_program_pid);
    tcase_add_test(stop, test_ignores_sigterm);
    tcase_add_test(stop, test_stopped_program);
    tcase_add_test(stop, test_daemon_killed);
    suite_add_tcase(s, stop);
    TCase *limits = tcase("Limits", 30);
    tcase_add_test(limits, test_fork_bomb);
    tcase_add_test(limits, test_cpu_limit);
    tcase_add_test(limits, test_file_limit);
    tcase_add_test(limits, test_memory_limit);
    suite_add_tcase(s, limits);
    TCase *tools = tcase("Tools", 120);
    tcase_add_test(tools, test_valgrind_inside);
    tcase_add_test(tools, test_tsan_inside);
    tcase_add_test(tools, test_preflight);
    tcase_add_test(tools, test_preflight_unwritable_cache);
    tcase_add_test(tools, test_preflight_diagnoses);
    suite_add_tcase(s, tools);
    /* No namespaces: process group, subreaper and pids cgroup. */
    TCase *nons = tcase_with("FallbackNoNamespaces", 30, setup_nons);
    tcase_add_test(nons, test_exit_status);
    tcase_add_test(nons, test_timeout);
    tcase_add_test(nons, test_watch_stop);
    tcase_add_test(nons, test_stop_api);
    tcase_add_test(nons, test_program_pid);
    tcase_add_test(nons, test_ignores_sigterm);
    tcase_add_test(nons, test_stopped_program);
    tcase_add_test(nons, test_daemon_killed);
    tcase_add_test(nons, test_fork_bomb);
    tcase_add_test(nons, test_socket_in_namespace);
    suite_add_tcase(s, nons);
    /* Nothing but the process group and the subreaper (no fork bomb here:
     * root ignores RLIMIT_NPROC, so nothing would contain it). */
    TCase *bare = tcase_with("FallbackBare", 30, setup_bare);
    tcase_add_test(bare, test_exit_status);
    tcase_add_test(bare, test_timeout);
    tcase_add_test(bare, test_stop_api);
    tcase_add_test(bare, test_ignores_sigterm);
    tcase_add_test(bare, test_stopped_program);
    tcase_add_test(bare, test_daemon_killed);
    suite_add_tcase(s, bare);
    /* Not root: user namespace, RLIMIT_NPROC, no cgroups. */
    TCase *user = tcase_with("NonRoot", 120, setup_nobody);
    tcase_add_test(user, test_exit_status);
    tcase_add_test(user, test_stdin);
    tcase_add_test(user, test_env_and_cwd);
    tcase_add_test(user, test_timeout);
    tcase_add_test(user, test_program_pid);
    tcase_add_test(user, test_ignores_sigterm);
    tcase_add_test(user, test_daemon_killed);
    tcase_add_test(user, test_fork_bomb);
    tcase_add_test(user, test_cpu_limit);
    tcase_add_test(user, test_file_limit);
    tcase_add_test(user, test_socket_in_namespace);
    tcase_add_test(user, test_valgrind_inside);
    tcase_add_test(user, test_tsan_inside);
    suite_add_tcase(s, user);
    return s;
}
