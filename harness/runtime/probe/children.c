/* children.c: the probe's fork tracking and zombie-child evidence, and the
 * main process's exit-time checks. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "probe_events.h"

#define REAL(name)                                                             \
    ({                                                                         \
        if (!real_##name)                                                      \
            real_##name = (__typeof__(name) *)rlp_real(#name);                 \
        real_##name;                                                           \
    })
#define DECLARE_REAL(name) static __typeof__(name) *real_##name

DECLARE_REAL(fork);
DECLARE_REAL(posix_spawn);
DECLARE_REAL(posix_spawnp);
DECLARE_REAL(waitpid);
DECLARE_REAL(wait);
DECLARE_REAL(wait3);
DECLARE_REAL(wait4);
DECLARE_REAL(waitid);
DECLARE_REAL(_exit);
DECLARE_REAL(_Exit);

enum {
    MAX_CHILDREN = 512,
    SLOT_FILLING = -1,
};
static const unsigned long long LONG_ZOMBIE_NS = 1000000000ull; /* 1 s */
static const long SETTLE_NS = 150000000; /* a SIGCHLD handler's chance */

/*
 * Children this process started.  A slot is claimed by CAS on pid
 * (0 -> SLOT_FILLING -> pid), with no lock, because fork is
 * async-signal-safe and may run in a handler that interrupted another
 * fork.  A slot is freed (pid -> 0) once the child is no longer ours.
 */
struct child {
    int32_t pid;
    int32_t reported;                /* 1 once a ZOMBIE event covers it */
    unsigned long long zombie_since; /* first seen as a zombie at a fork */
    struct rlp_site site;            /* where fork was called */
};
static struct child children[MAX_CHILDREN];

/* ---- /proc/PID/stat without stdio or the probe's own open wrapper ---- */

static void proc_stat_path(char *path, int pid)
{
    path[0] = '\0';
    rlp_detail_cat(path, "/proc/");
    rlp_detail_num(path, pid);
    rlp_detail_cat(path, "/stat");
}

/* The child's state letter ('Z' for a zombie), or 0 when pid is no
 * longer a child of this process (reaped, or the number reused). */
static char child_state(int pid)
{
    char path[RLP_DETAIL], buf[512];
    proc_stat_path(path, pid);
    int fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    long n = syscall(SYS_read, fd, buf, sizeof buf - 1);
    syscall(SYS_close, fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    /* "pid (comm) S ppid ...": comm may hold spaces and parentheses. */
    char *end = strrchr(buf, ')');
    if (!end || end[1] != ' ' || !end[2] || end[3] != ' ')
        return 0;
    if (atoi(end + 4) != getpid())
        return 0;
    return end[2];
}

/* ---- the table ---- */

static void forget(struct child *c, int32_t pid)
{
    __atomic_compare_exchange_n(&c->pid, &pid, 0, 0, __ATOMIC_ACQ_REL,
                                __ATOMIC_ACQUIRE);
}

static void remember(int pid, const struct rlp_site *site)
{
    for (int i = 0; i < MAX_CHILDREN; i++) /* an older child by that pid */
        if (__atomic_load_n(&children[i].pid, __ATOMIC_ACQUIRE) == pid)
            forget(&children[i], pid);
    for (int i = 0; i < MAX_CHILDREN; i++) {
        struct child *c = &children[i];
        int32_t expect = 0;
        if (!__atomic_compare_exchange_n(&c->pid, &expect, SLOT_FILLING, 0,
                                         __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            continue;
        c->reported = 0;
        c->zombie_since = 0;
        c->site = *site;
        __atomic_store_n(&c->pid, pid, __ATOMIC_RELEASE);
        return;
    }
    rlp->overflow = 1;
}

/* Fork sites that already have a ZOMBIE event: one event per site, so
 * that a server leaving hundreds of zombies cannot fill the table. */
enum { MAX_SITES = 64 };
static struct rlp_site event_sites[MAX_SITES];
static int nevent_sites;
static volatile int sites_lock; /* guards event_sites and reporting */

static int same_site(const struct rlp_site *a, const struct rlp_site *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

static int site_has_event(const struct rlp_site *site)
{
    for (int i = 0; i < nevent_sites; i++)
        if (same_site(&event_sites[i], site))
            return 1;
    return 0;
}

/* A try-lock: a fork in a handler may interrupt a fork-time check on the
 * same thread, so nobody may wait for this lock forever. */
static int lock_sites(long spins)
{
    for (long i = 0; i <= spins; i++) {
        if (!__atomic_exchange_n(&sites_lock, 1, __ATOMIC_ACQUIRE))
            return 1;
        __builtin_ia32_pause();
    }
    return 0;
}

static void unlock_sites(void)
{
    __atomic_store_n(&sites_lock, 0, __ATOMIC_RELEASE);
}

/* Records one event for c's fork site naming c and `more` other children
 * of that site, unless the site has one already.  Under sites_lock. */
static void report_zombie(struct child *c, int more, int long_lived)
{
    c->reported = 1;
    if (site_has_event(&c->site))
        return;
    if (nevent_sites < MAX_SITES)
        event_sites[nevent_sites++] = c->site;
    char detail[RLP_DETAIL] = "child ";
    rlp_detail_num(detail, c->pid);
    if (more > 0) {
        rlp_detail_cat(detail, " and ");
        rlp_detail_num(detail, more);
        rlp_detail_cat(detail, " more");
    }
    if (long_lived)
        rlp_detail_cat(detail, " exited but was not reaped for over 1 s "
                               "(zombie)");
    else if (more > 0)
        rlp_detail_cat(detail, " exited but were never reaped (zombies)");
    else
        rlp_detail_cat(detail, " exited but was never reaped (zombie)");
    rlp_event_add(RLP_E_ZOMBIE, &c->site, NULL, -1,
                  long_lived ? 0 : RLP_EV_AT_EXIT, detail);
}

/*
 * At each fork: a child seen as a zombie at an earlier fork at least 1 s
 * ago, and still one, is evidence for a server that never reaps (such a
 * program is usually killed, so its exit check never runs).  Children
 * that are gone free their slots.
 */
static void check_long_zombies(void)
{
    if (!lock_sites(0))
        return; /* another fork is checking; the next fork will */
    unsigned long long now = rlp_now_ns();
    for (int i = 0; i < MAX_CHILDREN; i++) {
        struct child *c = &children[i];
        int32_t pid = __atomic_load_n(&c->pid, __ATOMIC_ACQUIRE);
        if (pid <= 0)
            continue;
        char state = child_state(pid);
        if (!state) {
            forget(c, pid);
        } else if (state != 'Z' || c->reported) {
            c->zombie_since = 0;
        } else if (!c->zombie_since) {
            c->zombie_since = now;
        } else if (now - c->zombie_since >= LONG_ZOMBIE_NS) {
            report_zombie(c, 0, 1);
        }
    }
    unlock_sites();
}

static void note_child(pid_t pid)
{
    if (!rlp || pid <= 0)
        return;
    int saved = errno;
    struct rlp_site site;
    rlp_capture_site(&site, 0);
    check_long_zombies();
    remember(pid, &site);
    errno = saved;
}

/* ---- wrappers ---- */

pid_t fork(void)
{
    int token = RLP_HCALL_BEGIN(NULL);
    pid_t pid = REAL(fork)();
    RLP_HCALL_END(token);
    if (pid > 0)
        note_child(pid);
    return pid;
}

/* vfork's child borrows the caller's stack, so no wrapper may return
 * into it: it becomes a fork, which every correct use of vfork
 * (exec or _exit at once) tolerates. */
pid_t vfork(void)
{
    return fork();
}

int posix_spawn(pid_t *pid, const char *path,
                const posix_spawn_file_actions_t *actions,
                const posix_spawnattr_t *attr, char *const argv[],
                char *const envp[])
{
    pid_t child;
    int ret = REAL(posix_spawn)(&child, path, actions, attr, argv, envp);
    if (ret == 0) {
        if (pid)
            *pid = child;
        note_child(child);
    }
    return ret;
}

int posix_spawnp(pid_t *pid, const char *file,
                 const posix_spawn_file_actions_t *actions,
                 const posix_spawnattr_t *attr, char *const argv[],
                 char *const envp[])
{
    pid_t child;
    int ret = REAL(posix_spawnp)(&child, file, actions, attr, argv, envp);
    if (ret == 0) {
        if (pid)
            *pid = child;
        note_child(child);
    }
    return ret;
}

/* The wait family is wrapped only so that, in a handler, the errno it
 * leaves (ECHILD) is blamed on the user's call. */
pid_t waitpid(pid_t pid, int *status, int options)
{
    int token = RLP_HCALL_BEGIN(NULL);
    pid_t ret = REAL(waitpid)(pid, status, options);
    RLP_HCALL_END(token);
    return ret;
}

pid_t wait(int *status)
{
    int token = RLP_HCALL_BEGIN(NULL);
    pid_t ret = REAL(wait)(status);
    RLP_HCALL_END(token);
    return ret;
}

pid_t wait3(int *status, int options, struct rusage *usage)
{
    int token = RLP_HCALL_BEGIN(NULL);
    pid_t ret = REAL(wait3)(status, options, usage);
    RLP_HCALL_END(token);
    return ret;
}

pid_t wait4(pid_t pid, int *status, int options, struct rusage *usage)
{
    int token = RLP_HCALL_BEGIN(NULL);
    pid_t ret = REAL(wait4)(pid, status, options, usage);
    RLP_HCALL_END(token);
    return ret;
}

int waitid(idtype_t type, id_t id, siginfo_t *info, int options)
{
    int token = RLP_HCALL_BEGIN(NULL);
    int ret = REAL(waitid)(type, id, info, options);
    RLP_HCALL_END(token);
    return ret;
}

/* ---- exit-time checks ---- */

/* Sleeps ns, letting signal handlers run; a raw syscall so that no
 * wrapper (the probe's or the program's) sees it. */
static void settle(long ns)
{
    struct timespec left = {ns / 1000000000, ns % 1000000000};
    while (syscall(SYS_nanosleep, &left, &left) == -1 && errno == EINTR)
        ;
}

/* Marks in zombie[] the unreported tracked children that are zombies;
 * returns how many tracked children are still ours. */
static int scan(char zombie[MAX_CHILDREN])
{
    int alive = 0;
    for (int i = 0; i < MAX_CHILDREN; i++) {
        int32_t pid = __atomic_load_n(&children[i].pid, __ATOMIC_ACQUIRE);
        char state = pid > 0 && !children[i].reported ? child_state(pid) : 0;
        zombie[i] = state == 'Z';
        alive += state != 0;
    }
    return alive;
}

/* One event per fork site for the zombies in confirmed[]. */
static void report_confirmed(const char confirmed[MAX_CHILDREN])
{
    for (int i = 0; i < MAX_CHILDREN; i++) {
        struct child *c = &children[i];
        if (!confirmed[i] || c->reported)
            continue;
        int more = 0;
        for (int j = i + 1; j < MAX_CHILDREN; j++)
            if (confirmed[j] && !children[j].reported &&
                same_site(&children[j].site, &c->site)) {
                children[j].reported = 1;
                more++;
            }
        report_zombie(c, more, 0);
    }
}

/*
 * A child counts as a zombie only if it stayed one across a pause of
 * SETTLE_NS, during which a SIGCHLD handler could have reaped it; one
 * that became a zombie during the pause gets one more pause.  Children
 * still running at exit are not zombies and are not waited for.  All
 * scans come before any report, so that one event counts them all.
 */
void rlp_children_exit_check(void)
{
    static char before[MAX_CHILDREN], now[MAX_CHILDREN], later[MAX_CHILDREN];
    static char confirmed[MAX_CHILDREN];
    if (scan(before) == 0)
        return;
    settle(SETTLE_NS);
    scan(now);
    int fresh = 0;
    for (int i = 0; i < MAX_CHILDREN; i++) {
        confirmed[i] = before[i] && now[i];
        fresh += now[i] && !before[i];
    }
    if (fresh > 0) {
        settle(SETTLE_NS);
        scan(later);
        for (int i = 0; i < MAX_CHILDREN; i++)
            confirmed[i] |= now[i] && !before[i] && later[i];
    }
    /* Waits a while for a fork-time check in another thread; a handler
     * that interrupted one on this thread must not wait forever. */
    int locked = lock_sites(1000000);
    report_confirmed(confirmed);
    if (locked)
        unlock_sites();
}

/* Main process only, once, whichever way it ends first. */
static void exit_checks(void)
{
    static int done;
    if (!rlp || rlp_in_fork_child || getpid() != rlp->pid)
        return;
    if (__atomic_exchange_n(&done, 1, __ATOMIC_ACQ_REL))
        return;
    int saved = errno;
    rlp_fds_exit_check();
    rlp_children_exit_check();
    errno = saved;
}

/* Runs after the program's atexit handlers (ld.so's fini comes last). */
__attribute__((destructor)) static void children_fini(void)
{
    exit_checks();
}

void _exit(int status)
{
    exit_checks();
    REAL(_exit)(status);
    __builtin_unreachable();
}

void _Exit(int status)
{
    exit_checks();
    REAL(_Exit)(status);
    __builtin_unreachable();
}

__attribute__((constructor(102))) static void children_init(void)
{
    REAL(fork);
    REAL(posix_spawn);
    REAL(posix_spawnp);
    REAL(waitpid);
    REAL(wait);
    REAL(wait3);
    REAL(wait4);
    REAL(waitid);
    REAL(_exit);
    REAL(_Exit);
}
