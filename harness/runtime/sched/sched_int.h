/* sched_int.h: the seeded scheduler's internals, shared by its three files. */
#ifndef RACELAB_SCHED_INT_H
#define RACELAB_SCHED_INT_H

#include <stdint.h>

#include "protocol/sched_wire.h"

enum rs_state { RS_FREE, RS_RUNNABLE, RS_BLOCKED, RS_DONE };

enum { RS_STACK = 32 }; /* shadow call stack depth kept per thread */

struct rs_thread {
    int state;
    int64_t prio;
    volatile int go;    /* futex: 1 when it is this thread's turn */
    unsigned long real; /* pthread_t */
    void *(*fn)(void *);
    void *arg, *ret;
    int joined; /* joined or detached: its pthread_t may be reused */
    /* What it waits for while RS_BLOCKED. */
    int wait_kind, wait_timed, timed_out;
    uint64_t wait_obj;
    uint64_t wait_pc[RS_FRAMES];
    int woken; /* cond wait: signalled */
    uint64_t ticket;
    /* Shadow stack from __tsan_func_entry: callers' return addresses. */
    uint64_t stack[RS_STACK];
    int depth;
    /* The last write, whose value is read at the thread's next step. */
    uint64_t pw_index, pw_old;
    int pw_pending, pw_shared;
    uint64_t idle_steps; /* consecutive steps without a visible change */
};

/* A mutex, rwlock, semaphore, barrier or condition, found by address. */
struct rs_obj {
    uint64_t addr;
    int kind;  /* enum rs_wait */
    int owner; /* mutex/rwlock writer: thread, or -1 */
    int count; /* recursion depth, readers, semaphore value, arrivals */
    int limit; /* barrier: parties */
    int recursive;
    uint64_t generation; /* barrier */
    uint64_t held_pc[RS_FRAMES];
};

extern int rs_active;        /* 1 in a run the scheduler drives */
extern __thread int rs_self; /* this thread's index, or -1 */
extern struct rs_thread rs_threads[RS_MAX_THREADS];
extern int rs_nthreads;

/* Called on entry of every hook: 1 when the scheduler drives this call. */
static inline int rs_on(void)
{
    return rs_active && rs_self >= 0;
}

/* Fills pc[] with `ret` (the call in user code) and the shadow stack. */
void rs_site(uint64_t ret, uint64_t pc[RS_FRAMES]);
/* Records a step of the calling thread; returns its absolute index. */
uint64_t rs_record(int op, uint64_t addr, int size, uint64_t value,
                   uint64_t other, const uint64_t pc[RS_FRAMES]);
/* A scheduling point: lets PCT pick who runs next. */
void rs_point(void);
/* The thread cannot go on: picks another, returns when woken and picked. */
void rs_block(int kind, uint64_t obj, int timed, const uint64_t pc[RS_FRAMES]);
/* Makes a blocked thread runnable again (it runs when PCT picks it). */
void rs_wake(int t);
/* A visible change happened: resets the livelock count. */
void rs_progress(void);
/* Lowers this thread below every other (yield, sleep, spinning). */
void rs_demote(void);
/* Reads the value of the calling thread's last write into its step. */
void rs_finish_write(void);
uint64_t rs_random(void);
int rs_spurious_ok(void);

struct rs_obj *rs_obj_get(uint64_t addr, int kind);
void rs_obj_forget(uint64_t addr);

/* Thread life cycle (sched_sync.c calls these). */
int rs_thread_new(void *(*fn)(void *), void *arg);
void rs_thread_start(int t);
void rs_thread_exit(void *ret);

#endif
