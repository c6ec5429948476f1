/* probe_analysis.c: deadlock, livelock, starvation and lock-order verdicts
 * from the probe's table and /proc figures (pure: no I/O). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/probe_analysis.h"
#include "lib/xalloc.h"

/*
 * Thresholds.  Every decision compares the program's own counters (its
 * CPU time, the probe's counts) between samples, never how fast the wall
 * clock went, so a loaded machine only makes a verdict come later.
 */

/* A deadlocked program changes nothing and burns no CPU.  Half a second
 * of that, with every thread parked in a wait without timeout, does not
 * happen in a correct program: nothing is left that could wake them. */
#define DEADLOCK_QUIET_S 0.5
/* CPU allowed in that half second: the kernel counts in 10 ms ticks, and
 * a thread entering its wait may be charged one or two. */
#define DEADLOCK_MAX_CPU_S 0.05

/* Livelock and starvation are judged over this window: long enough that
 * a busy-but-correct program shows progress in it on a loaded machine. */
#define WINDOW_S 1.5
/* Livelock means busy: the program used at least half a core, or, on a
 * machine so loaded that it could not get that much, one of its threads
 * was runnable (state R) in nearly every sample of the window. */
#define LIVELOCK_MIN_CPU_SHARE 0.5
#define LIVELOCK_MIN_RUNNABLE_SHARE 0.8
/* Back-off evidence: each of at least two threads gave up a lock it held
 * this many times in the window, because a trylock made while holding it
 * failed (a lockstep livelock does so thousands of times).  Threads that
 * merely spin on trylock while holding nothing are not backing off. */
#define LIVELOCK_MIN_BACKOFFS 20
#define LIVELOCK_MIN_THREADS 2
/* Starvation: while one thread waited the whole window, the others took
 * the same lock at least this often; a single long critical section
 * cannot explain that, an unfair lock can. */
#define STARVATION_MIN_ACQUISITIONS 20

static int live(const struct rlp_thread *t)
{
    return t->state != RLP_T_FREE && t->state != RLP_T_EXITED;
}

static int waiting(const struct rlp_thread *t)
{
    return t->state >= RLP_T_WAIT_LOCK && t->state <= RLP_T_WAIT_BARRIER;
}

static uint32_t nthreads(const struct rlp_shm *shm)
{
    return shm->nthreads < RLP_MAX_THREADS ? shm->nthreads : RLP_MAX_THREADS;
}

static const struct rlp_lock *find_lock(const struct rlp_shm *shm,
                                        uint64_t addr)
{
    uint32_t n = shm->nlocks < RLP_MAX_LOCKS ? shm->nlocks : RLP_MAX_LOCKS;
    for (uint32_t i = 0; i < n; i++)
        if (shm->locks[i].addr == addr)
            return &shm->locks[i];
    return NULL;
}

/* A semaphore that threads post without having taken it signals work or
 * room; it is not a lock, and waiting for it is not a lock wait. */
static int signalling(const struct rlp_shm *shm, uint64_t addr)
{
    const struct rlp_lock *l = find_lock(shm, addr);
    return l && l->kind == RLP_L_SEM && l->foreign_posts > 0;
}

static const struct rl_task *find_task(const struct rl_probe_sample *s,
                                       int32_t tid)
{
    for (size_t i = 0; i < s->ntasks; i++)
        if (s->tasks[i].ns_tid == tid)
            return &s->tasks[i];
    return NULL;
}

/* Every /proc thread must be a table thread that is waiting. */
static int tasks_all_waiting(const struct rl_probe_sample *s)
{
    const struct rlp_shm *shm = &s->shm;
    for (size_t i = 0; i < s->ntasks; i++) {
        if (s->tasks[i].state == 'Z' || s->tasks[i].state == 'X')
            continue;
        int known = 0;
        for (uint32_t j = 0; j < nthreads(shm) && !known; j++)
            known = live(&shm->threads[j]) &&
                    shm->threads[j].tid == s->tasks[i].ns_tid;
        if (!known || s->tasks[i].state == 'R')
            return 0;
    }
    return 1;
}

int rl_probe_all_blocked(const struct rl_probe_sample *s)
{
    const struct rlp_shm *shm = &s->shm;
    int nlive = 0;
    if (shm->magic != RLP_MAGIC)
        return 0;
    for (uint32_t i = 0; i < nthreads(shm); i++) {
        const struct rlp_thread *t = &shm->threads[i];
        if (!live(t))
            continue;
        nlive++;
        if (!waiting(t) || t->wait_timed)
            return 0;
        if (s->have_tasks && !find_task(s, t->tid))
            return 0;
    }
    return nlive > 0 && (!s->have_tasks || tasks_all_waiting(s));
}

/* The same wait, unchanged, in both samples. */
static int same_wait(const struct rlp_thread *a, const struct rlp_thread *b)
{
    return a->state == b->state && a->wait_object == b->wait_object &&
           a->wait_since_ns == b->wait_since_ns;
}

static int same_waits(const struct rl_probe_sample *a,
                      const struct rl_probe_sample *b)
{
    if (a->shm.nthreads != b->shm.nthreads ||
        a->shm.progress != b->shm.progress)
        return 0;
    for (uint32_t i = 0; i < nthreads(&a->shm); i++)
        if (live(&a->shm.threads[i]) &&
            !same_wait(&a->shm.threads[i], &b->shm.threads[i]))
            return 0;
    return 1;
}

int rl_probe_starving(const struct rl_probe_sample *before,
                      const struct rl_probe_sample *now)
{
    const struct rlp_shm *b = &before->shm, *n = &now->shm;
    for (uint32_t i = 0; i < nthreads(n) && i < nthreads(b); i++) {
        const struct rlp_thread *t = &n->threads[i];
        if (t->state != RLP_T_WAIT_LOCK && t->state != RLP_T_WAIT_SEM)
            continue;
        if (!same_wait(t, &b->threads[i]) || signalling(n, t->wait_object))
            continue;
        const struct rlp_lock *ln = find_lock(n, t->wait_object);
        const struct rlp_lock *lb = find_lock(b, t->wait_object);
        if (!ln)
            continue;
        uint64_t got = ln->acquisitions - (lb ? lb->acquisitions : 0);
        if (got >= STARVATION_MIN_ACQUISITIONS)
            return (int)i;
    }
    return -1;
}

/* Starvation behind a group needs at least this many other threads at
 * work in the window: one busy holder is a long critical section. */
#define GROUP_MIN_THREADS 2

static int taker(const struct rlp_lock *l, uint32_t i)
{
    return i < RLP_MAX_TAKERS && (l->takers[i / 64] >> (i % 64) & 1);
}

/* How many locks and semaphores thread j acquired between the samples. */
static uint64_t acquired_between(const struct rlp_shm *b,
                                 const struct rlp_shm *n, uint32_t j)
{
    const struct rlp_thread *t = &n->threads[j];
    uint64_t before = j < nthreads(b) ? b->threads[j].acquisitions : 0;
    if (t->state == RLP_T_FREE || t->acquisitions <= before)
        return 0;
    return t->acquisitions - before;
}

/* The other threads that got something (a lock or a semaphore) between
 * the samples, and how much they got together. */
static unsigned busy_others(const struct rlp_shm *b, const struct rlp_shm *n,
                            uint32_t victim, uint64_t *got)
{
    unsigned busy = 0;
    *got = 0;
    for (uint32_t j = 0; j < nthreads(n); j++) {
        uint64_t a = j == victim ? 0 : acquired_between(b, n, j);
        busy += a > 0;
        *got += a;
    }
    return busy;
}

/* 1 when a thread other than the victim took l and is one of the group
 * that keeps it: it kept working in the window, or it has ended (the
 * semaphore was handed on).  A lone holder asleep in a long critical
 * section is neither: the waiter gets its turn when it posts. */
static int kept_by_group(const struct rlp_shm *b, const struct rlp_shm *n,
                         const struct rlp_lock *l, uint32_t victim)
{
    for (uint32_t j = 0; j < nthreads(n) && j < RLP_MAX_TAKERS; j++)
        if (j != victim && taker(l, j) &&
            (n->threads[j].state == RLP_T_EXITED ||
             acquired_between(b, n, j) > 0))
            return 1;
    return 0;
}

/*
 * Starvation behind a group (the first readers-writers solution on
 * semaphores: the first reader in takes w, the last one out posts it).
 * Nobody takes the object again, so rl_probe_starving sees nothing: the
 * group keeps it.  A thread is starved when it waited the whole window
 * in sem_wait on a semaphore that nobody took or posted in the window,
 * that is held (taken more often than posted: it started positive, i.e.
 * it is used as a lock, and a unit is out) by a group: a thread other
 * than the victim took it and kept working or has ended (kept_by_group),
 * while at least GROUP_MIN_THREADS other threads kept acquiring
 * (STARVATION_MIN_ACQUISITIONS in all).  A semaphore that signals work
 * (started at 0) never has a unit out, so an idle worker is not starved.
 * Mutexes and rwlocks need no such rule: to keep one, a group has to
 * re-acquire it, which rl_probe_starving counts.
 */
/* Whether thread j holds l (any mode) in a sample. */
static int holds(const struct rlp_shm *shm, uint32_t j, uint64_t l)
{
    const struct rlp_thread *t = &shm->threads[j];
    for (uint32_t k = 0; live(t) && k < t->nheld && k < RLP_MAX_HELD; k++)
        if (t->held[k].lock == l)
            return 1;
    return 0;
}

/*
 * The rwlock version: readers that each hold the read lock for a long
 * stretch and hand it on overlapping take it a few times a second only,
 * too few for rl_probe_starving, yet it is never free.  The victim waited
 * the whole window to write-lock it; readers held it at both ends of the
 * window; it was taken again in the window; and every holder at the
 * start has let go since or has been at work (so may have let go and come
 * back), i.e. no reader sat in it the whole window: a lone holder asleep
 * in a long read is a long critical section, not a group.
 */
static int rwlock_kept_by_group(const struct rlp_shm *b,
                                const struct rlp_shm *n, uint32_t victim)
{
    const struct rlp_thread *t = &n->threads[victim];
    const struct rlp_lock *ln = find_lock(n, t->wait_object);
    const struct rlp_lock *lb = find_lock(b, t->wait_object);
    if (!ln || !lb || ln->acquisitions == lb->acquisitions ||
        (ln->kind != RLP_L_RWLOCK_READ && ln->kind != RLP_L_RWLOCK_WRITE))
        return 0;
    int at_start = 0, at_end = 0;
    for (uint32_t j = 0; j < nthreads(n) && j < nthreads(b); j++) {
        if (j == victim)
            continue;
        int then = holds(b, j, t->wait_object),
            still = holds(n, j, t->wait_object);
        at_start += then;
        at_end += still;
        if (then && still && acquired_between(b, n, j) == 0)
            return 0; /* the same hold all along */
    }
    return at_start > 0 && at_end > 0;
}

int rl_probe_group_starving(const struct rl_probe_sample *before,
                            const struct rl_probe_sample *now)
{
    const struct rlp_shm *b = &before->shm, *n = &now->shm;
    for (uint32_t i = 0; i < nthreads(n) && i < nthreads(b); i++) {
        const struct rlp_thread *t = &n->threads[i];
        uint64_t busy;
        if (t->state == RLP_T_WAIT_LOCK && same_wait(t, &b->threads[i]) &&
            rwlock_kept_by_group(b, n, i) &&
            busy_others(b, n, i, &busy) >= GROUP_MIN_THREADS &&
            busy >= STARVATION_MIN_ACQUISITIONS)
            return (int)i;
        if (t->state != RLP_T_WAIT_SEM || !same_wait(t, &b->threads[i]))
            continue;
        const struct rlp_lock *ln = find_lock(n, t->wait_object);
        const struct rlp_lock *lb = find_lock(b, t->wait_object);
        if (!ln || !lb || ln->acquisitions != lb->acquisitions ||
            ln->posts != lb->posts || ln->acquisitions <= ln->posts)
            continue;
        uint64_t got;
        if (kept_by_group(b, n, ln, i) &&
            busy_others(b, n, i, &got) >= GROUP_MIN_THREADS &&
            got >= STARVATION_MIN_ACQUISITIONS)
            return (int)i;
    }
    return -1;
}

/* How much a counter of the table entry of addr grew between samples. */
static uint64_t lock_growth(const struct rlp_shm *b, const struct rlp_shm *n,
                            uint64_t addr,
                            uint64_t (*get)(const struct rlp_lock *))
{
    const struct rlp_lock *ln = find_lock(n, addr), *lb = find_lock(b, addr);
    if (!ln)
        return 0;
    return get(ln) - (lb ? get(lb) : 0);
}

static uint64_t lock_acquisitions(const struct rlp_lock *l)
{
    return l->acquisitions;
}

static uint64_t lock_posts(const struct rlp_lock *l)
{
    return l->posts;
}

static uint64_t cond_passes(const struct rlp_lock *l)
{
    return l->cond_passes;
}

/* Acquisitions by pthread_mutex_lock and friends, not the re-takes
 * inside a cond wait. */
static uint64_t fresh_acquisitions(const struct rlp_lock *l)
{
    return l->acquisitions - l->cond_retakes;
}

/* One cond wait episode (probe/locks.c), unbroken, in both samples. */
static int same_cond_episode(const struct rlp_thread *a,
                             const struct rlp_thread *b)
{
    return a->cond_wait_cond && a->cond_wait_cond == b->cond_wait_cond &&
           a->cond_wait_since_ns == b->cond_wait_since_ns;
}

/*
 * Starvation in a wait loop on a condition variable (a writer behind the
 * readers of a reader-preferring lock built on a mutex and conditions).
 * Over the whole window the thread stayed in one wait loop; it was woken
 * in the window and went back to waiting; the condition was signalled;
 * nobody got past a wait on it; and the others locked its mutex at least
 * STARVATION_MIN_ACQUISITIONS times.  A wake-up is required because a
 * pool idle on a condition that nobody signals, while other code uses
 * the same mutex, is waiting for work, not starving.
 */
/*
 * The group version (the last reader out signals the writer, and the
 * readers overlap): the waiter is never woken, since the group never
 * empties.  An idle worker is never woken either; what tells them apart
 * is who used to signal: the condition was signalled before and a wait on
 * it got through before, and a thread that signalled it then is among the
 * threads at work now, taking the mutex, yet in the window nobody
 * signals, nobody gets past, and at least GROUP_MIN_THREADS others keep
 * acquiring.  (A pool whose producer signalled work before and now keeps
 * taking the pool's mutex for 1.5 s without handing out any would look
 * the same: a producer polling with the lock.)
 */
static int cond_kept_by_group(const struct rlp_shm *b, const struct rlp_shm *n,
                              uint32_t victim)
{
    const struct rlp_thread *t = &n->threads[victim];
    const struct rlp_thread *o = &b->threads[victim];
    const struct rlp_lock *c = find_lock(b, t->cond_wait_cond);
    if (!c || t->cond_wakeups != o->cond_wakeups || c->posts == 0 ||
        c->cond_passes == 0 ||
        lock_growth(b, n, t->cond_wait_cond, lock_posts) != 0 ||
        lock_growth(b, n, t->cond_wait_cond, cond_passes) != 0)
        return 0;
    int poster_at_work = 0;
    for (uint32_t j = 0; j < nthreads(n) && j < 128; j++)
        if (j != victim && (c->posters[j / 64] >> (j % 64) & 1) &&
            acquired_between(b, n, j) > 0)
            poster_at_work = 1;
    uint64_t got;
    return poster_at_work &&
           busy_others(b, n, victim, &got) >= GROUP_MIN_THREADS &&
           lock_growth(b, n, t->cond_wait_mutex, fresh_acquisitions) >=
               STARVATION_MIN_ACQUISITIONS;
}

int rl_probe_cond_starving(const struct rl_probe_sample *before,
                           const struct rl_probe_sample *now)
{
    const struct rlp_shm *b = &before->shm, *n = &now->shm;
    for (uint32_t i = 0; i < nthreads(n) && i < nthreads(b); i++) {
        const struct rlp_thread *t = &n->threads[i], *o = &b->threads[i];
        if (!live(t) || !same_cond_episode(t, o))
            continue;
        if (cond_kept_by_group(b, n, i))
            return (int)i;
        if (t->cond_wakeups == o->cond_wakeups ||
            lock_growth(b, n, t->cond_wait_cond, lock_posts) == 0 ||
            lock_growth(b, n, t->cond_wait_cond, cond_passes) != 0)
            continue;
        if (lock_growth(b, n, t->cond_wait_mutex, fresh_acquisitions) >=
            STARVATION_MIN_ACQUISITIONS)
            return (int)i;
    }
    return -1;
}

int rl_probe_livelocked(const struct rl_probe_sample *before,
                        const struct rl_probe_sample *now,
                        double runnable_share)
{
    const struct rlp_shm *b = &before->shm, *n = &now->shm;
    double wall = now->elapsed - before->elapsed;
    if (wall <= 0)
        return 0;
    if (now->cpu - before->cpu < LIVELOCK_MIN_CPU_SHARE * wall &&
        runnable_share < LIVELOCK_MIN_RUNNABLE_SHARE)
        return 0;
    int backing_off = 0;
    uint64_t work = 0;
    for (uint32_t i = 0; i < nthreads(n); i++) {
        const struct rlp_thread *t = &n->threads[i];
        if (i >= nthreads(b)) {
            work++; /* a new thread: the program moved on */
            continue;
        }
        const struct rlp_thread *o = &b->threads[i];
        work += t->state == RLP_T_EXITED && o->state != RLP_T_EXITED;
        if (t->backoffs - o->backoffs < LIVELOCK_MIN_BACKOFFS)
            continue;
        backing_off++;
        /* Work done by the polite threads: a lock released normally, or
         * a second lock got. */
        work += t->productive_releases - o->productive_releases;
        work += t->nested_acquisitions - o->nested_acquisitions;
    }
    return backing_off >= LIVELOCK_MIN_THREADS && work == 0;
}

void rl_hang_watch_init(struct rl_hang_watch *w)
{
    memset(w, 0, sizeof *w);
}

void rl_hang_watch_free(struct rl_hang_watch *w)
{
    for (size_t i = 0; i < w->nring; i++)
        free(w->ring[i]);
    free(w->quiet);
    free(w->verdict.before);
    free(w->verdict.now);
    memset(w, 0, sizeof *w);
}

static struct rl_probe_sample *copy_sample(const struct rl_probe_sample *s)
{
    struct rl_probe_sample *c = xmalloc(sizeof *c);
    memcpy(c, s, sizeof *c);
    return c;
}

static int decide(struct rl_hang_watch *w, enum rl_hang_kind kind,
                  const struct rl_probe_sample *before,
                  const struct rl_probe_sample *now, int thread)
{
    w->verdict.kind = kind;
    w->verdict.before = copy_sample(before);
    w->verdict.now = copy_sample(now);
    w->verdict.thread = thread;
    return 1;
}

/* Only a semaphore can be posted from a signal handler (sem_post is
 * async-signal-safe) or from another process (a process-shared one):
 * threads stuck on locks, conditions and joins cannot be woken from
 * outside (e.g. by the handlers a Check test runner installs). */
static int any_semaphore_wait(const struct rl_probe_sample *s)
{
    for (uint32_t i = 0; i < nthreads(&s->shm); i++)
        if (live(&s->shm.threads[i]) &&
            s->shm.threads[i].state == RLP_T_WAIT_SEM)
            return 1;
    return 0;
}

/* Deadlock: all blocked, nothing changed, no CPU, for DEADLOCK_QUIET_S. */
static int check_deadlock(struct rl_hang_watch *w,
                          const struct rl_probe_sample *s)
{
    if (!rl_probe_all_blocked(s)) {
        free(w->quiet);
        w->quiet = NULL;
        return 0;
    }
    if (!w->quiet || !same_waits(w->quiet, s)) {
        free(w->quiet);
        w->quiet = copy_sample(s);
        return 0;
    }
    if (s->elapsed - w->quiet->elapsed < DEADLOCK_QUIET_S)
        return 0;
    if (s->outside_wakers && !s->final && any_semaphore_wait(s))
        return 0;
    if (s->cpu - w->quiet->cpu > DEADLOCK_MAX_CPU_S) {
        free(w->quiet); /* something is burning CPU: start over */
        w->quiet = copy_sample(s);
        return 0;
    }
    return decide(w, RL_HANG_DEADLOCK, w->quiet, s, -1);
}

static int any_runnable(const struct rl_probe_sample *s)
{
    for (size_t i = 0; i < s->ntasks; i++)
        if (s->tasks[i].state == 'R')
            return 1;
    return 0;
}

/* The share of the samples since `since` (and s) with a runnable thread. */
static double runnable_share(const struct rl_hang_watch *w,
                             const struct rl_probe_sample *since,
                             const struct rl_probe_sample *s)
{
    int n = 1, r = any_runnable(s);
    for (size_t i = 0; i < w->nring; i++) {
        if (w->ring[i]->elapsed < since->elapsed)
            continue;
        n++;
        r += any_runnable(w->ring[i]);
    }
    return (double)r / n;
}

/* The newest sample at least WINDOW_S older than s, or NULL. */
static const struct rl_probe_sample *
window_start(const struct rl_hang_watch *w, const struct rl_probe_sample *s)
{
    for (size_t i = w->nring; i-- > 0;)
        if (s->elapsed - w->ring[i]->elapsed >= WINDOW_S)
            return w->ring[i];
    return NULL;
}

int rl_hang_watch_feed(struct rl_hang_watch *w, struct rl_probe_sample *s)
{
    if (w->verdict.kind != RL_HANG_NONE || s->shm.magic != RLP_MAGIC) {
        free(s);
        return w->verdict.kind != RL_HANG_NONE;
    }
    int stop = check_deadlock(w, s);
    const struct rl_probe_sample *before = window_start(w, s);
    if (!stop && before) {
        enum rl_starve_rule rule = RL_STARVE_REACQUIRED;
        int t = rl_probe_starving(before, s);
        if (t < 0) {
            rule = RL_STARVE_COND;
            t = rl_probe_cond_starving(before, s);
        }
        if (t < 0) {
            rule = RL_STARVE_GROUP;
            t = rl_probe_group_starving(before, s);
        }
        if (t >= 0) {
            stop = decide(w, RL_HANG_STARVATION, before, s, t);
            w->verdict.rule = rule;
        } else if (rl_probe_livelocked(before, s, runnable_share(w, before, s)))
            stop = decide(w, RL_HANG_LIVELOCK, before, s, -1);
    }
    if (w->nring == RL_HANG_RING) {
        free(w->ring[0]);
        memmove(w->ring, w->ring + 1, (RL_HANG_RING - 1) * sizeof *w->ring);
        w->nring--;
    }
    w->ring[w->nring++] = s;
    return stop;
}

/* ---- wait-for cycles (deadlock) ---- */

/* How thread i's wait depends on thread j: 0 none, 1 j holds the object,
 * 2 j is one who posts/signals it, 3 j is the thread i joins. */
static int depends(const struct rlp_shm *shm, uint32_t i, uint32_t j)
{
    const struct rlp_thread *t = &shm->threads[i], *o = &shm->threads[j];
    if (i == j || !waiting(t))
        return 0;
    if (t->state == RLP_T_WAIT_JOIN)
        return t->wait_object == (uint64_t)j + 1 ? 3 : 0;
    if (t->state == RLP_T_WAIT_BARRIER)
        return 0;
    for (uint32_t k = 0; k < o->nheld && k < RLP_MAX_HELD; k++)
        if (o->held[k].lock == t->wait_object && live(o))
            return 1;
    if (t->state == RLP_T_WAIT_LOCK)
        return 0;
    /* A semaphore or condition: others hold it, else someone posts it. */
    for (uint32_t k = 0; k < nthreads(shm); k++) {
        const struct rlp_thread *h = &shm->threads[k];
        for (uint32_t m = 0; k != i && m < h->nheld && m < RLP_MAX_HELD; m++)
            if (h->held[m].lock == t->wait_object && live(h))
                return 0;
    }
    const struct rlp_lock *l = find_lock(shm, t->wait_object);
    if (l && j < 128 && (l->posters[j / 64] >> (j % 64) & 1))
        return 2;
    return 0;
}

struct dfs {
    const struct rlp_shm *shm;
    int color[RLP_MAX_THREADS]; /* 0 new, 1 on the path, 2 done */
    int path[RLP_MAX_THREADS];
    size_t depth;
    struct rl_wait_cycle *out;
};

static int visit(struct dfs *d, uint32_t i)
{
    d->color[i] = 1;
    d->path[d->depth++] = (int)i;
    for (uint32_t j = 0; j < nthreads(d->shm); j++) {
        if (!live(&d->shm->threads[j]) || !depends(d->shm, i, j))
            continue;
        if (d->color[j] == 1) {
            size_t from = 0;
            while (d->path[from] != (int)j)
                from++;
            struct rl_wait_cycle *c = d->out;
            c->n = 0;
            for (size_t k = from; k < d->depth; k++) {
                int a = d->path[k];
                int b = k + 1 < d->depth ? d->path[k + 1] : (int)j;
                c->thread[c->n] = a;
                c->object[c->n] = d->shm->threads[a].wait_object;
                c->posted[c->n] = depends(d->shm, a, b) - 1;
                c->n++;
            }
            return 1;
        }
        if (d->color[j] == 0 && visit(d, j))
            return 1;
    }
    d->color[i] = 2;
    d->depth--;
    return 0;
}

int rl_probe_wait_cycle(const struct rlp_shm *shm, struct rl_wait_cycle *c)
{
    struct dfs d;
    memset(&d, 0, sizeof d);
    d.shm = shm;
    d.out = c;
    memset(c, 0, sizeof *c);
    for (uint32_t i = 0; i < nthreads(shm); i++)
        if (live(&shm->threads[i]) && d.color[i] == 0 && visit(&d, i))
            return 1;
    return 0;
}

/* ---- lock-order cycles (inversion) ---- */

static int usable_edge(const struct rlp_shm *shm, const struct rlp_edge *e)
{
    return e->first != e->second && !signalling(shm, e->first) &&
           !signalling(shm, e->second);
}

/* A gate held across every edge of the cycle makes it harmless. */
static int common_gate(const struct rlp_shm *shm, const int *edges, size_t n)
{
    const struct rlp_edge *e0 = &shm->edges[edges[0]];
    for (uint32_t g = 0; g < e0->ngates && g < RLP_MAX_HELD; g++) {
        uint64_t gate = e0->gates[g];
        int everywhere = !signalling(shm, gate);
        for (size_t k = 1; k < n && everywhere; k++) {
            const struct rlp_edge *e = &shm->edges[edges[k]];
            everywhere = 0;
            for (uint32_t m = 0; m < e->ngates && m < RLP_MAX_HELD; m++)
                everywhere |= e->gates[m] == gate;
        }
        if (everywhere)
            return 1;
    }
    return 0;
}

/* Read locks never wait for each other: a cycle needs a writer. */
static int all_reads(const struct rlp_shm *shm, const int *edges, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        const struct rlp_edge *e = &shm->edges[edges[k]];
        if (e->first_kind != RLP_L_RWLOCK_READ ||
            e->second_kind != RLP_L_RWLOCK_READ)
            return 0;
    }
    return 1;
}

static int cycle_can_deadlock(const struct rlp_shm *shm, const int *edges,
                              size_t n)
{
    if (all_reads(shm, edges, n))
        return 0;
    int threads = 0;
    for (size_t k = 1; k < n; k++)
        threads |= shm->edges[edges[k]].thread_index !=
                   shm->edges[edges[0]].thread_index;
    return threads && !common_gate(shm, edges, n);
}

struct edge_search {
    const struct rlp_shm *shm;
    int path[RL_MAX_CYCLE];
    size_t depth;
    long budget; /* bounds the search on programs with many edges */
};

static int lock_on_path(const struct edge_search *s, uint64_t lock)
{
    for (size_t k = 0; k < s->depth; k++)
        if (s->shm->edges[s->path[k]].first == lock)
            return 1;
    return 0;
}

static int extend(struct edge_search *s)
{
    const struct rlp_shm *shm = s->shm;
    uint32_t nedges = shm->nedges < RLP_MAX_EDGES ? shm->nedges : RLP_MAX_EDGES;
    const struct rlp_edge *last = &shm->edges[s->path[s->depth - 1]];
    uint64_t start = shm->edges[s->path[0]].first;
    if (last->second == start)
        return cycle_can_deadlock(shm, s->path, s->depth);
    if (s->depth == RL_MAX_CYCLE || lock_on_path(s, last->second))
        return 0;
    for (uint32_t k = 0; k < nedges && --s->budget > 0; k++) {
        const struct rlp_edge *e = &shm->edges[k];
        if (e->first != last->second || !usable_edge(shm, e))
            continue;
        s->path[s->depth++] = (int)k;
        if (extend(s))
            return 1;
        s->depth--;
    }
    return 0;
}

int rl_probe_find_inversion(const struct rlp_shm *shm, struct rl_lock_cycle *c)
{
    struct edge_search s = {.shm = shm, .budget = 200000};
    uint32_t nedges = shm->nedges < RLP_MAX_EDGES ? shm->nedges : RLP_MAX_EDGES;
    memset(c, 0, sizeof *c);
    for (uint32_t k = 0; k < nedges && s.budget > 0; k++) {
        if (!usable_edge(shm, &shm->edges[k]))
            continue;
        s.path[0] = (int)k;
        s.depth = 1;
        if (extend(&s)) {
            c->n = s.depth;
            memcpy(c->edge, s.path, s.depth * sizeof s.path[0]);
            return 1;
        }
    }
    return 0;
}

/* ---- findings ---- */

static const char *kind_word(int kind)
{
    switch (kind) {
    case RLP_L_MUTEX:
        return "mutex";
    case RLP_L_RWLOCK_READ:
    case RLP_L_RWLOCK_WRITE:
        return "rwlock";
    case RLP_L_SEM:
        return "semaphore";
    case RLP_L_COND:
        return "condition variable";
    case RLP_L_BARRIER:
        return "barrier";
    }
    return "lock";
}

/* "mutex m_a", "mutex accounts[3].lock"; a lock with no global name is
 * named by what the call at site (when given) passed, with its address
 * to tell two such locks apart: "mutex first->lock (0x55...)". */
static void object_name_at(const struct rlp_shm *shm,
                           const struct rl_symbolizer *sym, uint64_t addr,
                           int state, const struct rlp_site *site, char *buf,
                           size_t len)
{
    const struct rlp_lock *l = find_lock(shm, addr);
    int kind = l ? l->kind : 0;
    if (!kind && state == RLP_T_WAIT_SEM)
        kind = RLP_L_SEM;
    if (!kind && state == RLP_T_WAIT_COND)
        kind = RLP_L_COND;
    if (!kind && state == RLP_T_WAIT_BARRIER)
        kind = RLP_L_BARRIER;
    char name[128];
    if (rl_symbolize_data(sym, addr - shm->exe_base, name, sizeof name) == 0)
        snprintf(buf, len, "%s %s", kind_word(kind), name);
    else if (rl_symbolize_call_argument(sym, site, name, sizeof name) == 0)
        snprintf(buf, len, "%s %s (at 0x%llx, not a global)", kind_word(kind),
                 name, (unsigned long long)addr);
    else
        snprintf(buf, len, "%s at 0x%llx", kind_word(kind),
                 (unsigned long long)addr);
}

static void object_name(const struct rlp_shm *shm,
                        const struct rl_symbolizer *sym, uint64_t addr,
                        int state, char *buf, size_t len)
{
    object_name_at(shm, sym, addr, state, NULL, buf, len);
}

static void thread_name(const struct rlp_shm *shm,
                        const struct rl_symbolizer *sym, int i, char *buf,
                        size_t len)
{
    if (i < 0 || (uint32_t)i >= nthreads(shm)) {
        snprintf(buf, len, "a thread racelab does not know");
        return;
    }
    const char *fn =
        i == 0 ? "main"
               : rl_symbolize_function(sym, shm->threads[i].start_routine);
    if (fn)
        snprintf(buf, len, "thread %d (%s)", i + 1, fn);
    else
        snprintf(buf, len, "thread %d", i + 1);
}

/* "deadlock.c:15", adding the place as a location of f; "" if unknown. */
static const char *place(const struct rl_symbolizer *sym,
                         const struct rlp_site *site, struct rl_finding *f,
                         char *buf, size_t len)
{
    struct rl_frame fr;
    buf[0] = '\0';
    if (rl_symbolize_user_frame(sym, site, &fr) != 0)
        return buf;
    snprintf(buf, len, "%s:%d", fr.file, fr.line);
    if (f)
        rl_finding_add_location(f, fr.file, fr.line, fr.function);
    return buf;
}

static void at(char *buf, size_t len, const char *where)
{
    if (where[0])
        snprintf(buf, len, " at %s", where);
    else
        buf[0] = '\0';
}

/* What thread i holds that the cycle's previous thread waits for. */
static const struct rlp_held *held_of(const struct rlp_thread *t, uint64_t obj)
{
    for (uint32_t k = 0; k < t->nheld && k < RLP_MAX_HELD; k++)
        if (t->held[k].lock == obj)
            return &t->held[k];
    return NULL;
}

/* "thread 1 (main) holds mutex m_a (acquired at x.c:20) and waits for
 * mutex m_b at x.c:21". */
static void cycle_line(const struct rlp_shm *shm,
                       const struct rl_symbolizer *sym,
                       const struct rl_wait_cycle *c, size_t k,
                       struct rl_finding *f)
{
    const struct rlp_thread *t = &shm->threads[c->thread[k]];
    size_t prev = (k + c->n - 1) % c->n;
    char who[160], what[200], where[128], first[400] = "", wait[512];
    char line[1200], tmp[160];
    thread_name(shm, sym, c->thread[k], who, sizeof who);
    const struct rlp_held *h = held_of(t, c->object[prev]);
    if (c->posted[prev] == 0 && h) {
        object_name_at(shm, sym, h->lock, 0, &h->site, what, sizeof what);
        at(tmp, sizeof tmp, place(sym, &h->site, f, where, sizeof where));
        snprintf(first, sizeof first, " holds %s (acquired%s) and", what, tmp);
    } else if (c->posted[prev] == 1) {
        const struct rlp_lock *l = find_lock(shm, c->object[prev]);
        object_name(shm, sym, c->object[prev], 0, what, sizeof what);
        snprintf(first, sizeof first, ", the one that %s %s,",
                 l && l->kind == RLP_L_COND ? "signals" : "posts", what);
    }
    if (t->state == RLP_T_WAIT_JOIN) {
        thread_name(shm, sym, (int)t->wait_object - 1, what, sizeof what);
        at(tmp, sizeof tmp, place(sym, &t->wait_site, f, where, sizeof where));
        snprintf(wait, sizeof wait, "waits%s for %s to finish", tmp, what);
    } else {
        object_name_at(shm, sym, t->wait_object, t->state, &t->wait_site, what,
                       sizeof what);
        at(tmp, sizeof tmp, place(sym, &t->wait_site, f, where, sizeof where));
        snprintf(wait, sizeof wait, "waits for %s%s", what, tmp);
    }
    snprintf(line, sizeof line, "%s%s %s", who, first, wait);
    rl_finding_append_detail(f, line);
    /* The same edge for the wait-for graph (report/picture_html.c): the
     * next thread of the cycle holds (or would post) what this one waits
     * for. */
    char next[160];
    thread_name(shm, sym, c->thread[(k + 1) % c->n], next, sizeof next);
    rl_finding_add_wait(f, who, next, what, 1);
}

/* A lock whose holder ended without releasing it is never free again. */
static void exited_holders(const struct rlp_shm *shm,
                           const struct rl_symbolizer *sym, uint64_t obj,
                           struct rl_finding *f)
{
    for (uint32_t i = 0; i < nthreads(shm); i++) {
        const struct rlp_thread *t = &shm->threads[i];
        const struct rlp_held *h = held_of(t, obj);
        if (t->state != RLP_T_EXITED || !h)
            continue;
        char who[160], where[128], tmp[160], line[600];
        thread_name(shm, sym, (int)i, who, sizeof who);
        at(tmp, sizeof tmp, place(sym, &h->site, f, where, sizeof where));
        snprintf(line, sizeof line,
                 "  %s took it%s and ended without releasing it", who, tmp);
        rl_finding_append_detail(f, line);
    }
}

/* No cycle: say what each thread waits for. */
static void wait_line(const struct rlp_shm *shm,
                      const struct rl_symbolizer *sym, int i,
                      struct rl_finding *f)
{
    const struct rlp_thread *t = &shm->threads[i];
    char who[160], what[200], where[128], tmp[160], line[1600];
    char holds[1000] = "";
    thread_name(shm, sym, i, who, sizeof who);
    /* What it holds meanwhile: the locks others may wait for. */
    for (uint32_t k = 0; k < t->nheld && k < RLP_MAX_HELD; k++) {
        char name[200], hw[128], ht[160];
        size_t len = strlen(holds);
        object_name_at(shm, sym, t->held[k].lock, 0, &t->held[k].site, name,
                       sizeof name);
        at(ht, sizeof ht, place(sym, &t->held[k].site, f, hw, sizeof hw));
        const struct rlp_lock *l = find_lock(shm, t->held[k].lock);
        int sem = l && l->kind == RLP_L_SEM; /* a count, not an owner */
        snprintf(holds + len, sizeof holds - len, "%s%s%s (%s%s)",
                 k ? ", " : " holds ", sem ? "a unit of " : "", name,
                 sem ? "taken" : "acquired", ht);
    }
    if (holds[0])
        strncat(holds, " and", sizeof holds - strlen(holds) - 1);
    at(tmp, sizeof tmp, place(sym, &t->wait_site, f, where, sizeof where));
    if (t->state == RLP_T_WAIT_JOIN) {
        thread_name(shm, sym, (int)t->wait_object - 1, what, sizeof what);
        snprintf(line, sizeof line, "%s%s waits%s for %s to finish", who, holds,
                 tmp, what);
    } else {
        object_name_at(shm, sym, t->wait_object, t->state, &t->wait_site, what,
                       sizeof what);
        snprintf(line, sizeof line, "%s%s waits for %s%s", who, holds, what,
                 tmp);
    }
    rl_finding_append_detail(f, line);
    rl_finding_add_wait(f, who, NULL, what, 0);
    exited_holders(shm, sym, t->wait_object, f);
}

/* A thread blocked locking a mutex or rwlock it holds itself. */
static const struct rlp_held *self_wait(const struct rlp_thread *t)
{
    if (!live(t) || t->state != RLP_T_WAIT_LOCK)
        return NULL;
    return held_of(t, t->wait_object);
}

/* "thread 2 (worker) holds mutex m (acquired at x.c:7) and locks it
 * again at x.c:12 in add_hit, called at x.c:8 in worker: it waits for
 * itself". */
static void self_wait_line(const struct rlp_shm *shm,
                           const struct rl_symbolizer *sym, int i,
                           const struct rlp_held *h, struct rl_finding *f)
{
    const struct rlp_thread *t = &shm->threads[i];
    char who[160], what[200], where[128], tmp[160], line[1200];
    char chain[600] = "";
    thread_name(shm, sym, i, who, sizeof who);
    object_name_at(shm, sym, h->lock, 0, &h->site, what, sizeof what);
    at(tmp, sizeof tmp, place(sym, &h->site, f, where, sizeof where));
    /* The relock's own frames: a helper called with the lock held. */
    struct rl_frame fr[4];
    size_t n = sym ? rl_symbolize_site(sym, &t->wait_site, fr, 4) : 0;
    for (size_t k = 0; k < n; k++) {
        size_t len = strlen(chain);
        rl_finding_add_location(f, fr[k].file, fr[k].line, fr[k].function);
        snprintf(chain + len, sizeof chain - len, "%s%s:%d%s%s",
                 k == 0 ? " at " : ", called at ", fr[k].file, fr[k].line,
                 fr[k].function ? " in " : "",
                 fr[k].function ? fr[k].function : "");
    }
    char again[160] = "", first[128], second[128];
    if (rl_symbolize_data(sym, h->lock - shm->exe_base, first, sizeof first) !=
            0 &&
        rl_symbolize_call_argument(sym, &h->site, first, sizeof first) == 0 &&
        rl_symbolize_call_argument(sym, &t->wait_site, second, sizeof second) ==
            0 &&
        strcmp(first, second) != 0)
        snprintf(again, sizeof again, ", as %s,", second);
    snprintf(line, sizeof line,
             "%s holds %s (acquired%s) and locks it again%s%s: it waits for "
             "itself, since only it could release that lock",
             who, what, tmp, again, chain);
    rl_finding_append_detail(f, line);
}

static void deadlock_finding(const struct rl_hang_verdict *v,
                             const struct rl_symbolizer *sym,
                             struct rl_findings *out)
{
    const struct rlp_shm *shm = &v->now->shm;
    struct rl_finding *f = rl_findings_add(out, "deadlock", "probe");
    struct rl_wait_cycle c;
    char line[256];
    snprintf(line, sizeof line,
             "every thread was blocked and nothing changed for %.1f s",
             v->now->elapsed - v->before->elapsed);
    rl_finding_append_detail(f, line);
    int self = 0;
    for (uint32_t i = 0; i < nthreads(shm); i++) {
        const struct rlp_held *h = self_wait(&shm->threads[i]);
        if (!h)
            continue;
        if (!self)
            rl_finding_append_detail(f, "a thread locks a lock it already "
                                        "holds:");
        self_wait_line(shm, sym, (int)i, h, f);
        self = 1;
    }
    if (self)
        f->flags |= RL_FINDING_SELF_DEADLOCK;
    if (rl_probe_wait_cycle(shm, &c)) {
        rl_finding_append_detail(f, "the threads wait for each other in a "
                                    "cycle:");
        for (size_t k = 0; k < c.n; k++)
            cycle_line(shm, sym, &c, k, f);
        return;
    }
    /* Says nothing of cycles: another tool's part of the finding (the
     * scheduler's trace) may show one the probe's snapshot did not. */
    int others = 0;
    for (uint32_t i = 0; i < nthreads(shm); i++)
        others += live(&shm->threads[i]) && !self_wait(&shm->threads[i]);
    if (others)
        rl_finding_append_detail(f, self ? "the other threads wait:"
                                         : "each thread waits for something "
                                           "no thread will release:");
    for (uint32_t i = 0; i < nthreads(shm); i++)
        if (live(&shm->threads[i]) && !self_wait(&shm->threads[i]))
            wait_line(shm, sym, (int)i, f);
}

static void livelock_finding(const struct rl_hang_verdict *v,
                             const struct rl_symbolizer *sym,
                             struct rl_findings *out)
{
    const struct rlp_shm *b = &v->before->shm, *n = &v->now->shm;
    double wall = v->now->elapsed - v->before->elapsed;
    double cpu = v->now->cpu - v->before->cpu;
    struct rl_finding *f = rl_findings_add(out, "livelock", "probe");
    char line[512], who[160], where[128], tmp[160];
    snprintf(line, sizeof line,
             "busy for %.1f s without progress: %.2f s of CPU time (%.0f%% "
             "of one core); the threads below kept giving up their locks, "
             "and none got its work done or finished",
             wall, cpu, 100 * cpu / wall);
    rl_finding_append_detail(f, line);
    for (uint32_t i = 0; i < nthreads(n) && i < nthreads(b); i++) {
        const struct rlp_thread *t = &n->threads[i];
        uint64_t fails = t->trylock_failures - b->threads[i].trylock_failures;
        uint64_t gave_up = t->backoffs - b->threads[i].backoffs;
        if (fails == 0)
            continue;
        thread_name(n, sym, (int)i, who, sizeof who);
        at(tmp, sizeof tmp,
           place(sym, &t->trylock_site, f, where, sizeof where));
        snprintf(line, sizeof line,
                 "%s: %llu failed trylocks%s and %llu locks given up in "
                 "%.1f s",
                 who, (unsigned long long)fails, tmp,
                 (unsigned long long)gave_up, wall);
        rl_finding_append_detail(f, line);
    }
    /* A barrier they keep meeting at re-aligns them every round: a
     * random back-off cannot get them out of step. */
    for (uint32_t k = 0; k < n->nlocks && k < RLP_MAX_LOCKS; k++) {
        const struct rlp_lock *l = &n->locks[k];
        uint64_t passes = l->kind == RLP_L_BARRIER
                              ? lock_growth(b, n, l->addr, lock_posts)
                              : 0;
        if (passes == 0)
            continue;
        char what[200];
        object_name(n, sym, l->addr, RLP_T_WAIT_BARRIER, what, sizeof what);
        snprintf(line, sizeof line,
                 "the threads passed %s %llu times in those %.1f s: it puts "
                 "them back in step at every round, so a random back-off "
                 "would not get them out of step",
                 what, (unsigned long long)passes, wall);
        rl_finding_append_detail(f, line);
        f->flags |= RL_FINDING_LOCKSTEP_BARRIER;
    }
}

static void starvation_finding(const struct rl_hang_verdict *v,
                               const struct rl_symbolizer *sym,
                               struct rl_findings *out)
{
    const struct rlp_shm *b = &v->before->shm, *n = &v->now->shm;
    const struct rlp_thread *t = &n->threads[v->thread];
    const struct rlp_lock *ln = find_lock(n, t->wait_object);
    const struct rlp_lock *lb = find_lock(b, t->wait_object);
    uint64_t got = (ln ? ln->acquisitions : 0) - (lb ? lb->acquisitions : 0);
    double waited = v->now->elapsed - v->before->elapsed;
    if (v->now->mono_ns > t->wait_since_ns && t->wait_since_ns)
        waited = (v->now->mono_ns - t->wait_since_ns) / 1e9;
    struct rl_finding *f = rl_findings_add(out, "starvation", "probe");
    char who[160], what[200], where[128], tmp[160], line[800];
    thread_name(n, sym, v->thread, who, sizeof who);
    object_name(n, sym, t->wait_object, t->state, what, sizeof what);
    at(tmp, sizeof tmp, place(sym, &t->wait_site, f, where, sizeof where));
    snprintf(line, sizeof line,
             "%s has waited for %s%s for %.1f s (since %.1f s after the "
             "start); meanwhile the other threads acquired it %llu times "
             "in %.1f s",
             who, what, tmp, waited, v->now->elapsed - waited,
             (unsigned long long)got, v->now->elapsed - v->before->elapsed);
    rl_finding_append_detail(f, line);
    /* Where the others hold it now. */
    for (uint32_t i = 0; i < nthreads(n); i++) {
        const struct rlp_held *h = held_of(&n->threads[i], t->wait_object);
        if ((int)i == v->thread || !h)
            continue;
        thread_name(n, sym, (int)i, who, sizeof who);
        at(tmp, sizeof tmp, place(sym, &h->site, f, where, sizeof where));
        snprintf(line, sizeof line, "%s holds it now (acquired%s)", who, tmp);
        rl_finding_append_detail(f, line);
    }
}

/* The cond wait loop version: the figures of the whole episode. */
static void cond_starvation_finding(const struct rl_hang_verdict *v,
                                    const struct rl_symbolizer *sym,
                                    struct rl_findings *out)
{
    const struct rlp_shm *b = &v->before->shm, *n = &v->now->shm;
    const struct rlp_thread *t = &n->threads[v->thread];
    const struct rlp_thread *o = &b->threads[v->thread];
    const struct rlp_lock *m = find_lock(n, t->cond_wait_mutex);
    uint64_t taken = m ? fresh_acquisitions(m) - t->cond_mutex_taken : 0;
    uint64_t window_taken =
        lock_growth(b, n, t->cond_wait_mutex, fresh_acquisitions);
    double window = v->now->elapsed - v->before->elapsed;
    double waited = window;
    if (v->now->mono_ns > t->cond_wait_since_ns && t->cond_wait_since_ns)
        waited = (v->now->mono_ns - t->cond_wait_since_ns) / 1e9;
    struct rl_finding *f = rl_findings_add(out, "starvation", "probe");
    char who[160], cond[200], mutex[200], where[128], tmp[160], line[1200];
    thread_name(n, sym, v->thread, who, sizeof who);
    object_name(n, sym, t->cond_wait_cond, RLP_T_WAIT_COND, cond, sizeof cond);
    object_name(n, sym, t->cond_wait_mutex, RLP_T_WAIT_LOCK, mutex,
                sizeof mutex);
    at(tmp, sizeof tmp, place(sym, &t->cond_wait_site, f, where, sizeof where));
    if (t->cond_wakeups == o->cond_wakeups)
        snprintf(line, sizeof line,
                 "%s has been waiting on %s%s for %.1f s (since %.1f s after "
                 "the start) and was never woken in the last %.1f s: the "
                 "threads that signalled it before (which let a waiter "
                 "through then) keep working but never signal it now, as "
                 "if what they signal at (e.g. the last reader out) never "
                 "comes, because they hand it on among themselves",
                 who, cond, tmp, waited, v->now->elapsed - waited, window);
    else
        snprintf(line, sizeof line,
                 "%s has been waiting on %s%s for %.1f s (since %.1f s after "
                 "the start) and never got past the wait: it was woken %llu "
                 "times (%llu in the last %.1f s) and each time went back to "
                 "waiting",
                 who, cond, tmp, waited, v->now->elapsed - waited,
                 (unsigned long long)t->cond_episode_wakeups,
                 (unsigned long long)(t->cond_wakeups - o->cond_wakeups),
                 window);
    rl_finding_append_detail(f, line);
    snprintf(line, sizeof line,
             "meanwhile the other threads locked %s, the mutex of that wait, "
             "%llu times (%llu in the last %.1f s): they keep getting in "
             "while it never does",
             mutex, (unsigned long long)taken, (unsigned long long)window_taken,
             window);
    rl_finding_append_detail(f, line);
    for (uint32_t i = 0; i < nthreads(n); i++) {
        const struct rlp_held *h = held_of(&n->threads[i], t->cond_wait_mutex);
        if ((int)i == v->thread || !h)
            continue;
        thread_name(n, sym, (int)i, who, sizeof who);
        at(tmp, sizeof tmp, place(sym, &h->site, f, where, sizeof where));
        snprintf(line, sizeof line, "%s holds the mutex now (acquired%s)", who,
                 tmp);
        rl_finding_append_detail(f, line);
    }
}

/* The group version on an rwlock: readers hand the read lock on. */
static void rwlock_group_detail(const struct rl_hang_verdict *v,
                                const struct rl_symbolizer *sym,
                                struct rl_finding *f, const char *victim,
                                const char *what, const char *at_wait,
                                double waited, uint64_t got)
{
    const struct rlp_shm *b = &v->before->shm, *n = &v->now->shm;
    const struct rlp_thread *t = &n->threads[v->thread];
    double window = v->now->elapsed - v->before->elapsed;
    uint64_t taken = lock_growth(b, n, t->wait_object, lock_acquisitions);
    char who[160], where[128], tmp[160], line[1200];
    snprintf(line, sizeof line,
             "%s has waited for %s%s for %.1f s (since %.1f s after the "
             "start); in the last %.1f s readers took it %llu times, every "
             "reader that held it at the start of those %.1f s has let go "
             "since, but a newcomer was always inside already, so it was "
             "never free; meanwhile the other threads kept working (%llu locks "
             "and semaphores acquired)",
             victim, what, at_wait, waited, v->now->elapsed - waited, window,
             (unsigned long long)taken, window, (unsigned long long)got);
    rl_finding_append_detail(f, line);
    for (uint32_t i = 0; i < nthreads(n); i++) {
        const struct rlp_held *h = held_of(&n->threads[i], t->wait_object);
        if ((int)i == v->thread || !h)
            continue;
        thread_name(n, sym, (int)i, who, sizeof who);
        at(tmp, sizeof tmp, place(sym, &h->site, f, where, sizeof where));
        snprintf(line, sizeof line, "%s holds it now (acquired%s)", who, tmp);
        rl_finding_append_detail(f, line);
    }
    rl_finding_append_detail(
        f, "the readers hand the read lock on among themselves (the next "
           "one is in before the last one leaves) and a reader-preferring "
           "rwlock (glibc's default) lets a new reader in while a writer "
           "waits; make it writer-preferring (pthread_rwlockattr_setkind_np "
           "with PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP) or let the "
           "readers leave gaps");
}

/* The group version: nobody takes the object, the group keeps it. */
static void group_starvation_finding(const struct rl_hang_verdict *v,
                                     const struct rl_symbolizer *sym,
                                     struct rl_findings *out)
{
    const struct rlp_shm *b = &v->before->shm, *n = &v->now->shm;
    const struct rlp_thread *t = &n->threads[v->thread];
    const struct rlp_lock *l = find_lock(n, t->wait_object);
    double window = v->now->elapsed - v->before->elapsed;
    double waited = window;
    if (v->now->mono_ns > t->wait_since_ns && t->wait_since_ns)
        waited = (v->now->mono_ns - t->wait_since_ns) / 1e9;
    uint64_t got = 0;
    busy_others(b, n, (uint32_t)v->thread, &got);
    struct rl_finding *f = rl_findings_add(out, "starvation", "probe");
    char who[160], what[200], where[128], tmp[160], line[1200];
    thread_name(n, sym, v->thread, who, sizeof who);
    object_name(n, sym, t->wait_object, t->state, what, sizeof what);
    at(tmp, sizeof tmp, place(sym, &t->wait_site, f, where, sizeof where));
    if (l && (l->kind == RLP_L_RWLOCK_READ || l->kind == RLP_L_RWLOCK_WRITE)) {
        rwlock_group_detail(v, sym, f, who, what, tmp, waited, got);
        return;
    }
    snprintf(line, sizeof line,
             "%s has waited for %s%s for %.1f s (since %.1f s after the "
             "start); in the last %.1f s nobody took it or gave it back: "
             "it stays taken, while the other threads kept working (%llu "
             "locks and semaphores acquired) and never all let go of it",
             who, what, tmp, waited, v->now->elapsed - waited, window,
             (unsigned long long)got);
    rl_finding_append_detail(f, line);
    /* Who took it (one of them holds it for the group now). */
    for (uint32_t i = 0; l && i < nthreads(n); i++) {
        if ((int)i == v->thread || !taker(l, i))
            continue;
        const struct rlp_held *h = held_of(&n->threads[i], t->wait_object);
        thread_name(n, sym, (int)i, who, sizeof who);
        tmp[0] = 0;
        if (h)
            at(tmp, sizeof tmp, place(sym, &h->site, f, where, sizeof where));
        snprintf(line, sizeof line, "%s took it%s%s", who, tmp,
                 n->threads[i].state == RLP_T_EXITED ? " and has ended" : "");
        rl_finding_append_detail(f, line);
    }
    for (uint32_t i = 0; i < nthreads(n); i++) {
        uint64_t a = (int)i == v->thread ? 0 : acquired_between(b, n, i);
        if (!a)
            continue;
        thread_name(n, sym, (int)i, who, sizeof who);
        snprintf(line, sizeof line,
                 "%s acquired locks or semaphores %llu times in those "
                 "%.1f s",
                 who, (unsigned long long)a, window);
        rl_finding_append_detail(f, line);
    }
    rl_finding_append_detail(
        f, "the threads that took it hand it on among themselves (one "
           "takes it, another gives it back) and are never all out at "
           "once, so the waiter never gets its turn; make the waiter block "
           "newcomers while it waits (a turnstile semaphore it holds, or "
           "writer preference)");
}

/* 1 when one of the words is in name, whatever the case. */
static int names_any(const char *name, const char *const *words)
{
    char low[128];
    size_t n = 0;
    for (; name && name[n] && n + 1 < sizeof low; n++)
        low[n] = (char)tolower((unsigned char)name[n]);
    low[n] = '\0';
    for (; *words; words++)
        if (strstr(low, *words))
            return 1;
    return 0;
}

/*
 * A starved reader (its wait is inside a function named for reading,
 * rw_read_lock, and none named for writing): the writers keep it out, so
 * writer preference is the bug, not the fix; the finding says so.
 */
static void mark_starved_reader(const struct rl_hang_verdict *v,
                                const struct rl_symbolizer *sym,
                                struct rl_finding *f)
{
    static const char *const reading[] = {"read", "rdlock", NULL};
    static const char *const writing[] = {"writ", "wrlock", NULL};
    const struct rlp_thread *t = &v->now->shm.threads[v->thread];
    const struct rlp_site *site =
        t->cond_wait_cond ? &t->cond_wait_site : &t->wait_site;
    struct rl_frame fr[4];
    size_t n = sym ? rl_symbolize_site(sym, site, fr, 4) : 0;
    int reader = 0;
    for (size_t k = 0; k < n; k++) {
        if (names_any(fr[k].function, writing))
            return;
        reader |= names_any(fr[k].function, reading);
    }
    if (!reader)
        return;
    f->flags |= RL_FINDING_READER_STARVED;
    rl_finding_append_detail(
        f, "the thread kept out is a reader: the writers keep it out, so "
           "preferring writers is what starves it; let the readers that "
           "queued while a writer was inside go in, all together, before "
           "the next writer (a turn counter)");
}

void rl_probe_hang_findings(const struct rl_hang_verdict *v,
                            const struct rl_symbolizer *sym,
                            struct rl_findings *out)
{
    size_t before = out->n;
    switch (v->kind) {
    case RL_HANG_DEADLOCK:
        deadlock_finding(v, sym, out);
        break;
    case RL_HANG_LIVELOCK:
        livelock_finding(v, sym, out);
        break;
    case RL_HANG_STARVATION:
        if (v->rule == RL_STARVE_GROUP)
            group_starvation_finding(v, sym, out);
        else if (v->rule == RL_STARVE_COND ||
                 rl_probe_starving(v->before, v->now) != v->thread)
            cond_starvation_finding(v, sym, out);
        else
            starvation_finding(v, sym, out);
        if (out->n > before)
            mark_starved_reader(v, sym, &out->v[out->n - 1]);
        break;
    case RL_HANG_NONE:
        break;
    }
}

void rl_probe_inversion_findings(const struct rlp_shm *shm,
                                 const struct rl_symbolizer *sym,
                                 struct rl_findings *out)
{
    struct rl_lock_cycle c;
    if (!rl_probe_find_inversion(shm, &c))
        return;
    struct rl_finding *f =
        rl_findings_add(out, "lock-order-inversion", "probe");
    for (size_t k = 0; k < c.n; k++) {
        const struct rlp_edge *e = &shm->edges[c.edge[k]];
        char who[160], a[200], b[200], wa[128], wb[128], ta[160], tb[160];
        char line[1024];
        thread_name(shm, sym, e->thread_index, who, sizeof who);
        object_name_at(shm, sym, e->first, 0, &e->first_site, a, sizeof a);
        object_name_at(shm, sym, e->second, 0, &e->second_site, b, sizeof b);
        at(ta, sizeof ta, place(sym, &e->first_site, f, wa, sizeof wa));
        at(tb, sizeof tb, place(sym, &e->second_site, f, wb, sizeof wb));
        snprintf(line, sizeof line, "%s took %s%s, then %s%s", who, a, ta, b,
                 tb);
        rl_finding_append_detail(f, line);
    }
    rl_finding_append_detail(f, "run at the same time, each thread can "
                                "hold one lock and wait forever for the next");
}

const char *rl_probe_event_id(int kind)
{
    switch (kind) {
    case RLP_E_SIGNAL_UNSAFE:
        return "signal-unsafe-call";
    case RLP_E_ERRNO_CLOBBER:
        return "errno-clobber";
    case RLP_E_FD_LEAK:
        return "fd-leak";
    case RLP_E_ZOMBIE:
        return "zombie-children";
    case RLP_E_THREAD_LEAK:
        return "thread-leak";
    }
    return NULL;
}

/* The finding (added since `from`) an event joins: same ID, same place. */
static struct rl_finding *event_finding(struct rl_findings *out, size_t from,
                                        const char *id,
                                        const struct rl_frame *fr)
{
    for (size_t i = from; i < out->n; i++) {
        struct rl_finding *f = &out->v[i];
        if (strcmp(f->id, id) != 0)
            continue;
        if (fr ? rl_finding_has_location(f, fr->file, fr->line) : f->nlocs == 0)
            return f;
    }
    struct rl_finding *f = rl_findings_add(out, id, "probe");
    if (fr)
        rl_finding_add_location(f, fr->file, fr->line, fr->function);
    return f;
}

/* The detail of a thread leak names the start routine (site2.pc[0]). */
static void event_detail(const struct rlp_shm *shm,
                         const struct rl_symbolizer *sym,
                         const struct rlp_event *e, char *buf, size_t len)
{
    const char *fn = rl_symbolize_function(sym, e->site2.pc[0]);
    snprintf(buf, len, "%.*s", RLP_DETAIL, e->detail);
    if (e->kind == RLP_E_THREAD_LEAK && fn && e->number > 0)
        snprintf(buf, len, "thread %d (%s) was neither joined nor detached",
                 (int)e->number, fn);
}

/* The event's facts on its finding: the first event's thread or fd;
 * at exit only while every event of it was recorded at exit. */
static void event_facts(struct rl_finding *f, const struct rlp_event *e,
                        int fresh)
{
    struct rl_finding one = {.thread = -1, .fd = -1};
    if (e->flags & RLP_EV_AT_EXIT)
        one.flags |= RL_FINDING_AT_EXIT;
    if (e->kind == RLP_E_THREAD_LEAK)
        one.thread = e->number;
    else if (e->kind == RLP_E_FD_LEAK)
        one.fd = e->number;
    if (fresh)
        f->flags = one.flags;
    rl_finding_merge_facts(f, &one);
}

void rl_probe_event_findings(const struct rlp_shm *shm,
                             const struct rl_symbolizer *sym,
                             struct rl_findings *out)
{
    size_t from = out->n;
    uint32_t n = shm->nevents < RLP_MAX_EVENTS ? shm->nevents : RLP_MAX_EVENTS;
    for (uint32_t i = 0; i < n; i++) {
        const struct rlp_event *e = &shm->events[i];
        const char *id = rl_probe_event_id(e->kind);
        if (!id)
            continue;
        struct rl_frame fr, fr2;
        int has = rl_symbolize_user_frame(sym, &e->site, &fr) == 0;
        size_t before = out->n;
        struct rl_finding *f = event_finding(out, from, id, has ? &fr : NULL);
        event_facts(f, e, out->n > before);
        if (e->kind != RLP_E_THREAD_LEAK &&
            rl_symbolize_user_frame(sym, &e->site2, &fr2) == 0)
            rl_finding_add_location(f, fr2.file, fr2.line, fr2.function);
        char detail[RLP_DETAIL + 160];
        event_detail(shm, sym, e, detail, sizeof detail);
        if (detail[0] && !(f->detail && strstr(f->detail, detail)))
            rl_finding_append_detail(f, detail);
    }
}

/* ---- did-not-finish: where each thread stood at the timeout ---- */

/* The name of a system call a thread may wait in, or NULL. */
static const char *syscall_name(int nr)
{
#ifdef __x86_64__
    static const struct {
        int nr;
        const char *name;
    } names[] = {
        {0, "read"},
        {1, "write"},
        {7, "poll"},
        {17, "pread64"},
        {23, "select"},
        {34, "pause"},
        {35, "nanosleep"},
        {43, "accept"},
        {45, "recvfrom"},
        {47, "recvmsg"},
        {61, "wait4"},
        {202, "futex"},
        {230, "clock_nanosleep"},
        {232, "epoll_wait"},
        {247, "waitid"},
        {270, "pselect6"},
        {271, "ppoll"},
        {281, "epoll_pwait"},
        {288, "accept4"},
        {44, "sendto"},
        {130, "rt_sigsuspend"},
        {128, "rt_sigtimedwait"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].nr == nr)
            return names[i].name;
#else
    (void)nr;
#endif
    return NULL;
}

static const struct rl_task *task_of(const struct rl_probe_sample *s,
                                     int32_t tid)
{
    for (size_t i = 0; i < s->ntasks; i++)
        if (s->tasks[i].ns_tid == tid)
            return &s->tasks[i];
    return NULL;
}

/* "thread 2 (reader) is blocked in read() at pipe.c:19" for a thread the
 * table shows as running: /proc says where. */
static void unplaced_line(const struct rlp_shm *shm,
                          const struct rl_symbolizer *sym, int i,
                          const struct rl_task *task, struct rl_finding *f)
{
    char who[160], where[128], tmp[160], call[64], line[600];
    thread_name(shm, sym, i, who, sizeof who);
    if (!task || task->syscall < 0) {
        snprintf(line, sizeof line, "%s was running (busy, not waiting)", who);
        rl_finding_append_detail(f, line);
        return;
    }
    const char *name = syscall_name(task->syscall);
    if (name)
        snprintf(call, sizeof call, "%s()", name);
    else
        snprintf(call, sizeof call, "system call %d", task->syscall);
    at(tmp, sizeof tmp, place(sym, &task->stack, f, where, sizeof where));
    snprintf(line, sizeof line, "%s is blocked in %s%s", who, call, tmp);
    rl_finding_append_detail(f, line);
}

void rl_probe_unfinished_findings(const struct rl_probe_sample *last,
                                  double timeout,
                                  const struct rl_symbolizer *sym,
                                  struct rl_findings *out)
{
    struct rl_finding *f = rl_findings_add(out, "did-not-finish", "probe");
    char line[256];
    snprintf(line, sizeof line,
             "the program did not finish in %.0f s and was stopped; it was "
             "not seen deadlocked, livelocked or starving",
             timeout);
    rl_finding_append_detail(f, line);
    if (!last)
        return;
    const struct rlp_shm *shm = &last->shm;
    rl_finding_append_detail(f, "where each thread was when it was stopped:");
    for (uint32_t i = 0; i < nthreads(shm); i++) {
        const struct rlp_thread *t = &shm->threads[i];
        if (!live(t))
            continue;
        if (waiting(t))
            wait_line(shm, sym, (int)i, f);
        else
            unplaced_line(shm, sym, (int)i, task_of(last, t->tid), f);
    }
}
