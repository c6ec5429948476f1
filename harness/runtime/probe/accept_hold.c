/* accept_hold.c: the probe's connection-thread checks: makes a &connfd race
 * happen on cue, and notes the descriptor each connection thread leaves. */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "probe_conn.h"
#include "probe_sync.h"

/*
 * A thread-per-connection server that passes &connfd to pthread_create
 * is only wrong if the new thread reads *vargp after the next accept has
 * stored the next descriptor there; how often that happens depends on the
 * scheduler.  The probe makes it happen every time: a new thread whose
 * argument points at the descriptor just accepted, in its creator's
 * stack, starts only once the creator's next accept has returned (and the
 * creator has had a moment to store the result), or once the creator has
 * sat in accept for IDLE_NS with no client coming, or as soon as the
 * creator waits for a lock, semaphore, condition or join (a server that
 * hands &connfd over and waits until the thread has copied it), or after
 * HOLD_NS in all, whatever the creator does.  A malloc'd copy, or the
 * descriptor passed by value, is never held: a correct server runs
 * exactly as without the probe.
 */
#define IDLE_NS 300000000ull  /* creator blocked in accept, no client */
#define HOLD_NS 2000000000ull /* longest hold, whatever the creator does */
#define STORE_NS 200000000ull /* for the creator to store its result */
#define POLL_NS 20000000ull   /* futex wake-up check, in case of a miss */
#define STORE_POLL_NS 1000000 /* nanosleep step while waiting for a store */

/* What an accepting thread (by slot) last accepted.  seq counts its
 * accepts; fd and site are written before seq is bumped, under the
 * table lock, and read under it. */
struct acceptor {
    uint32_t seq;           /* futex word: the held threads wait on it */
    uint32_t claimed;       /* seq of the accept a new thread was handed */
    uint64_t waiting_since; /* when it entered accept; 0: not in accept */
    int32_t fd;
    struct rlp_site site; /* where the program called accept */
};
static struct acceptor acceptors[RLP_MAX_THREADS];

/* A connection thread, by slot: written by its creator before the real
 * pthread_create, read by the thread itself. */
struct conn {
    int hold;
    int creator;  /* the creator's slot */
    uint32_t seq; /* the creator's accept count when it was created */
    int32_t fd;   /* the descriptor it was handed */
    void *arg;    /* where that descriptor is, when held */
    dev_t dev;    /* what fd was at creation, to tell a reused number */
    ino_t ino;
};
static struct conn conns[RLP_MAX_THREADS];

/* This thread's stack top, for the "arg is in my stack" test. */
static RLP_TLS uintptr_t stack_top;

static void sleep_ns(unsigned long long ns)
{
    struct timespec ts = {(time_t)(ns / 1000000000ull),
                          (long)(ns % 1000000000ull)};
    syscall(SYS_nanosleep, &ts, NULL);
}

/* Waits while *word == value, at most ns.  A raw futex: nothing a
 * sanitizer or the probe's own wrappers could see as synchronization. */
static void futex_wait(uint32_t *word, uint32_t value, unsigned long long ns)
{
    struct timespec ts = {(time_t)(ns / 1000000000ull),
                          (long)(ns % 1000000000ull)};
    syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, value, &ts, NULL, 0);
}

static void futex_wake_all(uint32_t *word)
{
    syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

/* Reads an int at p without faulting when p is not a valid pointer (an
 * argument may be any value cast to void *).  0 on success. */
static int read_int(const void *p, int *value)
{
    struct iovec local = {value, sizeof *value};
    struct iovec remote = {(void *)p, sizeof *value};
    return process_vm_readv(getpid(), &local, 1, &remote, 1, 0) ==
                   (ssize_t)sizeof *value
               ? 0
               : -1;
}

/* 1 when p lies in the calling thread's stack, below its live frames. */
static int on_my_stack(const void *p)
{
    uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
    if (!stack_top) {
        pthread_attr_t a;
        void *addr;
        size_t size;
        if (pthread_getattr_np(pthread_self(), &a) != 0)
            return 0;
        if (pthread_attr_getstack(&a, &addr, &size) == 0)
            stack_top = (uintptr_t)addr + size;
        pthread_attr_destroy(&a);
    }
    return (uintptr_t)p >= sp && (uintptr_t)p < stack_top;
}

void rlp_conn_accepting(void)
{
    struct rlp_thread *self = rlp_self;
    if (rlp && !rlp_in_fork_child && self)
        __atomic_store_n(&acceptors[self->index].waiting_since, rlp_now_ns(),
                         __ATOMIC_RELAXED);
}

void rlp_conn_accepted(int fd)
{
    struct rlp_thread *self = rlp_self;
    if (!rlp || rlp_in_fork_child || !self)
        return;
    struct acceptor *a = &acceptors[self->index];
    __atomic_store_n(&a->waiting_since, 0, __ATOMIC_RELAXED);
    if (fd < 0)
        return;
    struct rlp_site site;
    int saved = errno;
    rlp_capture_site(&site, 0);
    rlp_lock_tables();
    a->fd = fd;
    a->site = site;
    __atomic_add_fetch(&a->seq, 1, __ATOMIC_RELEASE);
    rlp_unlock_tables();
    futex_wake_all(&a->seq);
    errno = saved;
}

/* The descriptor a new thread is handed: the one its creator accepted
 * last and handed to no thread yet, passed by value or through arg. */
static int handed_fd(struct acceptor *a, void *arg, uint32_t *seq, int *by_ptr,
                     struct rlp_site *site)
{
    rlp_lock_tables();
    *seq = a->seq;
    int fd = *seq != 0 && *seq != a->claimed ? a->fd : -1;
    *site = a->site;
    rlp_unlock_tables();
    int value;
    *by_ptr = 0;
    if (fd < 0 || (intptr_t)arg == fd)
        return fd;
    *by_ptr = read_int(arg, &value) == 0 && value == fd;
    return *by_ptr ? fd : -1;
}

void rlp_conn_created(int slot, void *arg)
{
    struct rlp_thread *self = rlp_self;
    if (!rlp || rlp_in_fork_child || !self || slot <= 0)
        return;
    struct acceptor *a = &acceptors[self->index];
    uint32_t seq;
    int by_ptr;
    struct rlp_site site;
    int fd = handed_fd(a, arg, &seq, &by_ptr, &site);
    if (fd < 0)
        return;
    struct conn *k = &conns[slot];
    struct stat st;
    memset(k, 0, sizeof *k);
    a->claimed = seq;
    k->creator = self->index;
    k->seq = seq;
    k->fd = fd;
    k->arg = arg;
    if (fstat(fd, &st) == 0) {
        k->dev = st.st_dev;
        k->ino = st.st_ino;
    }
    k->hold = by_ptr && on_my_stack(arg);
    struct rlp_thread *t = &rlp->threads[slot];
    t->conn_accept_site = site;
    t->conn_fd = fd + 1;
    if (k->hold)
        __atomic_or_fetch(&t->conn_flags, RLP_CONN_HELD, __ATOMIC_RELAXED);
}

/* 1 when the creator has sat in accept for IDLE_NS: no client is coming
 * soon, so the thread must go on and serve its own. */
static int creator_idle(const struct acceptor *a, unsigned long long now)
{
    uint64_t since = __atomic_load_n(&a->waiting_since, __ATOMIC_RELAXED);
    return since != 0 && now > since + IDLE_NS;
}

/* Waits until the creator's accept count passes seq (or it is idle in
 * accept, or HOLD_NS went by); returns the new count. */
static uint32_t wait_next_accept(struct acceptor *a, int creator, uint32_t seq)
{
    const struct rlp_thread *c = &rlp->threads[creator];
    unsigned long long deadline = rlp_now_ns() + HOLD_NS;
    uint32_t now_seq;
    while ((now_seq = __atomic_load_n(&a->seq, __ATOMIC_ACQUIRE)) == seq) {
        unsigned long long now = rlp_now_ns();
        if (now >= deadline || creator_idle(a, now) ||
            __atomic_load_n(&c->state, __ATOMIC_RELAXED) != RLP_T_RUNNING)
            break;
        unsigned long long left = deadline - now;
        futex_wait(&a->seq, seq, left < POLL_NS ? left : POLL_NS);
    }
    return now_seq;
}

/* The creator stores accept's result just after it returns: gives it
 * STORE_NS to do so.  Returns the int at arg then (or -1). */
static int wait_store(void *arg, int fd)
{
    unsigned long long deadline = rlp_now_ns() + STORE_NS;
    int value = -1;
    while (read_int(arg, &value) == 0 && value != fd && rlp_now_ns() < deadline)
        sleep_ns(STORE_POLL_NS);
    return value;
}

static void record_race(int slot, const struct conn *k, int newfd,
                        const struct rlp_site *accept_site)
{
    struct rlp_thread *t = &rlp->threads[slot];
    char detail[RLP_DETAIL];
    __atomic_or_fetch(&t->conn_flags, RLP_CONN_RACED, __ATOMIC_RELAXED);
    snprintf(detail, sizeof detail,
             "thread %d was handed fd %d; before it read it, a later "
             "accept stored fd %d there",
             slot + 1, k->fd, newfd);
    rlp_event_add(RLP_E_CONNFD_RACE, accept_site, &t->create_site, slot + 1, 0,
                  detail);
}

void rlp_conn_start(int slot)
{
    if (!rlp || slot <= 0 || slot >= RLP_MAX_THREADS || !conns[slot].hold)
        return;
    const struct conn *k = &conns[slot];
    struct acceptor *a = &acceptors[k->creator];
    if (wait_next_accept(a, k->creator, k->seq) == k->seq)
        return; /* no next client: nothing overwrote the argument */
    struct rlp_site site;
    rlp_lock_tables();
    int newfd = a->fd;
    site = a->site;
    rlp_unlock_tables();
    int seen = wait_store(k->arg, newfd);
    rlp->threads[slot].conn_seen_fd = seen >= 0 ? seen + 1 : 0;
    if (seen == newfd && newfd != k->fd)
        record_race(slot, k, newfd, &site);
}

void rlp_conn_ended(struct rlp_thread *t)
{
    if (!rlp || !t || t->conn_fd <= 0 || t->index <= 0 ||
        t->index >= RLP_MAX_THREADS)
        return;
    const struct conn *k = &conns[t->index];
    struct stat st;
    /* Still the connection it was handed, still open.  Whoever closes it
     * later clears the flag (rlp_conn_closing): only then is it no leak. */
    if (fstat(k->fd, &st) == 0 && st.st_dev == k->dev && st.st_ino == k->ino)
        __atomic_or_fetch(&t->conn_flags, RLP_CONN_LEFT_OPEN, __ATOMIC_RELAXED);
}

void rlp_conn_closing(int fd)
{
    if (!rlp || rlp_in_fork_child || fd < 0)
        return;
    uint32_t n = __atomic_load_n(&rlp->nthreads, __ATOMIC_RELAXED);
    for (uint32_t i = 1; i < n && i < RLP_MAX_THREADS; i++) {
        struct rlp_thread *t = &rlp->threads[i];
        if (t->conn_fd == fd + 1 &&
            (__atomic_load_n(&t->conn_flags, __ATOMIC_RELAXED) &
             RLP_CONN_LEFT_OPEN))
            __atomic_and_fetch(&t->conn_flags, ~RLP_CONN_LEFT_OPEN,
                               __ATOMIC_RELAXED);
    }
}
