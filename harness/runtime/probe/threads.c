/* threads.c: the probe's wrappers for thread creation, join and exit. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "probe_conn.h"
#include "probe_sync.h"

#define REAL(name)                                                             \
    ({                                                                         \
        static __typeof__(name) *real_##name;                                  \
        if (!real_##name)                                                      \
            real_##name = (__typeof__(name) *)rlp_real(#name);                 \
        real_##name;                                                           \
    })

/* What each new thread runs, by slot; written before pthread_create and
 * read by the thread itself, so no lock is needed. */
struct start {
    void *(*fn)(void *);
    void *arg;
};
static struct start starts[RLP_MAX_THREADS];
static pthread_t handles[RLP_MAX_THREADS]; /* guarded by the table lock */

static int32_t my_tid(void)
{
    return (int32_t)syscall(SYS_gettid);
}

/* The thread's code is done; what runs after (cleanup handlers, TLS
 * destructors) is no longer recorded, so that it stays EXITED. */
static void thread_ended(struct rlp_thread *t)
{
    rlp_conn_ended(t);
    __atomic_store_n(&t->state, RLP_T_EXITED, __ATOMIC_RELEASE);
    __atomic_add_fetch(&rlp->progress, 1, __ATOMIC_RELAXED);
    rlp_self = NULL;
}

static void *trampoline(void *p)
{
    int slot = (int)(intptr_t)p;
    struct rlp_thread *t = &rlp->threads[slot];
    rlp_self = t;
    t->tid = my_tid();
    /* Also stored here: the thread may detach itself before its creator
     * returns from pthread_create. */
    rlp_lock_tables();
    handles[slot] = pthread_self();
    rlp_unlock_tables();
    rlp_conn_start(slot); /* a &connfd argument waits for the next accept */
    void *ret = starts[slot].fn(starts[slot].arg);
    thread_ended(t);
    return ret;
}

/* A new slot for a thread about to be created, or -1 when full. */
static int new_slot(const struct rlp_site *site, void *(*fn)(void *),
                    int detached)
{
    rlp_lock_tables();
    int slot = -1;
    if (rlp->nthreads < RLP_MAX_THREADS) {
        slot = (int)rlp->nthreads;
        struct rlp_thread *t = &rlp->threads[slot];
        memset(t, 0, sizeof *t);
        t->index = slot;
        t->joined_or_detached = detached;
        t->create_site = *site;
        t->start_routine = (uint64_t)(uintptr_t)fn - rlp->exe_base;
        t->state = RLP_T_RUNNING;
        rlp->nthreads++;
    } else {
        rlp->overflow = 1;
    }
    rlp_unlock_tables();
    return slot;
}

int pthread_create(pthread_t *th, const pthread_attr_t *attr,
                   void *(*fn)(void *), void *arg)
{
    struct rlp_thread *self = rlp_sync_enter();
    if (!self)
        return REAL(pthread_create)(th, attr, fn, arg);
    struct rlp_site site;
    rlp_capture_site(&site, 0);
    int detached = 0;
    if (attr)
        pthread_attr_getdetachstate(attr, &detached);
    int slot = new_slot(&site, fn, detached == PTHREAD_CREATE_DETACHED);
    if (slot < 0) {
        rlp_sync_leave();
        return REAL(pthread_create)(th, attr, fn, arg);
    }
    starts[slot].fn = fn;
    starts[slot].arg = arg;
    rlp_conn_created(slot, arg);
    rlp_busy = 0;
    int rc = REAL(pthread_create)(th, attr, trampoline, (void *)(intptr_t)slot);
    rlp_busy = 1;
    rlp_lock_tables();
    if (rc == 0) {
        handles[slot] = *th;
    } else {
        rlp->threads[slot].state = RLP_T_EXITED; /* never ran */
        rlp->threads[slot].joined_or_detached = 1;
    }
    rlp_unlock_tables();
    rlp_sync_leave();
    return rc;
}

/* The slot of a thread handle, or -1.  Handles of ended threads are
 * reused, so the newest not yet joined thread wins.  Table lock held. */
static int slot_of(pthread_t th)
{
    int found = -1;
    for (int i = (int)rlp->nthreads - 1; i >= 1; i--) {
        if (!pthread_equal(handles[i], th))
            continue;
        if (!rlp->threads[i].joined_or_detached)
            return i;
        if (found < 0)
            found = i;
    }
    return found;
}

static int mark_joined(pthread_t th)
{
    rlp_lock_tables();
    int slot = slot_of(th);
    if (slot >= 0)
        rlp->threads[slot].joined_or_detached = 1;
    rlp_unlock_tables();
    return slot;
}

/* Join and detach are noted even from threads the probe does not track
 * (beyond RLP_MAX_THREADS), so that no leak is reported wrongly. */
static void note_untracked_join(pthread_t th)
{
    if (rlp && !rlp_in_fork_child && !rlp_busy && !rlp_self)
        mark_joined(th);
}

int pthread_join(pthread_t th, void **ret)
{
    struct rlp_thread *t = rlp_sync_enter();
    if (!t) {
        note_untracked_join(th);
        return REAL(pthread_join)(th, ret);
    }
    struct rlp_site site;
    rlp_capture_site(&site, 0);
    int slot = mark_joined(th);
    rlp_wait_begin(t, (uint64_t)(slot + 1), RLP_T_WAIT_JOIN, 0, &site);
    rlp_busy = 0;
    int rc = REAL(pthread_join)(th, ret);
    rlp_busy = 1;
    rlp_wait_end(t, (uint64_t)(slot + 1), 0, 0, &site);
    __atomic_add_fetch(&rlp->progress, 1, __ATOMIC_RELAXED);
    rlp_sync_leave();
    return rc;
}

int pthread_detach(pthread_t th)
{
    if (rlp_sync_enter()) {
        mark_joined(th);
        rlp_sync_leave();
    } else {
        note_untracked_join(th);
    }
    return REAL(pthread_detach)(th);
}

void pthread_exit(void *ret)
{
    struct rlp_thread *t = rlp_sync_enter();
    if (t) {
        thread_ended(t);
        rlp_sync_leave();
    }
    REAL(pthread_exit)(ret);
    __builtin_unreachable();
}

/* After probe_core's constructor (101): the main thread is slot 0.  A
 * process that exec'ed this one (a shell, timeout) may have used the table
 * first: this process now owns it, so its thread and lock state restarts. */
__attribute__((constructor(102))) static void threads_init(void)
{
    if (!rlp)
        return;
    rlp_lock_tables();
    memset(rlp->threads, 0, sizeof rlp->threads);
    memset(rlp->locks, 0, sizeof rlp->locks);
    memset(rlp->edges, 0, sizeof rlp->edges);
    rlp->nlocks = rlp->nedges = 0;
    rlp_unlock_tables();
    struct rlp_thread *t = &rlp->threads[0];
    t->index = 0;
    t->tid = my_tid();
    t->joined_or_detached = 1; /* the main thread cannot leak */
    t->state = RLP_T_RUNNING;
    rlp->nthreads = 1;
    rlp_self = t;
}

/* At the main process's exit: every created thread nobody joined or
 * detached is a leak.  site2.pc[0] carries its start routine. */
__attribute__((destructor)) static void threads_fini(void)
{
    if (!rlp || rlp_in_fork_child || getpid() != rlp->pid)
        return;
    rlp_busy = 1; /* exit handlers may still lock: record nothing more */
    for (uint32_t i = 1; i < rlp->nthreads && i < RLP_MAX_THREADS; i++) {
        struct rlp_thread *t = &rlp->threads[i];
        if (t->joined_or_detached)
            continue;
        struct rlp_site routine;
        memset(&routine, 0, sizeof routine);
        routine.pc[0] = t->start_routine;
        char detail[RLP_DETAIL];
        snprintf(detail, sizeof detail,
                 "thread %u was neither joined nor detached", i + 1);
        rlp_event_add(RLP_E_THREAD_LEAK, &t->create_site, &routine, (int)i + 1,
                      RLP_EV_AT_EXIT, detail);
    }
    __atomic_store_n(&rlp->threads[0].state, RLP_T_EXITED, __ATOMIC_RELEASE);
    rlp->main_exited = 1;
}
