/* probe_shm.h: what the preloaded probe (racelab-probe.so) shares with the
 * harness.  The probe writes this structure into the file named by
 * RACELAB_PROBE_FILE (mmap MAP_SHARED); the harness reads it while the
 * program runs (to classify a hang) and after it ends (exit-time events).
 * Plain C types only: both sides include this header. */
#ifndef RACELAB_PROBE_SHM_H
#define RACELAB_PROBE_SHM_H

#include <stdint.h>

#define RLP_MAGIC 0x72616365u /* "race" */
/* Bumped with every change to these structures: the harness refuses a
 * table of another version (an old racelab-probe.so) instead of
 * misreading it.  2: rlp_event.number and .flags.  3: rlp_lock.takers. */
#define RLP_VERSION 3u
#define RLP_ENV_FILE "RACELAB_PROBE_FILE"
/* rlp_lock.takers records the first this many thread indexes. */
#define RLP_MAX_TAKERS 128

enum {
    RLP_MAX_FRAMES = 8, /* return addresses kept per site */
    RLP_MAX_THREADS = 128,
    RLP_MAX_HELD = 8, /* locks one thread may hold at once (tracked) */
    RLP_MAX_LOCKS = 256,
    RLP_MAX_EDGES = 256, /* lock-order edges */
    RLP_MAX_EVENTS = 256,
    RLP_DETAIL = 96,
};

/*
 * A call site: the innermost frames, as offsets into the main executable
 * (absolute pc minus the executable's load base, minus 1 so that a return
 * address falls inside the call instruction).  0 ends the list; frames
 * outside the executable (libc, the probe) are left out.
 */
struct rlp_site {
    uint64_t pc[RLP_MAX_FRAMES];
};

enum rlp_thread_state {
    RLP_T_FREE = 0, /* slot unused */
    RLP_T_RUNNING,
    RLP_T_WAIT_LOCK, /* blocked acquiring wait_object (mutex/rwlock) */
    RLP_T_WAIT_SEM,  /* blocked in sem_wait on wait_object */
    RLP_T_WAIT_COND, /* blocked in pthread_cond_wait on wait_object */
    RLP_T_WAIT_JOIN, /* blocked in pthread_join; wait_object: the
                      * joined thread's index + 1 (0: unknown) */
    RLP_T_WAIT_BARRIER,
    RLP_T_EXITED,
};

struct rlp_held {
    uint64_t lock;        /* address of the lock object */
    struct rlp_site site; /* where it was acquired */
};

/* Writers: the thread itself (under the probe's internal lock).  Readers:
 * the harness, without locking; fields are updated so that a snapshot
 * taken twice 100 ms apart is consistent for a blocked thread. */
struct rlp_thread {
    int32_t tid;                /* kernel thread id (gettid) */
    int32_t state;              /* enum rlp_thread_state */
    int32_t index;              /* 0 = main thread, then creation order */
    int32_t joined_or_detached; /* 1 once pthread_join/detach was called */
    uint64_t wait_object;       /* lock/sem/cond waited for, else 0 */
    struct rlp_site wait_site;  /* where it waits */
    uint64_t wait_since_ns;     /* CLOCK_MONOTONIC when the wait began */
    uint32_t nheld;
    struct rlp_held held[RLP_MAX_HELD];
    uint64_t acquisitions;       /* successful lock/sem acquisitions */
    uint64_t trylock_failures;   /* trylock calls that returned EBUSY */
    struct rlp_site create_site; /* where pthread_create made it */
    uint64_t start_routine;      /* offset of the thread's function */
    /* Added for the hang watcher (locks.c/threads.c): */
    uint64_t nested_acquisitions; /* acquisitions made while holding a lock:
                                   * the "work got done" sign for livelock */
    int32_t wait_timed;           /* 1: the current wait has a timeout */
    int32_t pad2;
    struct rlp_site trylock_site; /* where the last failed try was made */
    uint64_t backoffs;            /* locks released after a failed try made
                                   * while holding them: giving up */
    uint64_t productive_releases; /* locks released with no failed try
                                   * since they were taken: work done */
    /* Added for connection threads (accept_hold.c): */
    int32_t conn_fd;      /* + 1: the fd its creator had just accepted and
                           * handed to it; 0: not a connection thread */
    int32_t conn_flags;   /* RLP_CONN_* bits */
    int32_t conn_seen_fd; /* + 1: the fd in *arg when its start, held
                           * until the creator's next accept, went on */
    int32_t pad3;
    struct rlp_site conn_accept_site; /* where conn_fd was accepted */
    /* Added for starvation on condition variables (locks.c): the thread's
     * current cond wait "episode", from the first pthread_cond_wait of a
     * wait loop until it does anything else than wait again on the same
     * condition with the same mutex (normally: unlock after the loop). */
    uint64_t cond_wait_cond;        /* the condition, 0: no episode */
    uint64_t cond_wait_mutex;       /* the mutex passed with it */
    uint64_t cond_wait_since_ns;    /* CLOCK_MONOTONIC of the first wait */
    struct rlp_site cond_wait_site; /* where the first wait was made */
    uint64_t cond_wakeups;          /* returns from cond waits, ever */
    uint64_t cond_episode_wakeups;  /* returns in the current episode */
    uint64_t cond_mutex_taken;      /* the mutex's fresh acquisitions when
                                     * the episode began */
};

/* rlp_thread.conn_flags */
enum {
    RLP_CONN_HELD = 1,         /* its start waited for the creator's accept */
    RLP_CONN_RACED = 2,        /* that accept overwrote *arg meanwhile */
    RLP_CONN_LEFT_OPEN = 4,    /* it ended with conn_fd open (and nobody
                                * closed that fd since) */
    RLP_CONN_ARG_DATA = 8,     /* its argument is in the executable's data (a
                                * global or static), not its creator's stack */
    RLP_CONN_ARG_HEAP = 16,    /* ... in a heap block handed before */
    RLP_CONN_LATE_SIGNAL = 32, /* RACED after it had signalled its creator
                                * (a handshake posted before the read) */
    RLP_CONN_UNDECIDED = 64,   /* held, but its creator neither accepted
                                * again nor waited in a way the probe sees
                                * (it spun on a flag): tsan decides */
};

enum rlp_lock_kind {
    RLP_L_MUTEX = 1,
    RLP_L_RWLOCK_READ,
    RLP_L_RWLOCK_WRITE,
    RLP_L_SEM,
    RLP_L_COND,
    RLP_L_BARRIER
};

struct rlp_lock {
    uint64_t addr;
    int32_t kind; /* enum rlp_lock_kind, of the last use */
    int32_t pad;
    uint64_t acquisitions; /* by any thread, ever */
    uint64_t waiters;      /* threads blocked on it now */
    /* Added: who releases a semaphore or signals a condition variable. */
    uint64_t posts;         /* sem_post / cond_signal / broadcast;
                             * barrier: threads that passed it */
    uint64_t foreign_posts; /* sem posts by a thread not holding it:
                             * a signalling semaphore, not a lock */
    uint64_t posters[2];    /* bit i: thread index i posted/signalled */
    /* Added for starvation on condition variables (locks.c): */
    uint64_t cond_passes;  /* cond: wait episodes that ended past the loop */
    uint64_t cond_retakes; /* mutex: re-acquisitions inside a cond wait
                            * (acquisitions minus these: fresh locks) */
    /* Added for starvation behind a group (probe_analysis.c): */
    uint64_t takers[RLP_MAX_TAKERS / 64]; /* bit i: thread index i took it */
};

/*
 * Lock-order edge first -> second: a thread acquired `second` while
 * holding `first`.  gates[] lists the other locks it held at that moment
 * (for the gate-lock rule: a cycle whose edges all share a gate cannot
 * deadlock).  Recorded once per (first, second, site pair).
 */
struct rlp_edge {
    uint64_t first, second;
    struct rlp_site first_site, second_site;
    int32_t thread_index;
    uint32_t ngates;
    uint64_t gates[RLP_MAX_HELD];
    /* Added: how each lock was taken (enum rlp_lock_kind), so that a
     * cycle of read locks only (which cannot block) is not reported. */
    int32_t first_kind, second_kind;
};

enum rlp_event_kind {
    RLP_E_SIGNAL_UNSAFE = 1, /* detail: the unsafe function's name */
    RLP_E_ERRNO_CLOBBER,     /* detail: "errno 0 -> 10 in handler" */
    RLP_E_FD_LEAK,           /* detail: "fd 5 (socket) still open" */
    RLP_E_ZOMBIE,            /* detail: "child 1234 exited, never reaped" */
    RLP_E_THREAD_LEAK,       /* detail: "thread 2 neither joined nor ..." */
    RLP_E_CONNFD_RACE,       /* site: the next accept; site2: the
                              * pthread_create; detail: the two fds */
};

/* rlp_event.flags */
enum {
    RLP_EV_AT_EXIT = 1, /* recorded by an exit-time check */
};

struct rlp_event {
    int32_t kind;          /* enum rlp_event_kind */
    int32_t pid;           /* process that recorded it (fork children) */
    int32_t number;        /* what the detail names: the thread (1: main,
                            * then creation order) of THREAD_LEAK and
                            * CONNFD_RACE, the fd of FD_LEAK; else -1 */
    uint32_t flags;        /* RLP_EV_* */
    struct rlp_site site;  /* the user's code responsible */
    struct rlp_site site2; /* a second place (e.g. the handler), or 0s */
    char detail[RLP_DETAIL];
};

struct rlp_shm {
    uint32_t magic, version; /* the probe writes version, then magic */
    int32_t pid;             /* the main process */
    int32_t main_exited;     /* set by the probe's exit hook */
    uint64_t exe_base;       /* load base of the main executable */
    uint64_t progress;       /* bumped on every acquisition/post/output */
    uint32_t nthreads, nlocks, nedges, nevents;
    uint32_t overflow; /* 1 when some table was full */
    struct rlp_thread threads[RLP_MAX_THREADS];
    struct rlp_lock locks[RLP_MAX_LOCKS];
    struct rlp_edge edges[RLP_MAX_EDGES];
    struct rlp_event events[RLP_MAX_EVENTS];
};

#endif
