/* probe_analysis.h: deadlock, livelock, starvation and lock-order verdicts
 * from the probe's table and /proc figures (pure: no I/O). */
#ifndef RACELAB_PROBE_ANALYSIS_H
#define RACELAB_PROBE_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>

#include "engine/finding.h"
#include "protocol/probe_shm.h"
#include "tools/symbolize.h"

/* A thread as /proc shows it. */
struct rl_task {
    int32_t ns_tid; /* its id inside the program's PID namespace */
    char state;     /* R, S, D, Z, ... */
    /* Read at the final look only (tools/probe_stacks.h): */
    int32_t syscall;       /* the system call it is blocked in, or -1 */
    struct rlp_site stack; /* the user's frames on its stack, or zeros */
};

/* One look at the running program. */
struct rl_probe_sample {
    double elapsed;   /* seconds since the program started */
    double cpu;       /* the process's user + system seconds so far */
    uint64_t mono_ns; /* CLOCK_MONOTONIC when taken (the probe's clock) */
    int final;        /* the last look, at the timeout */
    /* Something outside the table could still wake a blocked thread: a
     * signal handler (sem_post is async-signal-safe) or a live child
     * process (a process-shared semaphore).  A deadlock in which some
     * thread waits on a semaphore is then only declared at the final
     * look. */
    int outside_wakers;
    int have_tasks; /* 0 when /proc could not be read */
    size_t ntasks;
    struct rl_task tasks[RLP_MAX_THREADS];
    struct rlp_shm shm; /* a copy of the probe's table */
};

enum rl_hang_kind {
    RL_HANG_NONE,
    RL_HANG_DEADLOCK,
    RL_HANG_LIVELOCK,
    RL_HANG_STARVATION,
};

/* Which starvation rule decided. */
enum rl_starve_rule {
    RL_STARVE_REACQUIRED, /* others re-acquire the object it waits for */
    RL_STARVE_COND,       /* a cond wait loop woken in vain */
    RL_STARVE_GROUP,      /* a semaphore a group of threads keeps */
};

/* What the watcher decided, with the evidence. */
struct rl_hang_verdict {
    enum rl_hang_kind kind;
    struct rl_probe_sample *before; /* the window's start (or quiet start) */
    struct rl_probe_sample *now;    /* the sample that decided */
    int thread;                     /* starvation: the starved thread */
    enum rl_starve_rule rule;       /* starvation: which rule decided */
};

enum { RL_HANG_RING = 32 };

/* The watcher's memory between samples. */
struct rl_hang_watch {
    struct rl_probe_sample *ring[RL_HANG_RING]; /* oldest first */
    size_t nring;
    struct rl_probe_sample *quiet; /* first sample of an all-blocked stretch */
    struct rl_hang_verdict verdict;
};

void rl_hang_watch_init(struct rl_hang_watch *w);
void rl_hang_watch_free(struct rl_hang_watch *w);
/*
 * Feeds one sample (the watcher takes it over).  Returns 1 once a verdict
 * is reached (w->verdict; later samples are ignored): stop the program.
 */
int rl_hang_watch_feed(struct rl_hang_watch *w, struct rl_probe_sample *s);

/* 1 when every live thread is blocked for good in a lock, semaphore,
 * condition, join or barrier wait, by the table and by /proc. */
int rl_probe_all_blocked(const struct rl_probe_sample *s);
/* The starved thread's slot when one is starving between the two
 * samples, else -1. */
int rl_probe_starving(const struct rl_probe_sample *before,
                      const struct rl_probe_sample *now);
/* The same for a thread stuck in a wait loop on a condition variable:
 * woken in the window, back to waiting each time, while others kept
 * locking the condition's mutex; its slot, else -1. */
int rl_probe_cond_starving(const struct rl_probe_sample *before,
                           const struct rl_probe_sample *now);
/* The same for a thread blocked on a semaphore that a group of threads
 * keeps taken (one takes it, another posts it) while they keep working;
 * its slot, else -1. */
int rl_probe_group_starving(const struct rl_probe_sample *before,
                            const struct rl_probe_sample *now);
/* 1 when the program is busy without progress between the two samples;
 * runnable_share: the share of samples in between with a runnable thread. */
int rl_probe_livelocked(const struct rl_probe_sample *before,
                        const struct rl_probe_sample *now,
                        double runnable_share);

/* A wait-for cycle: thread[i] waits for an object thread[i+1] holds (or
 * is the only one to post); thread[n-1] waits for thread[0]. */
struct rl_wait_cycle {
    size_t n;
    int thread[RLP_MAX_THREADS];
    uint64_t object[RLP_MAX_THREADS]; /* what thread[i] waits for */
    int posted[RLP_MAX_THREADS]; /* 1: thread[i+1] posts it, not holds it */
};
/* 1 when the blocked threads of shm form a wait-for cycle. */
int rl_probe_wait_cycle(const struct rlp_shm *shm, struct rl_wait_cycle *c);

enum { RL_MAX_CYCLE = 8 };

/* A lock-order cycle: edge[i].second == edge[i+1].first. */
struct rl_lock_cycle {
    size_t n;
    int edge[RL_MAX_CYCLE];
};
/* 1 when the edges hold a cycle that can deadlock: its edges come from at
 * least two threads and no gate lock is held across all of them. */
int rl_probe_find_inversion(const struct rlp_shm *shm, struct rl_lock_cycle *c);

/* Findings (tool "probe").  sym may be NULL: then no locations. */
void rl_probe_hang_findings(const struct rl_hang_verdict *v,
                            const struct rl_symbolizer *sym,
                            struct rl_findings *out);
void rl_probe_inversion_findings(const struct rlp_shm *shm,
                                 const struct rl_symbolizer *sym,
                                 struct rl_findings *out);
/*
 * A program that ran out of time with no hang class decided: one
 * `did-not-finish` finding (tool "probe") that says for how long it ran
 * and where each thread waits, from the last sample: the object named
 * from the table (a lock, semaphore, condition, join), else the system
 * call and the user's line on its stack.  last may be NULL (no table).
 */
void rl_probe_unfinished_findings(const struct rl_probe_sample *last,
                                  double timeout,
                                  const struct rl_symbolizer *sym,
                                  struct rl_findings *out);

/* Every recorded event: kind -> ID, site (and site2) -> locations. */
void rl_probe_event_findings(const struct rlp_shm *shm,
                             const struct rl_symbolizer *sym,
                             struct rl_findings *out);
/* The failure-mode ID of an event kind, or NULL. */
const char *rl_probe_event_id(int kind);

#endif
