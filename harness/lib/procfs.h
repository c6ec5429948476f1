/* procfs.h: small reads of /proc: a process's state, CPU time, children,
 * threads and signal masks. */
#ifndef RACELAB_PROCFS_H
#define RACELAB_PROCFS_H

#include <sys/types.h>

/* Reads a small file whole into buf, NUL-terminated: its length (0 when
 * empty), or -1 when it cannot be opened or read. */
ssize_t rl_proc_read(const char *path, char *buf, size_t len);

/* The fields of a stat line after "(comm) ", the state letter first (the
 * name may hold spaces and parentheses); NULL when it is not one. */
const char *rl_proc_stat_fields(const char *stat);

/* What a stat file (/proc/PID/stat, /proc/PID/task/TID/stat) says. */
struct rl_proc_stat {
    char state;                        /* 'R', 'S', 'Z' ... */
    unsigned long long utime, stime;   /* clock ticks, fields 14, 15 */
    unsigned long long cutime, cstime; /* of reaped children, 16, 17 */
};
/* 0, or -1 when the task is gone or the file is not a stat line. */
int rl_proc_stat_read(const char *path, struct rl_proc_stat *st);

/* The state letter of a process ('Z' for a zombie), or 0 when gone. */
char rl_proc_state(pid_t pid);

/* CPU seconds used so far by a process and its threads, with those of its
 * reaped children when with_children is set; -1 when it is gone. */
double rl_proc_cpu_seconds(pid_t pid, int with_children);

/* The last pid of the "NSpid:" line of a status text: the process's pid
 * in its innermost pid namespace; -1 without the line. */
long rl_proc_ns_pid(const char *status);

/* The mask `field` ("SigCgt", "ShdPnd") of /proc/PID/status: 0, or -1. */
int rl_proc_status_mask(pid_t pid, const char *field, unsigned long long *mask);

/* Entries of /proc/PID/fd and /proc/PID/task; -1 when gone. */
int rl_proc_count_fds(pid_t pid);
int rl_proc_count_tasks(pid_t pid);

/* Called for each pid listed; a positive return stops the walk. */
typedef int (*rl_proc_pid_fn)(pid_t pid, void *arg);

/* Calls fn for each pid of a children file ("/proc/thread-self/children"):
 * fn's positive return, 0 at the end, or -1 when the file cannot be read.
 * Async-signal-safe enough for a forked child: no allocation. */
int rl_proc_each_listed(const char *path, rl_proc_pid_fn fn, void *arg);
/* The children one thread forked (the kernel lists them under it). */
int rl_proc_thread_children(pid_t pid, pid_t tid, rl_proc_pid_fn fn, void *arg);
/* The children of every thread of pid (outside pids: our /proc is the
 * host's): fn's positive return, else 0. */
int rl_proc_children(pid_t pid, rl_proc_pid_fn fn, void *arg);

/* The thread of pid named `comm` (pthread_setname_np), or 0. */
pid_t rl_proc_find_thread(pid_t pid, const char *comm);

/* One line of /proc/PID/maps; of_exe: its file is the program's own
 * (/proc/PID/exe), whose code and globals readers look for. */
struct rl_proc_mapping {
    unsigned long long lo, hi, offset;
    char perms[8];    /* "r-xp" */
    const char *file; /* "" for an anonymous mapping */
    int of_exe;
};
typedef int (*rl_proc_mapping_fn)(const struct rl_proc_mapping *m, void *arg);
/* Calls fn for each mapping of pid, in address order: fn's positive
 * return, 0 at the end, or -1 when the files cannot be read. */
int rl_proc_each_mapping(pid_t pid, rl_proc_mapping_fn fn, void *arg);

#endif
