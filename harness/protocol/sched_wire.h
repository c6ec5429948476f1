/* sched_wire.h: what the seeded scheduler tells racelab, per explored seed. */
#ifndef RACELAB_SCHED_SHM_H
#define RACELAB_SCHED_SHM_H

#include <stdint.h>

/*
 * The runtime (harness/runtime/sched/, linked into the program) writes one text
 * file, RACELAB_SCHED_OUT, that the harness (sched_explore.c) reads:
 *
 *   calibrate STEPS
 *   seed S exit CODE signal SIG verdict NAME steps N
 *   trace S NSTEPS DROPPED            (first failing seeds of each kind,
 *   step THREAD OP SIZE ADDR VALUE OTHER PC0 PC1 PC2 PC3 RUNNABLE  or every
 * seed waiter THREAD KIND OBJ OWNER TIMED PC0..PC3 HPC0..HPC3  when replaying)
 *   output LEN                        followed by LEN bytes of output
 *   end
 *   stopped SEEDS                     (the time budget ran out)
 *
 * Numbers are decimal, ADDR VALUE and PCs hexadecimal.  PCs are return
 * addresses in the non-PIE executable (subtract 1 to find the call).
 * RUNNABLE is the mask of threads (0..63) runnable when the step's thread
 * was picked, or 0 when no pick came before the step (the thread went on
 * from its last step without a scheduling point: an unlock, a create).
 * RACELAB_SCHED_CHOICES="STEP:THREAD,..." overrides the pick made before step
 * STEP (0-based): that thread runs, and keeps the highest priority until PCT or
 * another choice changes it (stepping).
 */

enum {
    RS_FRAMES = 4,          /* pcs kept per step: the call, then callers */
    RS_MAX_THREADS = 256,   /* threads one run may create */
    RS_MAX_LOCKS = 8192,    /* sync objects (locks, semaphores...) it may use */
    RS_RING = 1 << 15,      /* steps kept (the most recent) */
    RS_MAX_WAITERS = 64,    /* blocked threads described at a deadlock */
    RS_TRACES_PER_KIND = 8, /* failing seeds recorded per kind */
    RS_EXIT_VERDICT = 86,   /* the runtime ended the run: see verdict */
    RS_DEFAULT_DEPTH = 3,   /* PCT's d */
};

enum rs_op {
    RS_OP_READ = 1,
    RS_OP_WRITE,
    RS_OP_ALOAD,  /* atomic load */
    RS_OP_ASTORE, /* atomic store */
    RS_OP_ARMW,   /* atomic read-modify-write: value is the new value */
    RS_OP_LOCK,   /* mutex acquired (rwlock: write lock) */
    RS_OP_RDLOCK,
    RS_OP_UNLOCK,
    RS_OP_TRYFAIL, /* trylock that found the lock taken */
    RS_OP_BLOCK,   /* starts waiting for OBJ (other: enum rs_wait) */
    RS_OP_SEM_WAIT,
    RS_OP_SEM_POST,
    RS_OP_COND_WAIT, /* releases the mutex (other: the mutex) */
    RS_OP_COND_WAKE, /* back from the wait (other: 1 spurious, 2 timeout) */
    RS_OP_SIGNAL,
    RS_OP_BROADCAST,
    RS_OP_BARRIER,
    RS_OP_CREATE, /* other: the new thread */
    RS_OP_START,
    RS_OP_JOIN, /* other: the joined thread */
    RS_OP_EXIT,
    RS_OP_YIELD,
    RS_OP_FORK,
    RS_OP_COUNT
};

enum rs_wait {
    RS_WAIT_NONE,
    RS_WAIT_MUTEX,
    RS_WAIT_RWLOCK,
    RS_WAIT_SEM,
    RS_WAIT_COND,
    RS_WAIT_BARRIER,
    RS_WAIT_JOIN,
    RS_WAIT_ONCE,
};

enum rs_verdict {
    RS_VERDICT_NONE,     /* the program ended by itself */
    RS_VERDICT_DEADLOCK, /* no thread could run, some were blocked */
    RS_VERDICT_LIVELOCK, /* the no-progress budget ran out */
    RS_VERDICT_BUDGET,   /* the step cap ran out while work was done */
    RS_VERDICT_STALL,    /* blocked outside the scheduler (I/O, sleep) */
    RS_VERDICT_LIMIT,    /* more threads or locks than the tables hold */
};

struct rs_step {
    uint32_t thread;
    uint16_t op;
    uint16_t size;
    uint64_t addr;
    uint64_t value;
    uint64_t other;
    uint64_t pc[RS_FRAMES];
    uint64_t runnable; /* threads 0..63 that could have run instead */
};

struct rs_waiter {
    uint32_t thread;
    uint32_t kind; /* enum rs_wait */
    uint64_t obj;
    int32_t owner; /* thread holding obj (mutex, write lock), or -1 */
    int32_t timed;
    uint64_t pc[RS_FRAMES];      /* where it waits */
    uint64_t held_pc[RS_FRAMES]; /* where owner took obj */
};

/* One run's record, in memory the explorer and its child share. */
struct rs_shm {
    uint32_t verdict;
    uint32_t nthreads;
    uint64_t counted; /* steps while two or more threads lived */
    uint64_t total;   /* steps recorded, ever (ring index = total % RING) */
    uint32_t nwaiters;
    struct rs_waiter waiters[RS_MAX_WAITERS];
    struct rs_step ring[RS_RING];
};

static inline const char *rs_op_name(unsigned op)
{
    static const char *const names[RS_OP_COUNT] = {
        "?",
        "read",
        "write",
        "atomic-load",
        "atomic-store",
        "atomic-rmw",
        "lock",
        "rdlock",
        "unlock",
        "trylock-busy",
        "block",
        "sem-wait",
        "sem-post",
        "cond-wait",
        "cond-wake",
        "cond-signal",
        "cond-broadcast",
        "barrier",
        "create",
        "start",
        "join",
        "exit",
        "yield",
        "fork",
    };
    return op < RS_OP_COUNT ? names[op] : "?";
}

#endif
