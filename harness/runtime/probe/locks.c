/* locks.c: the probe's wrappers for mutexes, rwlocks, semaphores, conds. */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "probe_conn.h"
#include "probe_sync.h"

RLP_TLS struct rlp_thread *rlp_self;
RLP_TLS int rlp_busy;

/* The real functions, looked up once (rlp_real dies when one is absent). */
#define REAL(name)                                                             \
    ({                                                                         \
        static __typeof__(name) *real_##name;                                  \
        if (!real_##name)                                                      \
            real_##name = (__typeof__(name) *)rlp_real(#name);                 \
        real_##name;                                                           \
    })

/* Condition variables have two versions in glibc; programs built today
 * use the 2.3.2 one, which a plain dlsym may not return. */
#define REAL_COND(name)                                                        \
    ({                                                                         \
        static __typeof__(name) *real_##name;                                  \
        if (!real_##name)                                                      \
            real_##name =                                                      \
                (__typeof__(name) *)dlvsym(RTLD_NEXT, #name, "GLIBC_2.3.2");   \
        if (!real_##name)                                                      \
            real_##name = (__typeof__(name) *)rlp_real(#name);                 \
        real_##name;                                                           \
    })

/* Private index from lock address to its slot in rlp->locks (+1), so
 * that a lookup is not a scan.  Guarded by the table lock. */
enum { LOCK_HASH = 1024 };
static uint16_t lock_hash[LOCK_HASH];

static void cond_episode_end(struct rlp_thread *t);

/* The condition and mutex of this thread's last cond wait, once it has
 * returned and while the thread has done nothing else since (0: none). */
static RLP_TLS uint64_t cw_cond, cw_mutex;

struct rlp_thread *rlp_sync_enter(void)
{
    if (!rlp || rlp_in_fork_child || rlp_busy || !rlp_self)
        return NULL;
    rlp_busy = 1;
    if (cw_cond) /* anything but waiting again: it got past its wait loop */
        cond_episode_end(rlp_self);
    return rlp_self;
}

void rlp_sync_leave(void)
{
    rlp_busy = 0;
}

static unsigned hash_addr(uint64_t addr)
{
    return (unsigned)((addr >> 3) * 2654435761u) % LOCK_HASH;
}

/* The lock entry of addr, created on first use; NULL when the table is
 * full.  Table lock held. */
static struct rlp_lock *lock_entry(uint64_t addr)
{
    unsigned h = hash_addr(addr);
    for (unsigned n = 0; n < LOCK_HASH; n++, h = (h + 1) % LOCK_HASH) {
        if (lock_hash[h] == 0)
            break;
        if (rlp->locks[lock_hash[h] - 1].addr == addr)
            return &rlp->locks[lock_hash[h] - 1];
    }
    if (lock_hash[h] != 0 || rlp->nlocks >= RLP_MAX_LOCKS) {
        rlp->overflow = 1;
        return NULL;
    }
    struct rlp_lock *l = &rlp->locks[rlp->nlocks];
    l->addr = addr;
    lock_hash[h] = (uint16_t)(++rlp->nlocks);
    return l;
}

/* A held semaphore that others post is a signal, not a lock: it must not
 * count as "holding a lock".  Table lock held. */
static int is_real_lock(uint64_t addr)
{
    struct rlp_lock *l = lock_entry(addr);
    return !l || l->kind != RLP_L_SEM || l->foreign_posts == 0;
}

static int held_index(const struct rlp_thread *t, uint64_t obj)
{
    for (int i = (int)t->nheld - 1; i >= 0; i--)
        if (t->held[i].lock == obj)
            return i;
    return -1;
}

/* trylock_failures when each held lock was taken (parallel to held[]):
 * a release with failures since then is a back-off, else work done. */
static RLP_TLS uint64_t held_mark[RLP_MAX_HELD];
/* How each held lock was taken (enum rlp_lock_kind), parallel too. */
static RLP_TLS int held_kind[RLP_MAX_HELD];

static void push_held(struct rlp_thread *t, uint64_t obj, int kind,
                      const struct rlp_site *site)
{
    if (t->nheld >= RLP_MAX_HELD) {
        rlp->overflow = 1;
        return;
    }
    t->held[t->nheld].lock = obj;
    t->held[t->nheld].site = *site;
    held_mark[t->nheld] = t->trylock_failures;
    held_kind[t->nheld] = kind;
    t->nheld++;
}

/* Drops held[i]; `count`: a real release (not a condition wait). */
static void drop_held(struct rlp_thread *t, int i, int count)
{
    if (count && t->trylock_failures > held_mark[i])
        t->backoffs++;
    else if (count)
        t->productive_releases++;
    memmove(&t->held[i], &t->held[i + 1],
            (t->nheld - i - 1) * sizeof t->held[0]);
    memmove(&held_mark[i], &held_mark[i + 1],
            (t->nheld - i - 1) * sizeof held_mark[0]);
    memmove(&held_kind[i], &held_kind[i + 1],
            (t->nheld - i - 1) * sizeof held_kind[0]);
    t->nheld--;
}

static int same_edge(const struct rlp_edge *e, const struct rlp_edge *n)
{
    return e->first == n->first && e->second == n->second &&
           e->first_site.pc[0] == n->first_site.pc[0] &&
           e->second_site.pc[0] == n->second_site.pc[0] &&
           e->thread_index == n->thread_index && e->ngates == n->ngates &&
           e->first_kind == n->first_kind && e->second_kind == n->second_kind &&
           memcmp(e->gates, n->gates, n->ngates * sizeof n->gates[0]) == 0;
}

/* Edge held[i] -> obj, the thread's other held locks as gates.  One edge
 * per thread, lock pair, site pair and gate set.  Table lock held. */
static void add_edge(const struct rlp_thread *t, int i, uint64_t obj, int kind,
                     const struct rlp_site *site)
{
    struct rlp_edge n;
    memset(&n, 0, sizeof n);
    n.first = t->held[i].lock;
    n.second = obj;
    n.first_site = t->held[i].site;
    n.second_site = *site;
    n.thread_index = t->index;
    n.first_kind = held_kind[i];
    n.second_kind = kind;
    for (uint32_t j = 0; j < t->nheld; j++)
        if ((int)j != i && t->held[j].lock != obj)
            n.gates[n.ngates++] = t->held[j].lock;
    for (uint32_t k = 0; k < rlp->nedges; k++)
        if (same_edge(&rlp->edges[k], &n))
            return;
    if (rlp->nedges >= RLP_MAX_EDGES) {
        rlp->overflow = 1;
        return;
    }
    rlp->edges[rlp->nedges++] = n;
}

/* t now holds obj, taken at site.  Table lock held.  An acquisition
 * that could not block (a successful trylock) adds no lock-order edge:
 * a thread that never waits for obj cannot be part of a wait cycle. */
static void note_acquired(struct rlp_thread *t, uint64_t obj, int kind,
                          int could_block, const struct rlp_site *site)
{
    struct rlp_lock *l = lock_entry(obj);
    if (l) {
        l->kind = kind;
        l->acquisitions++;
        if (t->index >= 0 && t->index < RLP_MAX_TAKERS)
            l->takers[t->index / 64] |= 1ull << (t->index % 64);
    }
    t->acquisitions++;
    int nested = 0;
    for (uint32_t i = 0; i < t->nheld; i++) {
        if (t->held[i].lock == obj)
            continue;
        if (could_block)
            add_edge(t, (int)i, obj, kind, site);
        nested |= is_real_lock(t->held[i].lock);
    }
    if (nested)
        t->nested_acquisitions++;
    /* A semaphore taken again before its post stays one entry; one known
     * to signal (others post it) is not held at all: it would only fill
     * the held list, never to be released by this thread. */
    if (kind != RLP_L_SEM || (held_index(t, obj) < 0 && is_real_lock(obj)))
        push_held(t, obj, kind, site);
    __atomic_add_fetch(&rlp->progress, 1, __ATOMIC_RELAXED);
}

void rlp_wait_begin(struct rlp_thread *t, uint64_t obj, int state, int timed,
                    const struct rlp_site *site)
{
    rlp_lock_tables();
    if (state != RLP_T_WAIT_JOIN) {
        struct rlp_lock *l = lock_entry(obj);
        if (l)
            l->waiters++;
    }
    t->wait_object = obj;
    t->wait_site = *site;
    t->wait_since_ns = rlp_now_ns();
    t->wait_timed = timed;
    __atomic_store_n(&t->state, state, __ATOMIC_RELEASE);
    rlp_unlock_tables();
}

void rlp_wait_end(struct rlp_thread *t, uint64_t obj, int kind, int acquired,
                  const struct rlp_site *site)
{
    rlp_lock_tables();
    if (t->state != RLP_T_WAIT_JOIN) {
        struct rlp_lock *l = lock_entry(obj);
        if (l && l->waiters > 0)
            l->waiters--;
        if (l && kind == RLP_L_BARRIER) { /* passes: threads kept in step */
            l->kind = RLP_L_BARRIER;
            l->posts++;
        }
    }
    __atomic_store_n(&t->state, RLP_T_RUNNING, __ATOMIC_RELEASE);
    t->wait_object = 0;
    t->wait_timed = 0;
    if (acquired)
        note_acquired(t, obj, kind, 1, site);
    rlp_unlock_tables();
}

/* A try-acquisition returned: success holds, EBUSY/EAGAIN is a failure. */
static void try_done(struct rlp_thread *t, uint64_t obj, int kind, int ok,
                     const struct rlp_site *site)
{
    rlp_lock_tables();
    if (ok)
        note_acquired(t, obj, kind, 0, site);
    else {
        t->trylock_site = *site;
        t->trylock_failures++;
    }
    rlp_unlock_tables();
}

static void released(struct rlp_thread *t, uint64_t obj, int count)
{
    rlp_lock_tables();
    int i = held_index(t, obj);
    if (i >= 0)
        drop_held(t, i, count);
    rlp_unlock_tables();
}

/* sem_post or cond signal: remember who releases obj. */
static void posted(struct rlp_thread *t, uint64_t obj, int kind)
{
    rlp_lock_tables();
    struct rlp_lock *l = lock_entry(obj);
    int i = held_index(t, obj);
    if (i >= 0)
        drop_held(t, i, 1);
    if (l) {
        l->kind = kind;
        l->posts++;
        if (i < 0 && kind == RLP_L_SEM)
            l->foreign_posts++;
        if (t->index >= 0 && t->index < RLP_MAX_TAKERS)
            l->posters[t->index / 64] |= 1ull << (t->index % 64);
    }
    __atomic_add_fetch(&rlp->progress, 1, __ATOMIC_RELAXED);
    rlp_unlock_tables();
}

/* The common shape of a blocking acquisition. */
#define BLOCKING(fn, obj, state, timed, kind, okexpr, call)                    \
    do {                                                                       \
        struct rlp_thread *t = rlp_sync_enter();                               \
        if (!t)                                                                \
            return call;                                                       \
        struct rlp_site site;                                                  \
        rlp_capture_site(&site, 0);                                            \
        rlp_wait_begin(t, (uint64_t)(uintptr_t)(obj), state, timed, &site);    \
        rlp_busy = 0;                                                          \
        int rc = call;                                                         \
        int saved = errno;                                                     \
        rlp_busy = 1;                                                          \
        rlp_wait_end(t, (uint64_t)(uintptr_t)(obj), kind, (okexpr), &site);    \
        rlp_sync_leave();                                                      \
        errno = saved;                                                         \
        return rc;                                                             \
    } while (0)

#define TRYING(obj, kind, okexpr, call)                                        \
    do {                                                                       \
        struct rlp_thread *t = rlp_sync_enter();                               \
        if (!t)                                                                \
            return call;                                                       \
        struct rlp_site site;                                                  \
        rlp_capture_site(&site, 0);                                            \
        int rc = call;                                                         \
        int saved = errno;                                                     \
        try_done(t, (uint64_t)(uintptr_t)(obj), kind, (okexpr), &site);        \
        rlp_sync_leave();                                                      \
        errno = saved;                                                         \
        return rc;                                                             \
    } while (0)

#define RELEASING(obj, call)                                                   \
    do {                                                                       \
        struct rlp_thread *t = rlp_sync_enter();                               \
        if (!t)                                                                \
            return call;                                                       \
        released(t, (uint64_t)(uintptr_t)(obj), 1);                            \
        rlp_sync_leave();                                                      \
        int rc = call;                                                         \
        rlp_conn_signalled();                                                  \
        return rc;                                                             \
    } while (0)

int pthread_mutex_lock(pthread_mutex_t *m)
{
    BLOCKING(pthread_mutex_lock, m, RLP_T_WAIT_LOCK, 0, RLP_L_MUTEX, rc == 0,
             REAL(pthread_mutex_lock)(m));
}

int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *ts)
{
    BLOCKING(pthread_mutex_timedlock, m, RLP_T_WAIT_LOCK, 1, RLP_L_MUTEX,
             rc == 0, REAL(pthread_mutex_timedlock)(m, ts));
}

int pthread_mutex_trylock(pthread_mutex_t *m)
{
    TRYING(m, RLP_L_MUTEX, rc == 0, REAL(pthread_mutex_trylock)(m));
}

int pthread_mutex_unlock(pthread_mutex_t *m)
{
    RELEASING(m, REAL(pthread_mutex_unlock)(m));
}

int pthread_rwlock_rdlock(pthread_rwlock_t *l)
{
    BLOCKING(pthread_rwlock_rdlock, l, RLP_T_WAIT_LOCK, 0, RLP_L_RWLOCK_READ,
             rc == 0, REAL(pthread_rwlock_rdlock)(l));
}

int pthread_rwlock_wrlock(pthread_rwlock_t *l)
{
    BLOCKING(pthread_rwlock_wrlock, l, RLP_T_WAIT_LOCK, 0, RLP_L_RWLOCK_WRITE,
             rc == 0, REAL(pthread_rwlock_wrlock)(l));
}

int pthread_rwlock_timedrdlock(pthread_rwlock_t *l, const struct timespec *ts)
{
    BLOCKING(pthread_rwlock_timedrdlock, l, RLP_T_WAIT_LOCK, 1,
             RLP_L_RWLOCK_READ, rc == 0,
             REAL(pthread_rwlock_timedrdlock)(l, ts));
}

int pthread_rwlock_timedwrlock(pthread_rwlock_t *l, const struct timespec *ts)
{
    BLOCKING(pthread_rwlock_timedwrlock, l, RLP_T_WAIT_LOCK, 1,
             RLP_L_RWLOCK_WRITE, rc == 0,
             REAL(pthread_rwlock_timedwrlock)(l, ts));
}

int pthread_rwlock_tryrdlock(pthread_rwlock_t *l)
{
    TRYING(l, RLP_L_RWLOCK_READ, rc == 0, REAL(pthread_rwlock_tryrdlock)(l));
}

int pthread_rwlock_trywrlock(pthread_rwlock_t *l)
{
    TRYING(l, RLP_L_RWLOCK_WRITE, rc == 0, REAL(pthread_rwlock_trywrlock)(l));
}

int pthread_rwlock_unlock(pthread_rwlock_t *l)
{
    RELEASING(l, REAL(pthread_rwlock_unlock)(l));
}

int sem_wait(sem_t *s)
{
    BLOCKING(sem_wait, s, RLP_T_WAIT_SEM, 0, RLP_L_SEM, rc == 0,
             REAL(sem_wait)(s));
}

int sem_timedwait(sem_t *s, const struct timespec *ts)
{
    BLOCKING(sem_timedwait, s, RLP_T_WAIT_SEM, 1, RLP_L_SEM, rc == 0,
             REAL(sem_timedwait)(s, ts));
}

int sem_trywait(sem_t *s)
{
    TRYING(s, RLP_L_SEM, rc == 0, REAL(sem_trywait)(s));
}

int sem_post(sem_t *s)
{
    struct rlp_thread *t = rlp_sync_enter();
    if (!t)
        return REAL(sem_post)(s);
    posted(t, (uint64_t)(uintptr_t)s, RLP_L_SEM);
    rlp_sync_leave();
    int rc = REAL(sem_post)(s);
    rlp_conn_signalled();
    return rc;
}

/* ---- condition wait episodes (starvation on condition variables) ----
 *
 * A writer starved in a readers-writers lock built on a mutex and
 * conditions is not blocked on anything the others acquire: it sits in
 * `while (readers > 0) pthread_cond_wait(...)`, is woken, finds readers
 * inside and waits again.  Each call is short; the loop is what lasts.
 * An episode is that loop: it begins with a cond wait and goes on while
 * the thread, woken, calls nothing but the same wait again; any other
 * call the probe sees (normally unlocking the mutex) ends it, and that
 * counts as one waiter getting past the condition. */

/* The episode is over (cw_cond is the condition it was on). */
static void cond_episode_end(struct rlp_thread *t)
{
    rlp_lock_tables();
    struct rlp_lock *l = lock_entry(cw_cond);
    if (l)
        l->cond_passes++;
    if (t->cond_wait_cond == cw_cond)
        t->cond_wait_cond = 0;
    rlp_unlock_tables();
    cw_cond = cw_mutex = 0;
}

/* A cond wait on (c, m) begins: the same episode when the thread was
 * just woken from a wait on (c, m) and did nothing else (prev_*), else a
 * new one. */
static void cond_episode_wait(struct rlp_thread *t, uint64_t c, uint64_t m,
                              uint64_t prev_c, uint64_t prev_m,
                              const struct rlp_site *site)
{
    if (prev_c == c && prev_m == m && t->cond_wait_cond == c)
        return;
    if (prev_c) {
        cw_cond = prev_c;
        cond_episode_end(t);
    }
    rlp_lock_tables();
    struct rlp_lock *l = lock_entry(m);
    t->cond_wait_mutex = m;
    t->cond_wait_since_ns = rlp_now_ns();
    t->cond_wait_site = *site;
    t->cond_episode_wakeups = 0;
    t->cond_mutex_taken = l ? l->acquisitions - l->cond_retakes : 0;
    __atomic_store_n(&t->cond_wait_cond, c, __ATOMIC_RELEASE);
    rlp_unlock_tables();
}

/* The wait returned with m held again: count the wake-up and the
 * re-acquisition (which is not a fresh lock of m).  Table lock held. */
static void cond_woken(struct rlp_thread *t, uint64_t c, uint64_t m)
{
    struct rlp_lock *l = lock_entry(m);
    if (l) {
        l->acquisitions++;
        l->cond_retakes++;
    }
    t->cond_wakeups++;
    t->cond_episode_wakeups++;
    cw_cond = c;
    cw_mutex = m;
}

/* cond_wait releases m while it waits and holds it again on return. */
static int cond_wait(pthread_cond_t *c, pthread_mutex_t *m,
                     const struct timespec *ts)
{
    uint64_t prev_c = cw_cond, prev_m = cw_mutex;
    cw_cond = 0; /* so that entering here does not end the episode */
    struct rlp_thread *t = rlp_sync_enter();
    if (!t) {
        cw_cond = prev_c;
        return ts ? REAL_COND(pthread_cond_timedwait)(c, m, ts)
                  : REAL_COND(pthread_cond_wait)(c, m);
    }
    struct rlp_site site;
    rlp_capture_site(&site, 0);
    cond_episode_wait(t, (uint64_t)(uintptr_t)c, (uint64_t)(uintptr_t)m, prev_c,
                      prev_m, &site);
    released(t, (uint64_t)(uintptr_t)m, 0);
    rlp_wait_begin(t, (uint64_t)(uintptr_t)c, RLP_T_WAIT_COND, ts != NULL,
                   &site);
    rlp_busy = 0;
    int rc = ts ? REAL_COND(pthread_cond_timedwait)(c, m, ts)
                : REAL_COND(pthread_cond_wait)(c, m);
    rlp_busy = 1;
    rlp_wait_end(t, (uint64_t)(uintptr_t)c, RLP_L_COND, 0, &site);
    /* Re-taken inside the wait: held again, but not a new order edge. */
    rlp_lock_tables();
    cond_woken(t, (uint64_t)(uintptr_t)c, (uint64_t)(uintptr_t)m);
    push_held(t, (uint64_t)(uintptr_t)m, RLP_L_MUTEX, &site);
    rlp_unlock_tables();
    rlp_sync_leave();
    return rc;
}

int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
    return cond_wait(c, m, NULL);
}

int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m,
                           const struct timespec *ts)
{
    return cond_wait(c, m, ts);
}

int pthread_cond_signal(pthread_cond_t *c)
{
    struct rlp_thread *t = rlp_sync_enter();
    if (t) {
        posted(t, (uint64_t)(uintptr_t)c, RLP_L_COND);
        rlp_sync_leave();
    }
    int rc = REAL_COND(pthread_cond_signal)(c);
    rlp_conn_signalled();
    return rc;
}

int pthread_cond_broadcast(pthread_cond_t *c)
{
    struct rlp_thread *t = rlp_sync_enter();
    if (t) {
        posted(t, (uint64_t)(uintptr_t)c, RLP_L_COND);
        rlp_sync_leave();
    }
    int rc = REAL_COND(pthread_cond_broadcast)(c);
    rlp_conn_signalled();
    return rc;
}

int pthread_barrier_wait(pthread_barrier_t *b)
{
    struct rlp_thread *t = rlp_sync_enter();
    if (!t)
        return REAL(pthread_barrier_wait)(b);
    struct rlp_site site;
    rlp_capture_site(&site, 0);
    rlp_wait_begin(t, (uint64_t)(uintptr_t)b, RLP_T_WAIT_BARRIER, 0, &site);
    rlp_busy = 0;
    int rc = REAL(pthread_barrier_wait)(b);
    rlp_busy = 1;
    rlp_wait_end(t, (uint64_t)(uintptr_t)b, RLP_L_BARRIER, 0, &site);
    __atomic_add_fetch(&rlp->progress, 1, __ATOMIC_RELAXED);
    rlp_sync_leave();
    return rc;
}
