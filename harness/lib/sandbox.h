/* sandbox.h: run untrusted user programs with limits, and leave no survivor. */
#ifndef RACELAB_SANDBOX_H
#define RACELAB_SANDBOX_H

#include <stddef.h>
#include <sys/types.h>

/* What the watch callback is told while the program runs. */
struct rl_watch_info {
    pid_t init_pid;    /* the sandbox's own first process (outside view) */
    pid_t program_pid; /* the user's main process (outside view), or 0 */
    double elapsed;    /* seconds since start */
    int final;         /* 1: the timeout has come; last look before kill */
};

/*
 * Called about every watch_interval seconds while the program runs, and
 * once more with final=1 when the timeout comes.  Return 1 to stop the
 * program now (the harness has seen enough, e.g. a deadlock), else 0.
 */
typedef int (*rl_watch_fn)(void *arg, const struct rl_watch_info *info);

struct rl_sandbox_opts {
    const char *cwd;            /* working directory, or NULL */
    char *const *env_extra;     /* "NAME=value" added to the environment;
                                   "NAME" alone removes NAME */
    double timeout;             /* wall-clock seconds; 0 means 10 */
    size_t output_cap;          /* bytes kept of stdout and of stderr */
    unsigned long max_procs;    /* RLIMIT_NPROC-like cap (pids in cgroup) */
    unsigned long cpu_seconds;  /* RLIMIT_CPU */
    unsigned long file_bytes;   /* RLIMIT_FSIZE */
    unsigned long memory_bytes; /* via a memory cgroup; 0 = no limit */
    int address_limit_ok;       /* may RLIMIT_AS be used? never for TSan */
    int stop_signal;            /* sent first when stopping; 0 = SIGKILL */
    double stop_grace;          /* seconds between stop_signal and SIGKILL */
    rl_watch_fn watch;          /* may be NULL */
    void *watch_arg;
    double watch_interval;  /* seconds; 0 means 0.05 */
    const char *stdin_path; /* NULL means /dev/null */
    /* Untrusted code (the user's program, its compiler, its tools): as
     * root, it runs as an unprivileged uid of its own (lib/run_uid.h),
     * its folder (home) and what it holds given to that uid; and only a
     * minimal environment reaches it (PATH, HOME=home, TMPDIR=home/.tmp,
     * the locale, then env_extra), never the harness's own. */
    int confine;
    const char *home; /* its folder when confined; NULL means cwd (a
                         compiler keeps the harness's cwd, for relative
                         include folders, and writes in home) */
    /* Confined, but not to be run as a uid of its own (e.g. its sources
     * are not readable by other users): why, said in its isolation. */
    const char *uid_refused;
    /* Confined: the size of the tmpfs its work folder (home) is put on,
     * as root (lib/run_disk.h); 0 means RL_SANDBOX_DISK.  A confined run
     * also gets a filesystem view of its own (lib/sandbox_view.h). */
    unsigned long long disk_bytes;
};

/* The work folder's tmpfs, and the view's own /tmp and /dev/shm. */
#define RL_SANDBOX_DISK (512ULL << 20)
#define RL_SANDBOX_VIEW_TMP (64ULL << 20)

/* Room for the longest isolation description. */
enum { RL_ISOLATION_MAX = 384 };

struct rl_sandbox_result {
    int exited;           /* 1 when the program exited by itself */
    int exit_status;      /* its exit status when exited */
    int signal;           /* the signal that ended it, else 0 */
    int timed_out;        /* 1 when the timeout came first */
    int stopped_by_watch; /* 1 when the watch callback asked to stop */
    double wall_seconds;
    char *out, *err; /* captured stdout and stderr, NUL-terminated */
    size_t out_len, err_len;
    int out_truncated, err_truncated;
    size_t output_cap;                /* bytes kept of each: more was dropped */
    char isolation[RL_ISOLATION_MAX]; /* "pid+net namespaces, ..." */
    /* The same as facts: own pid and network namespaces; memory or pids
     * cgroups; a uid of its own, without capabilities, no_new_privs
     * (own_uid, with uid the one it ran as; else as the invoking user). */
    int pid_net_namespaces, cgroups;
    int own_uid, uid;
    /* Confined: it saw a filesystem view of its own (fs_view), its work
     * folder was a size-limited tmpfs (disk_limited). */
    int fs_view, disk_limited;
    /* Processes of the run the kernel killed for want of memory (its
     * memory cgroup's count), and that cgroup's limit (0: none). */
    unsigned long oom_kills, memory_limit;
};

struct rl_sandbox; /* a running program */

/* Processes (threads count) a sandbox allows by default, and a server's
 * runs: a server that never reaps keeps a zombie per client, and the
 * server checks make a few hundred: it must fail the checks, not fork. */
enum { RL_SANDBOX_PROCS = 256, RL_SANDBOX_SERVER_PROCS = 1024 };

/* Every option at its default (10 s, 2 GiB, 60 s of CPU, 256 processes). */
void rl_sandbox_opts_default(struct rl_sandbox_opts *o);
/* The limits of one run of the user's program under a tool (4 GiB, CPU
 * for two cores over the timeout, no RLIMIT_AS); prepare may change them. */
void rl_sandbox_opts_for_program(struct rl_sandbox_opts *o, double timeout,
                                 const char *cwd);
/* Starts argv[0] (searched in PATH) in a new sandbox. */
struct rl_sandbox *rl_sandbox_start(char *const argv[],
                                    const struct rl_sandbox_opts *o, char *err,
                                    size_t errlen);
/* Waits for the end (exit, timeout or watch), stops everything, fills r. */
int rl_sandbox_wait(struct rl_sandbox *sb, struct rl_sandbox_result *r);
/* Stops the program now (stop_signal, grace, then SIGKILL to all). */
void rl_sandbox_stop(struct rl_sandbox *sb);
/* A socket inside the sandbox's network namespace (for client drivers). */
int rl_sandbox_socket(struct rl_sandbox *sb, int domain, int type);
pid_t rl_sandbox_program_pid(struct rl_sandbox *sb);
/* start + wait */
int rl_sandbox_run(char *const argv[], const struct rl_sandbox_opts *o,
                   struct rl_sandbox_result *r, char *err, size_t errlen);
void rl_sandbox_result_free(struct rl_sandbox_result *r);

/* From now on, no run of this process gets a cgroup, as on a machine
 * that refuses them (a test hook: engine/env_fault.h, no-cgroup). */
void rl_sandbox_refuse_cgroups(void);

/* Whether a confined run's uid can read path (a file, or a folder it is
 * given or that the view makes): through the filesystem view only the
 * path's own mode counts; without a view (RACELAB_SANDBOX=nons or noview)
 * every folder on the way must let other users through too. */
int rl_sandbox_uid_can_read(const char *path);

#endif
