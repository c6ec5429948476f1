/* sandbox.c: runs a user program in its own namespaces, cgroups and limits. */
#include "lib/sandbox.h"

#include "lib/clock.h"
#include "lib/procfs.h"
#include "lib/run_disk.h"
#include "lib/run_uid.h"
#include "lib/sandbox_view.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * Process layout of one run:
 *
 *   harness --fork--> outer --unshare(pid,net), fork--> init --> program
 *
 * outer: session leader; creates the namespaces, then waits until the
 *        harness closes the release pipe before it reaps init: until then
 *        init's pid (and process group id) cannot be reused, so the
 *        harness may signal them safely.  Dies with the harness
 *        (PDEATHSIG) and only by SIGKILL.
 * init:  pid 1 of the new pid namespace (or a subreaper without one),
 *        leader of the program's process group, member of the run's
 *        cgroups; reaps everything, forwards the harness's stop signal to
 *        the program, and reports the program's wait status on the status
 *        pipe.  When it exits the kernel kills the whole namespace.
 *        A confined run's init first builds its filesystem view and
 *        pivot_roots into it (lib/sandbox_view.c): the program and
 *        everything it starts see only that.
 * program: the user's argv, with rlimits, stdio redirected, fds closed;
 *        a confined run (opts.confine) started by root then drops to a uid
 *        of its own (lib/run_uid.c: no groups, no capabilities,
 *        no_new_privs) before exec, after everything that needs root
 *        (cgroups, namespaces, limits); it refuses to run if that fails.
 *        outer and init stay root: the program cannot signal them.
 *
 * The harness thread that starts a sandbox must live until its
 * rl_sandbox_wait returns (PDEATHSIG follows the starting thread).
 */

extern char **environ;

/* Sent up the setup pipe while the sandbox starts (each write atomic). */
enum setup_kind {
    SETUP_NAMESPACES = 1, /* value: NS_PID | NS_NET bits */
    SETUP_CGROUPS,        /* value: cgroups actually joined (CG_* bits) */
    SETUP_INIT_PID,       /* value: init's pid, outer view */
    SETUP_PROGRAM_PID,    /* value: program's pid as init sees it */
    SETUP_FAIL,           /* err: errno, what: the step that failed */
    SETUP_VIEW,           /* value: 1 in its view; 0: err, what say why */
};

struct setup_msg {
    int kind;
    int value;
    int err;
    char what[40];
};

enum { NS_PID = 1, NS_NET = 2, NS_MNT = 4, NS_USER = 8 };
enum { CG_MEM = 1, CG_PIDS = 2 };

/* A cgroup we created for this run alone; dir[0] == 0 when none. */
struct cgroup {
    char dir[PATH_MAX - 64];
    int procs_fd; /* its cgroup.procs, written by outer to join */
    int v2;
};

/* Growing capture of one output pipe, keeping the first cap bytes. */
struct capture {
    int fd;
    char *buf;
    size_t len, alloc, cap;
    int truncated;
};

struct rl_sandbox {
    struct rl_sandbox_opts o;
    pid_t outer, init, program_inner;
    atomic_int program_outer;  /* cached lookup, 0 until found */
    atomic_int released;       /* init's pid may be reused once set */
    atomic_int stop_requested; /* rl_sandbox_stop was called */
    atomic_int stop_sent;      /* the stop signal has been sent */
    int ns;                    /* NS_* bits in effect */
    int cgroups;               /* CG_* bits in effect */
    int no_namespaces;         /* testing the fallback: do not unshare */
    unsigned long user_tasks;  /* tasks of our uid when we started */
    struct capture out, err;
    int status_fd;           /* init writes the program's wait status */
    int status, have_status; /* what came on it */
    int init_gone;           /* status pipe at its end: init has exited */
    int release_wr;          /* closing it lets outer reap init and exit */
    int wake_rd, wake_wr;    /* wakes rl_sandbox_wait for a stop */
    struct cgroup mem, pids;
    double t0; /* rl_now() at the start */
    char isolation[RL_ISOLATION_MAX];
    int run_uid;           /* the program's own uid, or -1 */
    int uid_lock;          /* holds run_uid until the run is over */
    const char *uid_why;   /* confined but not run_uid: why, or NULL */
    char tmpdir[PATH_MAX]; /* confined: its TMPDIR, else "" */
    char *const *argv;     /* while starting: what it will run */
    /* Confined: its filesystem view (want_view: to be built; in_view: it
     * was; else view_why says why not) and its work folder's tmpfs. */
    struct rl_view view;
    int want_view, in_view;
    const char *view_why;
    char view_fail[96];
    int disk_limited;
    const char *disk_why;
    /* Between start and wait (a driver playing a server, the other
     * builds being waited for), a thread of its own reads the output, so
     * that a program that prints a lot never blocks on a full pipe. */
    pthread_t drainer;
    int draining;
    int drain_stop_rd, drain_stop_wr;
};

static void start_draining(struct rl_sandbox *sb);

/* Signals init passes on to the program when the harness sends them. */
static int forwardable(int sig)
{
    switch (sig) {
    case SIGKILL:
    case SIGSTOP:
    case SIGCHLD:
    case SIGSEGV:
    case SIGBUS:
    case SIGILL:
    case SIGFPE:
    case SIGTRAP:
    case SIGSYS:
    case SIGPIPE:
        return 0;
    }
    return 1;
}

/* Fallback mode only: asks init to kill every descendant and exit. */
#define KILLALL_SIGNAL (SIGRTMAX - 1)

static int write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int write_file(const char *dir, const char *name, const char *text)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = write_all(fd, text, strlen(text));
    close(fd);
    return rc;
}

static void send_msg(int fd, int kind, int value, int err, const char *what)
{
    struct setup_msg m = {kind, value, err, {0}};
    if (what)
        snprintf(m.what, sizeof m.what, "%s", what);
    write_all(fd, &m, sizeof m);
}

/* ---- cgroups ---------------------------------------------------------- */

/* Finds our own cgroup folder for a controller (v1 first, then v2). */
static int cg_base(const char *controller, char *dir, size_t n, int *v2)
{
    FILE *f = fopen("/proc/self/cgroup", "re");
    if (!f)
        return -1;
    char line[PATH_MAX + 64], v2path[PATH_MAX] = "";
    int found = -1;
    while (found < 0 && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        char *ctrls = strchr(line, ':');
        char *path = ctrls ? strchr(ctrls + 1, ':') : NULL;
        if (!path)
            continue;
        *path++ = 0;
        ctrls++;
        if (*ctrls == 0) {
            snprintf(v2path, sizeof v2path, "%s", path);
            continue;
        }
        char list[256];
        snprintf(list, sizeof list, ",%s,", ctrls);
        char want[64];
        snprintf(want, sizeof want, ",%s,", controller);
        if (strstr(list, want)) {
            snprintf(dir, n, "/sys/fs/cgroup/%s%s", ctrls, path);
            *v2 = 0;
            found = 0;
        }
    }
    fclose(f);
    if (found == 0 || v2path[0] == 0)
        return found;
    /* Pure cgroup v2: the controller must be offered to our children. */
    char path[PATH_MAX + 32], text[512];
    snprintf(dir, n, "/sys/fs/cgroup%s", strcmp(v2path, "/") ? v2path : "");
    snprintf(path, sizeof path, "%s/cgroup.subtree_control", dir);
    if (rl_proc_read(path, text, sizeof text) < 0 || !strstr(text, controller))
        return -1;
    *v2 = 1;
    return 0;
}

/* Removes empty cgroups left by racelab processes that died (crashed)
 * before removing their own. */
static void cg_sweep(const char *base)
{
    DIR *d = opendir(base);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        int pid;
        unsigned n;
        if (sscanf(e->d_name, "racelab-%d-%u", &pid, &n) != 2 || pid <= 0 ||
            kill(pid, 0) == 0 || errno != ESRCH)
            continue;
        char dir[PATH_MAX + 300];
        snprintf(dir, sizeof dir, "%s/%s", base, e->d_name);
        rmdir(dir);
    }
    if (d)
        closedir(d);
}

/* Creates a child cgroup with one limit; silently none if not allowed. */
static void cg_create(struct cgroup *cg, const char *controller,
                      const char *limit_v1, const char *limit_v2,
                      unsigned long long value)
{
    static atomic_uint counter;
    char base[PATH_MAX - 128], text[32];
    cg->dir[0] = 0;
    cg->procs_fd = -1;
    if (cg_base(controller, base, sizeof base, &cg->v2) < 0)
        return;
    cg_sweep(base);
    snprintf(cg->dir, sizeof cg->dir, "%s/racelab-%d-%u", base, (int)getpid(),
             atomic_fetch_add(&counter, 1));
    if (mkdir(cg->dir, 0755) < 0) {
        cg->dir[0] = 0;
        return;
    }
    snprintf(text, sizeof text, "%llu", value);
    char procs[PATH_MAX];
    snprintf(procs, sizeof procs, "%s/cgroup.procs", cg->dir);
    if (write_file(cg->dir, cg->v2 ? limit_v2 : limit_v1, text) < 0 ||
        (cg->procs_fd = open(procs, O_WRONLY | O_CLOEXEC)) < 0) {
        rmdir(cg->dir);
        cg->dir[0] = 0;
        return;
    }
    /* Swap must not lift the memory limit (best effort: may not exist). */
    if (strcmp(controller, "memory") == 0) {
        if (cg->v2)
            write_file(cg->dir, "memory.swap.max", "0");
        else
            write_file(cg->dir, "memory.memsw.limit_in_bytes", text);
    }
}

/* SIGKILLs every process in the cgroup until it is empty (or 3 s). */
static void cg_kill(const struct cgroup *cg)
{
    if (!cg->dir[0])
        return;
    if (cg->v2)
        write_file(cg->dir, "cgroup.kill", "1");
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/cgroup.procs", cg->dir);
    for (int round = 0; round < 600; round++) {
        FILE *f = fopen(path, "re");
        if (!f)
            return;
        int pid, any = 0;
        while (fscanf(f, "%d", &pid) == 1) {
            kill(pid, SIGKILL);
            any = 1;
        }
        fclose(f);
        if (!any)
            return;
        rl_sleep_ms(5);
    }
}

/* How many processes of the cgroup the kernel killed for want of memory
 * (v2 memory.events, v1 memory.oom_control: "oom_kill N"), so that a
 * report can say "out of memory" instead of "died of SIGKILL". */
static unsigned long cg_oom_kills(const struct cgroup *cg)
{
    if (!cg->dir[0])
        return 0;
    char path[PATH_MAX], line[128];
    snprintf(path, sizeof path, "%s/%s", cg->dir,
             cg->v2 ? "memory.events" : "memory.oom_control");
    FILE *f = fopen(path, "re");
    unsigned long n = 0;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "oom_kill %lu", &n) == 1)
            break;
    if (f)
        fclose(f);
    return n;
}

/* Removes the cgroup; dying tasks may keep it busy for a moment. */
static void cg_remove(struct cgroup *cg)
{
    if (cg->procs_fd >= 0)
        close(cg->procs_fd);
    cg->procs_fd = -1;
    if (!cg->dir[0])
        return;
    for (int i = 0; i < 200 && rmdir(cg->dir) < 0 && errno == EBUSY; i++)
        rl_sleep_ms(10);
    cg->dir[0] = 0;
}

/* ---- the processes inside --------------------------------------------- */

struct child_fds {
    int in, out, err; /* the program's stdio */
    int setup;        /* setup pipe, write end (close-on-exec) */
    int status;       /* status pipe, write end (init only) */
    int release;      /* release pipe, read end (outer only) */
};

static volatile sig_atomic_t init_program; /* program pid, init's view */
static volatile sig_atomic_t init_killall; /* fallback: kill all, exit */
static pid_t init_harness_pid;             /* 0 when in a pid namespace */

/* Passes the harness's signals on; ignores those from the program. */
static void init_on_signal(int sig, siginfo_t *si, void *ctx)
{
    (void)ctx;
    if (si->si_pid != 0 && si->si_pid != init_harness_pid)
        return;
    if (sig == KILLALL_SIGNAL)
        init_killall = 1;
    else if (init_program > 0)
        kill(init_program, sig);
}

static int kill_pid(pid_t pid, void *arg)
{
    kill(pid, SIGKILL);
    return 0;
}

/* Reads our children from /proc and SIGKILLs them (fallback mode). */
static void init_kill_children(void)
{
    rl_proc_each_listed("/proc/thread-self/children", kill_pid, NULL);
}

/* Without a pid namespace nobody kills the leftovers for us: as a
 * subreaper we inherit every orphan, so kill and reap until none. */
static void init_kill_descendants(void)
{
    int st;
    for (;;) {
        init_kill_children();
        if (waitpid(-1, &st, 0) < 0 && errno == ECHILD)
            return;
    }
}

static void reset_signals(void)
{
    sigset_t none;
    sigemptyset(&none);
    for (int sig = 1; sig < NSIG; sig++)
        signal(sig, SIG_DFL);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Moves fd to at least 10 so the dup2 onto 0..3 cannot clobber it. */
static int lift_fd(int fd)
{
    return fd < 10 ? fcntl(fd, F_DUPFD_CLOEXEC, 10) : fd;
}

static void close_from(int first)
{
    if (syscall(SYS_close_range, first, ~0U, 0) == 0)
        return;
    struct rlimit rl;
    long max = getrlimit(RLIMIT_NOFILE, &rl) == 0 ? (long)rl.rlim_cur : 1024;
    for (long fd = first; fd < max && fd < 65536; fd++)
        close((int)fd);
}

/* Sets a limit, lowered to the hard limit we have if that is smaller
 * (only root may raise it). */
static void set_limit(int resource, unsigned long soft, unsigned long hard)
{
    struct rlimit now, rl = {soft, hard};
    if (getrlimit(resource, &now) == 0 && now.rlim_max != RLIM_INFINITY) {
        if (rl.rlim_max > now.rlim_max)
            rl.rlim_max = now.rlim_max;
        if (rl.rlim_cur > rl.rlim_max)
            rl.rlim_cur = rl.rlim_max;
    }
    if (setrlimit(resource, &rl) < 0 && geteuid() == 0)
        setrlimit(resource, &(struct rlimit){soft, hard});
}

static void apply_limits(const struct rl_sandbox *sb)
{
    const struct rl_sandbox_opts *o = &sb->o;
    set_limit(RLIMIT_CORE, 0, 0);
    if (o->cpu_seconds)
        set_limit(RLIMIT_CPU, o->cpu_seconds, o->cpu_seconds + 2);
    if (o->file_bytes)
        set_limit(RLIMIT_FSIZE, o->file_bytes, o->file_bytes);
    /* RLIMIT_NPROC counts all of a user's tasks (those of its user
     * namespace alone in a new one) and root ignores it: only a last
     * resort when no pids cgroup holds the count. */
    if (o->max_procs && sb->run_uid >= 0) {
        /* Its own uid: nothing else counts, the limit is this run's. */
        set_limit(RLIMIT_NPROC, o->max_procs, o->max_procs);
    } else if (o->max_procs && !(sb->cgroups & CG_PIDS) && geteuid() != 0) {
        unsigned long n = o->max_procs + 2;
        if (!(sb->ns & NS_USER))
            n += sb->user_tasks;
        set_limit(RLIMIT_NPROC, n, n);
    }
    /* Address space limits break TSan's shadow and thread-heavy programs:
     * used only when allowed and no memory cgroup does the job. */
    if (o->memory_bytes && o->address_limit_ok && !(sb->cgroups & CG_MEM))
        set_limit(RLIMIT_AS, o->memory_bytes, o->memory_bytes);
}

static void program_main(const struct rl_sandbox *sb, char *const argv[],
                         char **envp, struct child_fds *f)
{
    reset_signals();
    int in = lift_fd(f->in), out = lift_fd(f->out), err = lift_fd(f->err);
    int setup = lift_fd(f->setup);
    if (in < 0 || out < 0 || err < 0 || setup < 0 || dup2(in, 0) < 0 ||
        dup2(out, 1) < 0 || dup2(err, 2) < 0 || dup3(setup, 3, O_CLOEXEC) < 0) {
        send_msg(f->setup, SETUP_FAIL, 0, errno, "redirect");
        _exit(127);
    }
    close_from(4);
    if (sb->o.cwd && chdir(sb->o.cwd) < 0) {
        send_msg(3, SETUP_FAIL, 0, errno, "chdir");
        _exit(127);
    }
    apply_limits(sb);
    const char *step = NULL;
    if (sb->run_uid >= 0 && rl_run_uid_drop((uid_t)sb->run_uid, &step) < 0) {
        send_msg(3, SETUP_FAIL, 0, errno, step);
        _exit(127);
    }
    execvpe(argv[0], argv, envp);
    send_msg(3, SETUP_FAIL, 0, errno, "exec");
    _exit(127);
}

/* Moves this process into the run's cgroups ("0" means the writer). */
static void join_cgroups(struct rl_sandbox *sb, int setup)
{
    sb->cgroups = 0;
    if (sb->mem.procs_fd >= 0 && write_all(sb->mem.procs_fd, "0", 1) == 0)
        sb->cgroups |= CG_MEM;
    if (sb->pids.procs_fd >= 0 && write_all(sb->pids.procs_fd, "0", 1) == 0)
        sb->cgroups |= CG_PIDS;
    send_msg(setup, SETUP_CGROUPS, sb->cgroups, 0, NULL);
}

static void init_main(const struct rl_sandbox *sb, char *const argv[],
                      char **envp, struct child_fds *f, pid_t harness)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    prctl(PR_SET_NAME, "racelab-init");
    if (!(sb->ns & NS_PID))
        prctl(PR_SET_CHILD_SUBREAPER, 1);
    int in_view = 0;
    if (sb->want_view && (sb->ns & NS_MNT)) {
        const char *step = NULL;
        int rc = rl_view_enter(&sb->view, (sb->ns & NS_NET) != 0, &step);
        if (rc == -2) {
            send_msg(f->setup, SETUP_FAIL, 0, errno, step);
            _exit(1);
        }
        in_view = rc == 0;
        send_msg(f->setup, SETUP_VIEW, in_view, in_view ? 0 : errno, step);
    }
    if ((sb->ns & NS_MNT) && !in_view)
        mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    init_harness_pid = (sb->ns & NS_PID) ? 0 : harness;
    setpgid(0, 0);
    join_cgroups((struct rl_sandbox *)sb, f->setup);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = init_on_signal;
    sa.sa_flags = SA_SIGINFO; /* no SA_RESTART: a kill-all wakes waitpid */
    sigfillset(&sa.sa_mask);
    for (int sig = 1; sig < SIGRTMIN; sig++)
        if (forwardable(sig))
            sigaction(sig, &sa, NULL);
    sigaction(KILLALL_SIGNAL, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    pid_t prog = fork();
    if (prog == 0)
        program_main(sb, argv, envp, f);
    if (prog < 0) {
        send_msg(f->setup, SETUP_FAIL, 0, errno, "fork");
        _exit(1);
    }
    init_program = prog;
    send_msg(f->setup, SETUP_PROGRAM_PID, prog, 0, NULL);
    close(f->setup);
    close(f->in);
    close(f->out);
    close(f->err);
    close(f->release);

    int st = 0, have = 0;
    while (!init_killall) {
        int s;
        pid_t w = waitpid(-1, &s, 0);
        if (w == prog) {
            st = s;
            have = 1;
            break;
        }
        if (w < 0 && errno == ECHILD)
            break;
    }
    if (have)
        write_all(f->status, &st, sizeof st);
    if (!(sb->ns & NS_PID))
        init_kill_descendants();
    _exit(0);
}

/* Brings the loopback interface of a fresh network namespace up. */
static int loopback_up(void)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return -1;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
    int rc = ioctl(s, SIOCGIFFLAGS, &ifr);
    if (rc == 0) {
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        rc = ioctl(s, SIOCSIFFLAGS, &ifr);
    }
    close(s);
    return rc;
}

/* Without root: a user namespace of our own (our uid and gid mapped to
 * themselves) allows pid and mount namespaces.  Not a network one: the
 * harness could not enter it for rl_sandbox_socket. */
static int user_namespaces(void)
{
    char map[64];
    int uid = (int)geteuid(), gid = (int)getegid();
    if (unshare(CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS) < 0)
        return -1;
    snprintf(map, sizeof map, "%d %d 1", uid, uid);
    write_file("/proc/self", "uid_map", map);
    write_file("/proc/self", "setgroups", "deny");
    snprintf(map, sizeof map, "%d %d 1", gid, gid);
    write_file("/proc/self", "gid_map", map);
    return 0;
}

/* Creates what namespaces the machine allows; returns NS_* bits. */
static int make_namespaces(void)
{
    int ns = 0;
    if (unshare(CLONE_NEWPID | CLONE_NEWNET) == 0)
        ns = NS_PID | NS_NET;
    else if (unshare(CLONE_NEWPID) == 0)
        ns = NS_PID;
    else if (user_namespaces() == 0)
        ns = NS_USER | NS_PID;
    if (!(ns & (NS_NET | NS_USER)) && unshare(CLONE_NEWNET) == 0)
        ns |= NS_NET;
    /* Without a working loopback the program's own server is unreachable:
     * better share the harness's network than a dead one. */
    if ((ns & NS_NET) && loopback_up() < 0)
        ns &= ~NS_NET;
    /* A private mount namespace lets init mount a /proc that matches the
     * pid namespace, so /proc/<getpid()> means the program itself. */
    if ((ns & NS_PID) && ((ns & NS_USER) || unshare(CLONE_NEWNS) == 0) &&
        mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) == 0)
        ns |= NS_MNT;
    return ns;
}

/* Closes every fd from 3 up except those in keep (a harness running
 * several sandboxes at once must not leak one's pipes into another). */
static void close_all_but(int *keep, int n)
{
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
            int t = keep[j];
            keep[j] = keep[j - 1];
            keep[j - 1] = t;
        }
    unsigned first = 3;
    for (int i = 0; i <= n; i++) {
        unsigned upto = i < n ? (unsigned)keep[i] : ~0U;
        if (i < n && (keep[i] < 3 || upto < first))
            continue;
        if (upto > first) {
            unsigned last = i < n ? upto - 1 : ~0U;
            if (syscall(SYS_close_range, first, last, 0) < 0)
                for (unsigned fd = first; fd <= last && fd < 65536; fd++)
                    close((int)fd);
        }
        first = upto + 1;
    }
}

static void outer_main(struct rl_sandbox *sb, char *const argv[], char **envp,
                       struct child_fds *f, pid_t harness)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != harness)
        _exit(1);
    prctl(PR_SET_NAME, "racelab-outer");
    int keep[] = {f->in,     f->out,     f->err,           f->setup,
                  f->status, f->release, sb->mem.procs_fd, sb->pids.procs_fd};
    close_all_but(keep, (int)(sizeof keep / sizeof keep[0]));
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    setsid();
    /* Only SIGKILL (from the harness) should end us, not the program. */
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGCHLD && forwardable(sig))
            signal(sig, SIG_IGN);
    sb->ns = sb->no_namespaces ? 0 : make_namespaces();
    send_msg(f->setup, SETUP_NAMESPACES, sb->ns, 0, NULL);

    pid_t init = fork();
    if (init == 0)
        init_main(sb, argv, envp, f, harness);
    if (init < 0) {
        send_msg(f->setup, SETUP_FAIL, 0, errno, "fork");
        _exit(1);
    }
    send_msg(f->setup, SETUP_INIT_PID, init, 0, NULL);
    close(f->setup);
    close(f->status);
    close(f->in);
    close(f->out);
    close(f->err);
    if (sb->mem.procs_fd >= 0)
        close(sb->mem.procs_fd);
    if (sb->pids.procs_fd >= 0)
        close(sb->pids.procs_fd);
    /* init, alive or a zombie, stays ours until the harness releases it */
    for (;;) {
        char c;
        ssize_t r = read(f->release, &c, 1);
        if (r == 0 || (r < 0 && errno != EINTR))
            break;
    }
    kill(init, SIGKILL);
    while (waitpid(init, NULL, 0) < 0 && errno == EINTR)
        ;
    _exit(0);
}

/* ---- harness side ----------------------------------------------------- */

/*
 * The defaults, in one place.  The first three also stand in for a zero
 * field (sandbox_init).  A run of the user's program under a tool gets
 * rl_sandbox_opts_for_program's instead of the CPU and memory limits:
 * the tools' verdicts were measured with those.
 */
static const double DEFAULT_TIMEOUT = 10;
static const double DEFAULT_WATCH_INTERVAL = 0.05;
static const size_t DEFAULT_OUTPUT_CAP = 1 << 20;

void rl_sandbox_opts_default(struct rl_sandbox_opts *o)
{
    memset(o, 0, sizeof *o);
    o->timeout = DEFAULT_TIMEOUT;
    o->output_cap = DEFAULT_OUTPUT_CAP;
    o->max_procs = RL_SANDBOX_PROCS;
    o->cpu_seconds = 60;
    o->file_bytes = 64UL << 20;
    o->memory_bytes = 2UL << 30;
    o->stop_signal = SIGTERM;
    o->stop_grace = 1.0;
    o->watch_interval = DEFAULT_WATCH_INTERVAL;
}

void rl_sandbox_opts_for_program(struct rl_sandbox_opts *o, double timeout,
                                 const char *cwd)
{
    rl_sandbox_opts_default(o);
    o->cwd = cwd;
    o->timeout = timeout;
    /* CPU time beyond the wall-clock budget of two busy cores is a
     * runaway; the wall-clock timeout usually ends it first. */
    o->cpu_seconds = (unsigned long)(2 * timeout) + 10;
    /* The sanitizers' shadow memory needs more than a compiler does. */
    o->memory_bytes = 4UL << 30;
    o->address_limit_ok = 0; /* TSan and ASan reserve huge address ranges */
    o->confine = 1;
}

/* Index of the variable `name` (name_len bytes, no '=') in env[0..n). */
static size_t env_find(char **env, size_t n, const char *name, size_t name_len)
{
    size_t i = 0;
    while (i < n &&
           !(strncmp(env[i], name, name_len) == 0 && env[i][name_len] == '='))
        i++;
    return i;
}

/* The inherited environment with env_extra entries added or replaced; an
 * entry without '=' removes that variable (e.g. the CK_RUN_SUITE of a
 * test run that started racelab must not reach the program). */
static char **build_env(char *const *base, char *const *extra)
{
    size_t n = 0, m = 0;
    while (base && base[n])
        n++;
    while (extra && extra[m])
        m++;
    char **env = calloc(n + m + 1, sizeof *env);
    if (!env)
        return NULL;
    for (size_t i = 0; i < n; i++)
        env[i] = base[i];
    for (size_t j = 0; j < m; j++) {
        const char *eq = strchr(extra[j], '=');
        size_t len = eq ? (size_t)(eq - extra[j]) : strlen(extra[j]);
        size_t i = env_find(env, n, extra[j], len);
        if (!eq) {
            if (i < n) {
                env[i] = env[n - 1];
                env[--n] = NULL;
            }
            continue;
        }
        env[i] = extra[j];
        if (i == n)
            n++;
    }
    return env;
}

/* The locale variables passed on from the harness: they change how
 * compilers quote (and so the reports), and name no path. */
static const char *const LOCALE_VARS[] = {"LANG", "LC_ALL", "LC_CTYPE",
                                          "LC_MESSAGES"};

/*
 * A confined run's whole environment before env_extra: what compilers,
 * valgrind and the sanitizers need, and nothing of the harness's (its PWD
 * and OLDPWD led a program to the course's checkout).  The strings live
 * in env_text (4 KiB).
 */
static void minimal_env(const char *home, const char *tmpdir, char *base[8],
                        char *env_text)
{
    size_t k = 0, used = 0;
    const size_t size = 4096;
    int locale = 0;
#define ADD(...)                                                               \
    do {                                                                       \
        int len = snprintf(env_text + used, size - used, __VA_ARGS__);         \
        if (len > 0 && used + (size_t)len + 1 <= size) {                       \
            base[k++] = env_text + used;                                       \
            used += (size_t)len + 1;                                           \
        }                                                                      \
    } while (0)
    ADD("PATH=/usr/local/bin:/usr/bin:/bin");
    ADD("HOME=%s", home);
    ADD("TMPDIR=%s", tmpdir);
    for (size_t i = 0; i < sizeof LOCALE_VARS / sizeof *LOCALE_VARS; i++) {
        const char *v = getenv(LOCALE_VARS[i]);
        if (v && *v && !strchr(v, '/') && strlen(v) < 64) {
            ADD("%s=%s", LOCALE_VARS[i], v);
            locale = 1;
        }
    }
    if (!locale)
        ADD("LANG=C.UTF-8");
#undef ADD
    base[k] = NULL;
}

static int make_pipe(int fds[2], char *err, size_t errlen)
{
    if (pipe2(fds, O_CLOEXEC) == 0)
        return 0;
    snprintf(err, errlen, "pipe: %s", strerror(errno));
    return -1;
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* Who the program ran as, for a confined run ("" otherwise). */
static const char *describe_uid(const struct rl_sandbox *sb)
{
    if (!sb->o.confine)
        return "";
    if (sb->run_uid >= 0)
        return "own uid, no capabilities, no_new_privs, ";
    return sb->uid_why ? sb->uid_why : "as the invoking user, ";
}

static void describe_isolation(struct rl_sandbox *sb)
{
    const char *ns = (sb->ns & NS_PID) && (sb->ns & NS_NET)
                         ? "pid+net namespaces"
                     : (sb->ns & NS_USER) ? "user+pid namespaces"
                     : (sb->ns & NS_PID)  ? "pid namespace"
                     : (sb->ns & NS_NET)  ? "net namespace, process group kill"
                                          : "no namespaces, process group kill";
    const char *cg = sb->cgroups == (CG_MEM | CG_PIDS) ? ", memory+pids cgroups"
                     : sb->cgroups == CG_MEM           ? ", memory cgroup"
                     : sb->cgroups == CG_PIDS          ? ", pids cgroup"
                                                       : ", no cgroup";
    snprintf(sb->isolation, sizeof sb->isolation, "%s%s%s", describe_uid(sb),
             ns, cg);
    if (!sb->o.confine)
        return;
    size_t n = strlen(sb->isolation);
    char disk[64];
    snprintf(disk, sizeof disk, "%llu MiB",
             (sb->o.disk_bytes ? sb->o.disk_bytes : RL_SANDBOX_DISK) >> 20);
    if (sb->in_view)
        n += snprintf(sb->isolation + n, sizeof sb->isolation - n,
                      ", private filesystem view");
    else
        n += snprintf(sb->isolation + n, sizeof sb->isolation - n,
                      ", no filesystem view: %s",
                      sb->view_fail[0] ? sb->view_fail
                      : sb->view_why   ? sb->view_why
                                       : "no mount namespace");
    if (n < sizeof sb->isolation) {
        if (sb->disk_limited)
            snprintf(sb->isolation + n, sizeof sb->isolation - n,
                     ", work folder limited to %s", disk);
        else
            snprintf(sb->isolation + n, sizeof sb->isolation - n,
                     ", work folder not size-limited: %s",
                     sb->disk_why ? sb->disk_why : "unknown");
    }
}

/* Reads what the status pipe has: the program's wait status, or its end
 * (init has exited). */
static void read_status(struct rl_sandbox *sb)
{
    int st;
    ssize_t r = read(sb->status_fd, &st, sizeof st);
    if (r == (ssize_t)sizeof st) {
        sb->status = st;
        sb->have_status = 1;
    } else if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
        sb->init_gone = 1;
    }
}

/* Without a pid namespace init kills its descendants itself (it is their
 * subreaper): wait up to 2 s for that before killing its group. */
static void fallback_killall(struct rl_sandbox *sb)
{
    kill(sb->init, KILLALL_SIGNAL);
    for (int i = 0; i < 100 && !sb->init_gone; i++) {
        struct pollfd p = {sb->status_fd, POLLIN, 0};
        if (poll(&p, 1, 20) > 0)
            read_status(sb);
    }
}

/* Kills everything of the run with SIGKILL: namespace, group, cgroups.
 * init's pid and group id stay ours until outer is released. */
static void kill_all(struct rl_sandbox *sb)
{
    if (!atomic_load(&sb->released) && sb->init > 0) {
        if (!(sb->ns & NS_PID) && !sb->init_gone)
            fallback_killall(sb);
        kill(sb->init, SIGKILL);
        kill(-sb->init, SIGKILL);
    }
    cg_kill(&sb->pids);
    cg_kill(&sb->mem);
}

/* Lets outer reap init and exit, and reaps outer. */
static void reap_outer(struct rl_sandbox *sb)
{
    if (atomic_exchange(&sb->released, 1))
        return;
    close_fd(&sb->release_wr);
    for (int i = 0; i < 300; i++) {
        pid_t w = waitpid(sb->outer, NULL, WNOHANG);
        if (w == sb->outer || (w < 0 && errno != EINTR))
            return;
        rl_sleep_ms(10);
    }
    kill(sb->outer, SIGKILL); /* cannot happen: outer only reaps init */
    while (waitpid(sb->outer, NULL, 0) < 0 && errno == EINTR)
        ;
}

static void free_sandbox(struct rl_sandbox *sb)
{
    close_fd(&sb->out.fd);
    close_fd(&sb->err.fd);
    close_fd(&sb->status_fd);
    close_fd(&sb->release_wr);
    close_fd(&sb->wake_rd);
    close_fd(&sb->wake_wr);
    cg_remove(&sb->mem);
    cg_remove(&sb->pids);
    /* Every process of the uid is gone (namespace and cgroups killed):
     * another run may have it now. */
    rl_run_uid_release(&sb->uid_lock);
    rl_view_free(&sb->view);
    free(sb->out.buf);
    free(sb->err.buf);
    free(sb);
}

/* Reads the setup pipe to its end (the program has exec'd or failed). */
static int read_setup(struct rl_sandbox *sb, int fd, char *const argv[],
                      char *err, size_t errlen)
{
    struct setup_msg m;
    int failed = 0;
    for (;;) {
        ssize_t r = read(fd, &m, sizeof m);
        if (r < 0 && errno == EINTR)
            continue;
        if (r != (ssize_t)sizeof m)
            break;
        if (m.kind == SETUP_NAMESPACES)
            sb->ns = m.value;
        else if (m.kind == SETUP_CGROUPS)
            sb->cgroups = m.value;
        else if (m.kind == SETUP_INIT_PID)
            sb->init = m.value;
        else if (m.kind == SETUP_PROGRAM_PID)
            sb->program_inner = m.value;
        else if (m.kind == SETUP_VIEW && m.value)
            sb->in_view = 1;
        else if (m.kind == SETUP_VIEW)
            snprintf(sb->view_fail, sizeof sb->view_fail, "%s failed (%s)",
                     m.what, strerror(m.err));
        else if (m.kind == SETUP_FAIL && !failed) {
            failed = 1;
            if (strcmp(m.what, "exec") == 0)
                snprintf(err, errlen, "cannot run '%s': %s", argv[0],
                         strerror(m.err));
            else
                snprintf(err, errlen, "sandbox %s failed: %s", m.what,
                         strerror(m.err));
        }
    }
    if (!failed && (sb->init <= 0 || sb->program_inner <= 0)) {
        snprintf(err, errlen, "sandbox setup failed for '%s'", argv[0]);
        failed = 1;
    }
    return failed ? -1 : 0;
}

static void set_nonblock(int fd)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* RACELAB_SANDBOX="nons,nocgroup" (also nouid; noview: no filesystem view
 * nor work folder tmpfs; nodisk: no tmpfs) turns isolation off piece by
 * piece, so that the fallback paths can be tested on a machine that has
 * it all. */
/* Set once by the engine when a test simulates a machine that refuses
 * cgroups (engine/env_fault.h); RACELAB_SANDBOX=nocgroup does the same. */
static int cgroups_refused;

void rl_sandbox_refuse_cgroups(void)
{
    cgroups_refused = 1;
}

static int sandbox_disabled(const char *what)
{
    const char *v = getenv("RACELAB_SANDBOX");
    return v && strstr(v, what) != NULL;
}

int rl_sandbox_uid_can_read(const char *path)
{
    if (rl_run_uid_can_read(path))
        return 1;
    if (sandbox_disabled("nons") || sandbox_disabled("noview"))
        return 0;
    /* In the view every file a run needs is bound at its own path, below
     * folders of the view's own (a caller's 0700 mkdtemp or home folder on
     * the way no longer matters): only its own mode does.  A folder is the
     * run's own (given to its uid) or one of the view's, holding the
     * headers bound into it. */
    struct stat st;
    if (stat(path, &st) < 0)
        return 0;
    return S_ISDIR(st.st_mode) || (st.st_mode & S_IROTH) != 0;
}

/* Counts the tasks (threads) of our real uid, as RLIMIT_NPROC does. */
static unsigned long count_user_tasks(void)
{
    DIR *d = opendir("/proc");
    unsigned long n = 0;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        char path[300], status[4096];
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof path, "/proc/%s/status", e->d_name);
        if (rl_proc_read(path, status, sizeof status) < 0)
            continue;
        char *uid = strstr(status, "\nUid:");
        char *threads = strstr(status, "\nThreads:");
        if (uid && threads && atol(uid + strlen("\nUid:")) == (long)getuid())
            n += (unsigned long)atol(threads + strlen("\nThreads:"));
    }
    if (d)
        closedir(d);
    return n;
}

/* Another uid could not reach its folder, or a program named by absolute
 * path on its command line (a folder of mode 0700 on the way, as a
 * caller's mkdtemp makes): then it runs as root, and says why. */
static const char *unreachable_by_others(const struct rl_sandbox *sb,
                                         const char *home)
{
    if (home && !rl_sandbox_uid_can_read(home))
        return "as root (its folder is not reachable by other users), ";
    for (char *const *a = sb->argv; a && *a; a++) {
        struct stat st;
        if ((*a)[0] == '/' && stat(*a, &st) == 0 && S_ISREG(st.st_mode) &&
            !rl_sandbox_uid_can_read(*a))
            return "as root (its program is not reachable by other users), ";
    }
    /* A file its environment names (the probe preloaded by LD_PRELOAD):
     * unreadable, the loader would skip it and the run see nothing. */
    for (char *const *e = sb->o.env_extra; e && *e; e++) {
        const char *v = strchr(*e, '=');
        struct stat st;
        if (v && v[1] == '/' && stat(v + 1, &st) == 0 && S_ISREG(st.st_mode) &&
            !rl_sandbox_uid_can_read(v + 1))
            return "as root (a file it needs is not reachable by other "
                   "users), ";
    }
    return NULL;
}

/*
 * A confined run: its TMPDIR (home/.tmp, made here; home is cwd unless
 * given), and as root a uid of its own that owns home and what the
 * harness put in it.  Where that cannot be, the run goes on as root and
 * its isolation says why (uid_why), never silently.
 */
/* Its filesystem view, planned here, built by init (lib/sandbox_view.h);
 * the folders it may write, home and a drop folder for a log, each on a
 * size-limited tmpfs (lib/run_disk.h).  Where either cannot be, why. */
static void confine_files(struct rl_sandbox *sb, const char *home)
{
    unsigned long long bytes =
        sb->o.disk_bytes ? sb->o.disk_bytes : RL_SANDBOX_DISK;
    if (!home)
        sb->disk_why = "it has no work folder";
    else if (rl_run_disk_limit(home, bytes, &sb->disk_why) == 0)
        sb->disk_limited = 1;
    if (sb->no_namespaces) {
        sb->view_why = "namespaces disabled (RACELAB_SANDBOX=nons)";
        return;
    }
    if (sandbox_disabled("noview")) {
        sb->view_why = "disabled (RACELAB_SANDBOX=noview)";
        return;
    }
    rl_view_plan(&sb->view, home, sb->o.cwd, sb->argv, sb->o.env_extra);
    sb->view.tmp_bytes = RL_SANDBOX_VIEW_TMP;
    sb->want_view = 1;
    for (size_t i = 0; i < sb->view.n; i++) {
        const char *why = NULL;
        const struct rl_view_entry *e = &sb->view.e[i];
        if (e->kind == RL_VIEW_RW && (!home || strcmp(e->path, home) != 0) &&
            sb->disk_limited && rl_run_disk_limit(e->path, bytes, &why) < 0) {
            sb->disk_limited = 0;
            sb->disk_why = "a folder it writes cannot be limited";
        }
    }
}

static void confine_init(struct rl_sandbox *sb)
{
    const char *home = sb->o.home ? sb->o.home : sb->o.cwd;
    int root = geteuid() == 0;
    sb->o.home = home;
    confine_files(sb, home);
    if (home) {
        snprintf(sb->tmpdir, sizeof sb->tmpdir, "%s/.tmp", home);
        if (mkdir(sb->tmpdir, 0700) < 0 && errno != EEXIST)
            snprintf(sb->tmpdir, sizeof sb->tmpdir, "%s", home);
    } else {
        snprintf(sb->tmpdir, sizeof sb->tmpdir, "/tmp");
    }
    if (!root)
        return; /* a user grading their own code, as themselves */
    if (sb->o.uid_refused) {
        sb->uid_why = sb->o.uid_refused;
        return;
    }
    if (sandbox_disabled("nouid")) {
        sb->uid_why = "as root (per-run uids disabled), ";
        return;
    }
    const char *unreachable = unreachable_by_others(sb, home);
    if (unreachable) {
        sb->uid_why = unreachable;
        return;
    }
    sb->run_uid = rl_run_uid_acquire(&sb->uid_lock);
    if (sb->run_uid < 0) {
        sb->uid_why = "as root (no free run uid), ";
        return;
    }
    if (home && rl_run_uid_give_dir(home, (uid_t)sb->run_uid) < 0) {
        rl_run_uid_release(&sb->uid_lock);
        sb->run_uid = -1;
        sb->uid_why = "as root (cannot give it its folder), ";
    }
}

static void sandbox_init(struct rl_sandbox *sb, const struct rl_sandbox_opts *o)
{
    sb->o = *o;
    if (sb->o.timeout <= 0)
        sb->o.timeout = DEFAULT_TIMEOUT;
    if (sb->o.watch_interval <= 0)
        sb->o.watch_interval = DEFAULT_WATCH_INTERVAL;
    if (sb->o.output_cap == 0)
        sb->o.output_cap = DEFAULT_OUTPUT_CAP;
    sb->out.fd = sb->err.fd = sb->status_fd = sb->release_wr = -1;
    sb->wake_rd = sb->wake_wr = -1;
    sb->drain_stop_rd = sb->drain_stop_wr = -1;
    sb->out.cap = sb->err.cap = sb->o.output_cap;
    sb->mem.procs_fd = sb->pids.procs_fd = -1;
    sb->no_namespaces = sandbox_disabled("nons");
    sb->run_uid = sb->uid_lock = -1;
    if (sb->o.confine)
        confine_init(sb);
    if (geteuid() != 0 && sb->o.max_procs)
        sb->user_tasks = count_user_tasks();
    if (sandbox_disabled("nocgroup") || cgroups_refused)
        return;
    if (sb->o.memory_bytes)
        cg_create(&sb->mem, "memory", "memory.limit_in_bytes", "memory.max",
                  sb->o.memory_bytes);
    /* outer and init count too; the pids controller counts threads. */
    if (sb->o.max_procs)
        cg_create(&sb->pids, "pids", "pids.max", "pids.max",
                  sb->o.max_procs + 2);
}

struct rl_sandbox *rl_sandbox_start(char *const argv[],
                                    const struct rl_sandbox_opts *o, char *err,
                                    size_t errlen)
{
    struct rl_sandbox_opts defaults;
    if (!o) {
        rl_sandbox_opts_default(&defaults);
        o = &defaults;
    }
    if (!argv || !argv[0]) {
        snprintf(err, errlen, "no program to run");
        return NULL;
    }
    const char *in_path = o->stdin_path ? o->stdin_path : "/dev/null";
    int in = open(in_path, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        snprintf(err, errlen, "cannot open '%s': %s", in_path, strerror(errno));
        return NULL;
    }
    struct rl_sandbox *sb = calloc(1, sizeof *sb);
    char **envp = NULL;
    int po[2] = {-1, -1}, pe[2] = {-1, -1}, ps[2] = {-1, -1};
    int pst[2] = {-1, -1}, pw[2] = {-1, -1}, pr[2] = {-1, -1};
    if (!sb) {
        snprintf(err, errlen, "out of memory");
        close(in);
        return NULL;
    }
    sb->argv = argv;
    sandbox_init(sb, o);
    sb->argv = NULL;
    char *base[8], env_text[4096];
    if (sb->o.confine)
        minimal_env(sb->o.home ? sb->o.home : sb->tmpdir, sb->tmpdir, base,
                    env_text);
    envp = build_env(sb->o.confine ? base : environ, o->env_extra);
    if (!envp) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    if (make_pipe(po, err, errlen) < 0 || make_pipe(pe, err, errlen) < 0 ||
        make_pipe(ps, err, errlen) < 0 || make_pipe(pst, err, errlen) < 0 ||
        make_pipe(pw, err, errlen) < 0 || make_pipe(pr, err, errlen) < 0)
        goto fail;
    /* Nobody drains the output while a caller drives a server between
     * start and wait: a bigger pipe lets a chatty program go on longer. */
    fcntl(po[0], F_SETPIPE_SZ, 1 << 20);
    fcntl(pe[0], F_SETPIPE_SZ, 1 << 20);

    sb->t0 = rl_now();
    pid_t harness = getpid();
    sb->outer = fork();
    if (sb->outer < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        goto fail;
    }
    if (sb->outer == 0) {
        struct child_fds f = {in, po[1], pe[1], ps[1], pst[1], pr[0]};
        close(pr[1]);
        close(po[0]);
        close(pe[0]);
        close(ps[0]);
        close(pst[0]);
        close(pw[0]);
        close(pw[1]);
        outer_main(sb, argv, envp, &f, harness);
    }
    close_fd(&po[1]);
    close_fd(&pe[1]);
    close_fd(&ps[1]);
    close_fd(&pst[1]);
    close_fd(&pr[0]);
    close_fd(&in);
    sb->out.fd = po[0];
    sb->err.fd = pe[0];
    sb->status_fd = pst[0];
    sb->wake_rd = pw[0];
    sb->wake_wr = pw[1];
    sb->release_wr = pr[1];
    po[0] = pe[0] = pst[0] = pw[0] = pw[1] = pr[1] = -1;
    int rc = read_setup(sb, ps[0], argv, err, errlen);
    close_fd(&ps[0]);
    free(envp);
    envp = NULL;
    if (rc < 0) {
        kill_all(sb);
        reap_outer(sb);
        free_sandbox(sb);
        return NULL;
    }
    set_nonblock(sb->out.fd);
    set_nonblock(sb->err.fd);
    set_nonblock(sb->status_fd);
    set_nonblock(sb->wake_rd);
    set_nonblock(sb->wake_wr);
    describe_isolation(sb);
    start_draining(sb);
    return sb;

fail:
    for (int i = 0; i < 2; i++) {
        close_fd(&po[i]);
        close_fd(&pe[i]);
        close_fd(&ps[i]);
        close_fd(&pst[i]);
        close_fd(&pw[i]);
        close_fd(&pr[i]);
    }
    close_fd(&in);
    free(envp);
    free_sandbox(sb);
    return NULL;
}

/* Is pid the program, still running?  It must be init's child, not a
 * zombie, and (in the pid namespace) have the program's inner pid. */
static int is_program(const struct rl_sandbox *sb, long pid)
{
    char path[64], status[4096];
    snprintf(path, sizeof path, "/proc/%ld/status", pid);
    if (rl_proc_read(path, status, sizeof status) < 0)
        return 0;
    char *state = strstr(status, "\nState:");
    char *ppid = strstr(status, "\nPPid:");
    if (!state || !ppid)
        return 0;
    state += strlen("\nState:");
    state += strspn(state, " \t");
    if (*state == 'Z' || *state == 'X' ||
        atol(ppid + strlen("\nPPid:")) != (long)sb->init)
        return 0;
    if (!(sb->ns & NS_PID))
        return pid == sb->program_inner;
    return rl_proc_ns_pid(status) == (long)sb->program_inner;
}

struct program_search {
    const struct rl_sandbox *sb;
    pid_t found;
};

static int find_program(pid_t pid, void *arg)
{
    struct program_search *ps = arg;
    if (!is_program(ps->sb, pid))
        return 0;
    ps->found = pid;
    return 1;
}

pid_t rl_sandbox_program_pid(struct rl_sandbox *sb)
{
    if (atomic_load(&sb->released) || sb->init <= 0)
        return 0;
    pid_t known = atomic_load(&sb->program_outer);
    if (known > 0)
        return is_program(sb, known) ? known : 0;
    if (!(sb->ns & NS_PID)) {
        known = sb->program_inner; /* no namespace: the same pid */
        if (!is_program(sb, known))
            return 0;
        atomic_store(&sb->program_outer, known);
        return known;
    }
    /* Among init's children (orphans adopted by init are children too),
     * the one whose innermost pid is the program's. */
    struct program_search ps = {sb, 0};
    if (rl_proc_thread_children(sb->init, sb->init, find_program, &ps) <= 0)
        return 0;
    atomic_store(&sb->program_outer, (int)ps.found);
    return ps.found;
}

/* Drains what the pipe has now; keeps the first cap bytes. */
static void capture_read(struct capture *c)
{
    char chunk[65536];
    while (c->fd >= 0) {
        ssize_t r = read(c->fd, chunk, sizeof chunk);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && errno == EAGAIN)
            return;
        if (r <= 0) {
            close_fd(&c->fd);
            return;
        }
        size_t keep = c->len < c->cap ? c->cap - c->len : 0;
        if ((size_t)r > keep)
            c->truncated = 1;
        else
            keep = (size_t)r;
        if (keep && c->len + keep + 1 > c->alloc) {
            size_t want = c->alloc ? c->alloc : 4096;
            while (want < c->len + keep + 1)
                want *= 2;
            char *nb = realloc(c->buf, want);
            if (!nb) {
                c->truncated = 1;
                continue;
            }
            c->buf = nb;
            c->alloc = want;
        }
        memcpy(c->buf + c->len, chunk, keep);
        c->len += keep;
    }
}

static void *drain_until_wait(void *arg)
{
    struct rl_sandbox *sb = arg;
    for (;;) {
        struct pollfd p[3] = {{sb->out.fd, POLLIN, 0},
                              {sb->err.fd, POLLIN, 0},
                              {sb->drain_stop_rd, POLLIN, 0}};
        if (poll(p, 3, -1) < 0 && errno != EINTR)
            return NULL;
        if (p[2].revents)
            return NULL;
        capture_read(&sb->out);
        capture_read(&sb->err);
    }
}

/* Without a thread (none to be had), the pipes fill as they used to. */
static void start_draining(struct rl_sandbox *sb)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return;
    sb->drain_stop_rd = p[0];
    sb->drain_stop_wr = p[1];
    sb->draining =
        pthread_create(&sb->drainer, NULL, drain_until_wait, sb) == 0;
    if (!sb->draining) {
        close_fd(&sb->drain_stop_rd);
        close_fd(&sb->drain_stop_wr);
    }
}

/* rl_sandbox_wait reads the output itself from here on. */
static void stop_draining(struct rl_sandbox *sb)
{
    if (!sb->draining)
        return;
    while (write(sb->drain_stop_wr, "x", 1) < 0 && errno == EINTR)
        ;
    pthread_join(sb->drainer, NULL);
    sb->draining = 0;
    close_fd(&sb->drain_stop_rd);
    close_fd(&sb->drain_stop_wr);
}

/* Sends the stop signal (once); returns 1 when it went out. */
static int send_stop(struct rl_sandbox *sb)
{
    int sig = sb->o.stop_signal;
    if (sig == 0 || sig == SIGKILL || atomic_exchange(&sb->stop_sent, 1))
        return 0;
    if (!atomic_load(&sb->released) && sb->init > 0)
        kill(sb->init, sig); /* init forwards it to the program */
    return 1;
}

void rl_sandbox_stop(struct rl_sandbox *sb)
{
    if (sb->o.stop_signal == 0 || sb->o.stop_signal == SIGKILL) {
        if (!atomic_load(&sb->released) && sb->init > 0)
            kill(sb->init, (sb->ns & NS_PID) ? SIGKILL : KILLALL_SIGNAL);
    } else {
        send_stop(sb);
    }
    atomic_store(&sb->stop_requested, 1);
    if (sb->wake_wr >= 0 && write(sb->wake_wr, "s", 1) < 0) {
        /* the pipe is full: a wake-up is pending anyway */
    }
}

/* The wait loop's state. */
struct waiter {
    double deadline; /* the timeout */
    double next_watch;
    double kill_at; /* end of the stop grace; < 0 when not stopping */
    int stopping, killed, done;
};

static void begin_stop(struct rl_sandbox *sb, struct waiter *w, double now)
{
    if (w->stopping)
        return;
    w->stopping = 1;
    send_stop(sb);
    int soft = sb->o.stop_signal != 0 && sb->o.stop_signal != SIGKILL;
    w->kill_at = soft ? now + sb->o.stop_grace : now;
}

static void call_watch(struct rl_sandbox *sb, struct rl_sandbox_result *r,
                       struct waiter *w, double now, int final)
{
    struct rl_watch_info info = {sb->init, rl_sandbox_program_pid(sb), now,
                                 final};
    int stop = sb->o.watch(sb->o.watch_arg, &info);
    if (final) {
        r->timed_out = 1;
        begin_stop(sb, w, now);
    } else if (stop) {
        r->stopped_by_watch = 1;
        begin_stop(sb, w, now);
    }
}

/* Decides what is due now; returns the poll timeout in ms. */
static int next_step(struct rl_sandbox *sb, struct rl_sandbox_result *r,
                     struct waiter *w)
{
    double now = rl_now() - sb->t0;
    if (atomic_load(&sb->stop_requested))
        begin_stop(sb, w, now);
    if (w->stopping && !w->killed && now >= w->kill_at) {
        kill_all(sb);
        w->killed = 1;
        w->deadline = now + 5; /* init must be gone by then */
    }
    if (!w->stopping && now >= w->deadline) {
        if (sb->o.watch)
            call_watch(sb, r, w, now, 1);
        else {
            r->timed_out = 1;
            begin_stop(sb, w, now);
        }
        return 0;
    }
    if (w->killed && now >= w->deadline) {
        w->done = 1; /* cannot happen unless the kernel is stuck */
        return 0;
    }
    if (!w->stopping && sb->o.watch && now >= w->next_watch) {
        call_watch(sb, r, w, now, 0);
        w->next_watch = rl_now() - sb->t0 + sb->o.watch_interval;
        return 0;
    }
    double until = w->deadline;
    if (!w->stopping && sb->o.watch && w->next_watch < until)
        until = w->next_watch;
    if (w->stopping && !w->killed)
        until = w->kill_at;
    double ms = (until - now) * 1000.0 + 1;
    return ms < 0 ? 0 : ms > 1000 ? 1000 : (int)ms;
}

/* After the end: output writers may linger a moment while dying. */
static void drain_outputs(struct rl_sandbox *sb)
{
    double t0 = rl_now();
    while ((sb->out.fd >= 0 || sb->err.fd >= 0) && rl_now() - t0 < 2.0) {
        struct pollfd p[2] = {{sb->out.fd, POLLIN, 0}, {sb->err.fd, POLLIN, 0}};
        poll(p, 2, 100);
        capture_read(&sb->out);
        capture_read(&sb->err);
    }
}

static void take_capture(struct capture *c, char **text, size_t *len,
                         int *truncated)
{
    if (!c->buf)
        c->buf = calloc(1, 1);
    else
        c->buf[c->len] = 0;
    *text = c->buf;
    *len = c->len;
    *truncated = c->truncated;
    c->buf = NULL;
}

static void fill_result(struct rl_sandbox *sb, struct rl_sandbox_result *r)
{
    if (sb->have_status && WIFEXITED(sb->status)) {
        r->exited = 1;
        r->exit_status = WEXITSTATUS(sb->status);
    } else if (sb->have_status && WIFSIGNALED(sb->status)) {
        r->signal = WTERMSIG(sb->status);
    } else {
        r->signal = SIGKILL; /* init was killed before the program ended */
    }
    take_capture(&sb->out, &r->out, &r->out_len, &r->out_truncated);
    take_capture(&sb->err, &r->err, &r->err_len, &r->err_truncated);
    r->output_cap = sb->o.output_cap;
    snprintf(r->isolation, sizeof r->isolation, "%s", sb->isolation);
    r->pid_net_namespaces = (sb->ns & NS_PID) && (sb->ns & NS_NET);
    r->cgroups = sb->cgroups != 0;
    r->own_uid = sb->run_uid >= 0;
    r->uid = sb->run_uid >= 0 ? sb->run_uid : (int)getuid();
    r->fs_view = sb->in_view;
    r->disk_limited = sb->disk_limited;
    r->oom_kills = cg_oom_kills(&sb->mem);
    r->memory_limit = sb->mem.dir[0] ? sb->o.memory_bytes : 0;
}

int rl_sandbox_wait(struct rl_sandbox *sb, struct rl_sandbox_result *r)
{
    memset(r, 0, sizeof *r);
    stop_draining(sb);
    struct waiter w = {sb->o.timeout, sb->o.watch_interval, -1, 0, 0, 0};
    while (!w.done && !sb->init_gone) {
        int ms = next_step(sb, r, &w);
        if (w.done || sb->init_gone)
            break;
        struct pollfd p[4] = {{sb->out.fd, POLLIN, 0},
                              {sb->err.fd, POLLIN, 0},
                              {sb->status_fd, POLLIN, 0},
                              {sb->wake_rd, POLLIN, 0}};
        if (poll(p, 4, ms) < 0 && errno != EINTR)
            break;
        capture_read(&sb->out);
        capture_read(&sb->err);
        if (p[2].revents)
            read_status(sb);
        if (p[3].revents) {
            char buf[64];
            while (read(sb->wake_rd, buf, sizeof buf) > 0)
                ;
        }
    }
    r->wall_seconds = rl_now() - sb->t0;
    kill_all(sb);
    reap_outer(sb);
    cg_kill(&sb->pids); /* anything that slipped out of the namespace */
    cg_kill(&sb->mem);
    drain_outputs(sb);
    fill_result(sb, r);
    free_sandbox(sb);
    return 0;
}

/* Opens a socket in the sandbox's network namespace (this thread only
 * switches for the socket() call). */
int rl_sandbox_socket(struct rl_sandbox *sb, int domain, int type)
{
    if (!(sb->ns & NS_NET))
        return socket(domain, type | SOCK_CLOEXEC, 0);
    if (atomic_load(&sb->released)) {
        errno = ESRCH;
        return -1;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/ns/net", (int)sb->init);
    int target = open(path, O_RDONLY | O_CLOEXEC);
    int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    int s = -1, saved = 0;
    if (target >= 0 && self >= 0 && setns(target, CLONE_NEWNET) == 0) {
        s = socket(domain, type | SOCK_CLOEXEC, 0);
        saved = errno;
        if (setns(self, CLONE_NEWNET) < 0) {
            /* This thread would stay in the user's network: never. */
            fprintf(stderr, "racelab: cannot leave sandbox network: %s\n",
                    strerror(errno));
            abort();
        }
    } else {
        saved = errno;
    }
    if (target >= 0)
        close(target);
    if (self >= 0)
        close(self);
    errno = saved;
    return s;
}

int rl_sandbox_run(char *const argv[], const struct rl_sandbox_opts *o,
                   struct rl_sandbox_result *r, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    struct rl_sandbox *sb = rl_sandbox_start(argv, o, err, errlen);
    if (!sb)
        return -1;
    return rl_sandbox_wait(sb, r);
}

void rl_sandbox_result_free(struct rl_sandbox_result *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
    r->out_len = r->err_len = 0;
}
