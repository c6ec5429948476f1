/* accept_hold.c: the probe's connection-thread checks: makes a &connfd race
 * happen on cue, and notes the descriptor each connection thread leaves. */
#include <errno.h>
#include <link.h>
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
 * scheduler.  The probe makes it happen every time.
 *
 * Which arguments: a pointer at the descriptor just accepted that lives
 * where the next accept can store again: the creator's stack (a local of
 * the accept loop, a struct or an array slot there), the executable's
 * writable data (a global, a static local, a global array), or a heap
 * block already handed to an earlier connection thread (one struct
 * malloc'd once and refilled).  A fresh malloc'd copy, or the descriptor
 * passed by value, is never held: a correct server runs as without the
 * probe.
 *
 * The hold, in two steps.  (1) The new thread starts only once its
 * creator's next accept has returned and the creator has stored the
 * result (or handed it to its next thread), or once the creator has sat
 * in accept for IDLE_NS with no client coming, or has run for BUSY_NS
 * without entering accept (it spins on a flag the thread sets: the probe
 * cannot see that handshake, and leaves it to tsan, see
 * connfd_analysis.c; its later threads are not held), or after HOLD_NS.
 * If the
 * next accept stored the new descriptor at the argument, the thread had
 * not read it yet: that is the race.  (2) When the creator instead waits
 * for a lock, semaphore, condition or join (a server that hands &connfd
 * over and waits until the thread says it has its copy), the thread goes
 * on, and is held again right after its first signal to another thread
 * (sem_post, a mutex unlock leaving it no lock held, a condition signal),
 * until the creator's next accept has returned and stored.  Whether the
 * thread had read the argument before that signal shows in the first
 * descriptor it uses afterwards (read, write, recv, send, close ...): its
 * own one, read before the signal, is a correct handshake; the later one
 * means it read the argument only after the signal let the creator
 * overwrite it.  Both steps are decided by what the program did, never by
 * timing: a hold that times out finds nothing.
 */
#define IDLE_NS 300000000ull      /* creator blocked in accept, no client */
#define HOLD_NS 2000000000ull     /* longest hold, whatever the creator does */
#define BLOCKED_NS 50000000ull    /* step 2: the creator waits again, so long */
#define BUSY_NS 100000000ull      /* creator outside accept: it spins ... */
#define BUSY_CPU_NS 20000000ull   /* ... if it used this much CPU meanwhile */
#define BUSY_WALL_NS 500000000ull /* ... or stayed out so long whatever */
#define STORE_NS 200000000ull     /* for the creator to store its result */
#define POLL_NS 20000000ull       /* futex wake-up check, in case of a miss */
#define STORE_POLL_NS 1000000     /* nanosleep step while waiting for a store */

/* What an accepting thread (by slot) last accepted.  seq counts its
 * accepts; fd and site are written before seq is bumped, under the
 * table lock, and read under it. */
struct acceptor {
    uint32_t seq;           /* futex word: the held threads wait on it */
    uint32_t claimed;       /* seq of the accept a new thread was handed */
    uint64_t waiting_since; /* when it entered accept; 0: not in accept */
    int32_t fd;
    struct rlp_site site; /* where the program called accept */
    int spins; /* a hold ended with it busy outside accept: it waits for
                * its threads unseen, and holding each would cost BUSY_NS */
};
static struct acceptor acceptors[RLP_MAX_THREADS];

/* A connection thread, by slot: written by its creator before the real
 * pthread_create, read by the thread itself. */
struct conn {
    int hold;
    int where;    /* enum arg_place of arg */
    int phase;    /* enum hold_phase, of step (2) */
    int creator;  /* the creator's slot */
    uint32_t seq; /* the creator's accept count when it was created */
    int32_t fd;   /* the descriptor it was handed */
    void *arg;    /* where that descriptor is, when held */
    dev_t dev;    /* what fd was at creation, to tell a reused number */
    ino_t ino;
    int32_t newfd;            /* step (2): what the next accept stored */
    struct rlp_site new_site; /* where that accept was */
};
static struct conn conns[RLP_MAX_THREADS];

/* Where a held thread's argument lives (rlp_conn_created). */
enum arg_place { ARG_ELSEWHERE, ARG_STACK, ARG_DATA, ARG_HEAP_REUSED };

/* Step (2) of a held thread's hold (see above). */
enum hold_phase {
    PHASE_NONE,  /* nothing more to check */
    PHASE_ARMED, /* released while its creator waited: hold at its signal */
    PHASE_WATCH, /* held after its signal while the next accept stored
                  * newfd: its next descriptor tells what it read */
};

/* The calling thread's slot when it is a held connection thread. */
static RLP_TLS int my_conn_slot;

/* This thread's stack top, for the "arg is in my stack" test. */
static RLP_TLS uintptr_t stack_top;

/* CPU time a thread of this process used, in ns (0 when unknown): a
 * creator that was not scheduled (a loaded machine) is not spinning. */
static unsigned long long thread_cpu_ns(int32_t tid)
{
    struct timespec ts;
    clockid_t id =
        (clockid_t)((~(unsigned)tid << 3) | 6); /* per-thread, sched */
    if (tid <= 0 || syscall(SYS_clock_gettime, id, &ts) != 0)
        return 0;
    return (unsigned long long)ts.tv_sec * 1000000000ull +
           (unsigned long long)ts.tv_nsec;
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

/* The executable's writable segments (.data, .bss): its globals and
 * static locals.  Read once; the first object dl_iterate_phdr shows is
 * the executable. */
#define MAX_DATA_RANGES 8
static uintptr_t data_lo[MAX_DATA_RANGES], data_hi[MAX_DATA_RANGES];
static int ndata_ranges = -1;

static int note_exe_data(struct dl_phdr_info *info, size_t size, void *unused)
{
    ndata_ranges = 0;
    for (int i = 0; i < info->dlpi_phnum && ndata_ranges < MAX_DATA_RANGES;
         i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_W))
            continue;
        data_lo[ndata_ranges] = info->dlpi_addr + ph->p_vaddr;
        data_hi[ndata_ranges] = data_lo[ndata_ranges] + ph->p_memsz;
        ndata_ranges++;
    }
    return 1; /* the executable only */
}

static int in_exe_data(const void *p)
{
    if (ndata_ranges < 0)
        dl_iterate_phdr(note_exe_data, NULL);
    for (int i = 0; i < ndata_ranges; i++)
        if ((uintptr_t)p >= data_lo[i] && (uintptr_t)p < data_hi[i])
            return 1;
    return 0;
}

/* 1 when an earlier connection thread of the same creator was handed the
 * same pointer: a block the creator refills for every client. */
static int handed_before(int slot, int creator, const void *arg)
{
    for (int i = 1; i < slot; i++)
        if (conns[i].fd >= 0 && conns[i].arg == arg &&
            conns[i].creator == creator && rlp->threads[i].conn_fd > 0)
            return 1;
    return 0;
}

static enum arg_place arg_place(int slot, int creator, const void *arg)
{
    if (on_my_stack(arg))
        return ARG_STACK;
    if (in_exe_data(arg))
        return ARG_DATA;
    if (handed_before(slot, creator, arg))
        return ARG_HEAP_REUSED;
    return ARG_ELSEWHERE;
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
    k->where = by_ptr ? arg_place(slot, k->creator, arg) : ARG_ELSEWHERE;
    k->hold = k->where != ARG_ELSEWHERE &&
              !__atomic_load_n(&a->spins, __ATOMIC_RELAXED);
    struct rlp_thread *t = &rlp->threads[slot];
    t->conn_accept_site = site;
    t->conn_fd = fd + 1;
    if (k->hold)
        __atomic_or_fetch(&t->conn_flags,
                          RLP_CONN_HELD |
                              (k->where == ARG_DATA          ? RLP_CONN_ARG_DATA
                               : k->where == ARG_HEAP_REUSED ? RLP_CONN_ARG_HEAP
                                                             : 0),
                          __ATOMIC_RELAXED);
}

/* 1 when the creator has sat in accept for IDLE_NS: no client is coming
 * soon, so the thread must go on and serve its own. */
static int creator_idle(const struct acceptor *a, unsigned long long now)
{
    uint64_t since = __atomic_load_n(&a->waiting_since, __ATOMIC_RELAXED);
    return since != 0 && now > since + IDLE_NS;
}

/* Why a hold ended without a next accept. */
enum hold_end {
    END_WAITING,       /* not ended: go on waiting */
    END_ACCEPTED,      /* a later accept overwrote the argument */
    END_CREATOR_WAITS, /* blocked on a lock, semaphore, condition, join */
    END_CREATOR_BUSY,  /* running outside accept for BUSY_NS: it waits for
                        * the thread in a way the probe cannot see (a flag
                        * it spins on); tsan's order of the accesses then
                        * decides (connfd_analysis.c's handoff) */
    END_IDLE,
    END_TIMEOUT
};

/* Waits until the int at k->arg is no longer k->fd: a later accept of
 * the creator stored there (any later one: a ring of slots refills its
 * slot only after several).  Gives up when the creator is idle in accept,
 * or busy outside it for BUSY_NS (spinning: using CPU), or waits for
 * something (at once in
 * step (1); for BLOCKED_NS straight in step (2), where it has just been
 * woken and may not have run yet), or after HOLD_NS; but never while an
 * accept has returned and its result is not yet handed to a thread (the
 * store may be coming), for up to STORE_NS.  Returns the new int, or -1
 * with why in *end. */
static int wait_overwrite(const struct conn *k, unsigned long long blocked_ns,
                          enum hold_end *end)
{
    struct acceptor *a = &acceptors[k->creator];
    const struct rlp_thread *c = &rlp->threads[k->creator];
    unsigned long long start = rlp_now_ns(), deadline = start + HOLD_NS;
    unsigned long long blocked_since = 0, busy_since = 0, accepted_at = 0;
    unsigned long long busy_cpu = 0;
    uint32_t last = k->seq;
    for (;;) {
        uint32_t seq = __atomic_load_n(&a->seq, __ATOMIC_ACQUIRE);
        unsigned long long now = rlp_now_ns();
        int value;
        if (read_int(k->arg, &value) != 0)
            value = k->fd; /* unmapped (a freed stack): nothing to tell */
        else if (value != k->fd) {
            *end = END_ACCEPTED;
            return value;
        }
        if (seq != last) {
            last = seq;
            accepted_at = now;
        }
        int pending = seq != k->seq &&
                      __atomic_load_n(&a->claimed, __ATOMIC_RELAXED) != seq &&
                      now < accepted_at + STORE_NS;
        int waits =
            __atomic_load_n(&c->state, __ATOMIC_RELAXED) != RLP_T_RUNNING;
        int busy =
            !waits && !__atomic_load_n(&a->waiting_since, __ATOMIC_RELAXED);
        blocked_since = !waits ? 0 : blocked_since ? blocked_since : now;
        if (!busy || pending)
            busy_since = 0;
        else if (!busy_since) {
            busy_since = now;
            busy_cpu = thread_cpu_ns(c->tid);
        }
        int spins = busy_since && now >= busy_since + BUSY_NS &&
                    (thread_cpu_ns(c->tid) >= busy_cpu + BUSY_CPU_NS ||
                     now >= busy_since + BUSY_WALL_NS);
        *end = now >= deadline                              ? END_TIMEOUT
               : pending                                    ? END_WAITING
               : creator_idle(a, now)                       ? END_IDLE
               : spins                                      ? END_CREATOR_BUSY
               : waits && now >= blocked_since + blocked_ns ? END_CREATOR_WAITS
                                                            : END_WAITING;
        if (*end != END_WAITING)
            return -1;
        unsigned long long left = deadline - now;
        unsigned long long step = pending ? STORE_POLL_NS : POLL_NS;
        futex_wait(&a->seq, seq, left < step ? left : step);
    }
}

static void record_race(int slot, const struct conn *k, int newfd,
                        const struct rlp_site *accept_site, int after_signal)
{
    struct rlp_thread *t = &rlp->threads[slot];
    char detail[RLP_DETAIL];
    t->conn_seen_fd = newfd + 1;
    __atomic_or_fetch(&t->conn_flags,
                      RLP_CONN_RACED |
                          (after_signal ? RLP_CONN_LATE_SIGNAL : 0),
                      __ATOMIC_RELAXED);
    snprintf(detail, sizeof detail,
             "thread %d was handed fd %d; before it read it, a later "
             "accept stored fd %d there",
             slot + 1, k->fd, newfd);
    rlp_event_add(RLP_E_CONNFD_RACE, accept_site, &t->create_site, slot + 1, 0,
                  detail);
}

/* The hold could not tell: the creator went on in a way the probe does
 * not see (see END_CREATOR_BUSY). */
static void note_undecided(int slot, enum hold_end end)
{
    if (end == END_CREATOR_BUSY)
        __atomic_store_n(&acceptors[conns[slot].creator].spins, 1,
                         __ATOMIC_RELAXED);
    if (end == END_CREATOR_BUSY || end == END_TIMEOUT)
        __atomic_or_fetch(&rlp->threads[slot].conn_flags, RLP_CONN_UNDECIDED,
                          __ATOMIC_RELAXED);
}

/* Waits until a later accept overwrote k->arg; returns the descriptor
 * there then (and the latest accept's site in *site), or -1. */
static int next_store(const struct conn *k, unsigned long long blocked_ns,
                      struct rlp_site *site, enum hold_end *end)
{
    int newfd = wait_overwrite(k, blocked_ns, end);
    rlp_lock_tables();
    *site = acceptors[k->creator].site;
    rlp_unlock_tables();
    return newfd;
}

void rlp_conn_start(int slot)
{
    if (!rlp || slot <= 0 || slot >= RLP_MAX_THREADS || !conns[slot].hold)
        return;
    struct conn *k = &conns[slot];
    struct rlp_site site;
    enum hold_end end;
    my_conn_slot = slot;
    int newfd = next_store(k, 0, &site, &end);
    if (newfd >= 0 && newfd != k->fd)
        record_race(slot, k, newfd, &site, 0); /* it has not run yet */
    note_undecided(slot, end);
    k->phase = end == END_CREATOR_WAITS ? PHASE_ARMED : PHASE_NONE;
}

void rlp_conn_signalled(void)
{
    int slot = my_conn_slot;
    if (!rlp || slot <= 0 || conns[slot].phase != PHASE_ARMED ||
        (rlp_self && rlp_self->nheld > 0))
        return;
    struct conn *k = &conns[slot];
    struct rlp_site site;
    enum hold_end end;
    int saved = errno;
    k->phase = PHASE_NONE;
    int newfd = next_store(k, BLOCKED_NS, &site, &end);
    if (newfd >= 0 && newfd != k->fd) {
        k->newfd = newfd;
        k->new_site = site;
        k->phase = PHASE_WATCH;
    }
    note_undecided(slot, end);
    errno = saved;
}

void rlp_conn_using(int fd)
{
    int slot = my_conn_slot;
    if (!rlp || slot <= 0 || fd < 0)
        return;
    struct conn *k = &conns[slot];
    if (k->phase == PHASE_ARMED && fd == k->fd)
        k->phase = PHASE_NONE; /* it has its descriptor: read in time */
    if (k->phase != PHASE_WATCH || (fd != k->fd && fd != k->newfd))
        return;
    k->phase = PHASE_NONE;
    if (fd == k->newfd)
        record_race(slot, k, k->newfd, &k->new_site, 1);
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
