/* sched_sync.c: pthread and semaphore calls, modeled by the scheduler. */
/*
 * The program is linked with -Wl,--wrap=NAME for every function below
 * (the list is RS_WRAPPED in sched_explore.c), so its calls land here.
 * Under the scheduler a lock is a record (owner, count) and a blocked
 * thread waits for its turn, never in the kernel: that is what lets the
 * scheduler see a deadlock the moment no thread can go on.  Outside a
 * scheduled run (a forked child, a constructor) the real calls are made.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "sched_int.h"

#define RET() ((uint64_t)__builtin_return_address(0))
#define U(p) ((uint64_t)(uintptr_t)(p))

int __real_pthread_create(pthread_t *, const pthread_attr_t *,
                          void *(*)(void *), void *);
int __real_pthread_join(pthread_t, void **);
void __real_pthread_exit(void *) __attribute__((noreturn));
int __real_pthread_detach(pthread_t);
int __real_pthread_once(pthread_once_t *, void (*)(void));
int __real_pthread_mutex_init(pthread_mutex_t *, const pthread_mutexattr_t *);
int __real_pthread_mutex_lock(pthread_mutex_t *);
int __real_pthread_mutex_trylock(pthread_mutex_t *);
int __real_pthread_mutex_timedlock(pthread_mutex_t *, const struct timespec *);
int __real_pthread_mutex_unlock(pthread_mutex_t *);
int __real_pthread_cond_wait(pthread_cond_t *, pthread_mutex_t *);
int __real_pthread_cond_timedwait(pthread_cond_t *, pthread_mutex_t *,
                                  const struct timespec *);
int __real_pthread_cond_signal(pthread_cond_t *);
int __real_pthread_cond_broadcast(pthread_cond_t *);
int __real_pthread_rwlock_rdlock(pthread_rwlock_t *);
int __real_pthread_rwlock_wrlock(pthread_rwlock_t *);
int __real_pthread_rwlock_tryrdlock(pthread_rwlock_t *);
int __real_pthread_rwlock_trywrlock(pthread_rwlock_t *);
int __real_pthread_rwlock_unlock(pthread_rwlock_t *);
int __real_pthread_barrier_init(pthread_barrier_t *,
                                const pthread_barrierattr_t *, unsigned);
int __real_pthread_barrier_wait(pthread_barrier_t *);
int __real_pthread_spin_lock(pthread_spinlock_t *);
int __real_pthread_spin_trylock(pthread_spinlock_t *);
int __real_pthread_spin_unlock(pthread_spinlock_t *);
int __real_sem_init(sem_t *, int, unsigned);
int __real_sem_wait(sem_t *);
int __real_sem_trywait(sem_t *);
int __real_sem_timedwait(sem_t *, const struct timespec *);
int __real_sem_post(sem_t *);
int __real_sem_getvalue(sem_t *, int *);
int __real_sched_yield(void);
unsigned __real_sleep(unsigned);
int __real_usleep(useconds_t);
int __real_nanosleep(const struct timespec *, struct timespec *);
pid_t __real_fork(void);
int __real_clock_gettime(clockid_t, struct timespec *);
int __real_gettimeofday(struct timeval *, void *);
time_t __real_time(time_t *);

static void vt_reach(const struct timespec *abs);

/* Every modeled call starts alike: the last write's value, the site. */
static void enter(uint64_t ret, uint64_t pc[RS_FRAMES])
{
    rs_finish_write();
    rs_site(ret, pc);
}

/* Wakes every thread blocked on obj: each re-checks, PCT picks one. */
static void wake_all(uint64_t obj)
{
    for (int i = 0; i < rs_nthreads; i++)
        if (rs_threads[i].state == RS_BLOCKED &&
            rs_threads[i].wait_kind != RS_WAIT_COND &&
            rs_threads[i].wait_kind != RS_WAIT_JOIN &&
            rs_threads[i].wait_obj == obj)
            rs_wake(i);
}

/* ---- threads ---- */

static void *trampoline(void *arg)
{
    int t = (int)(intptr_t)arg;
    rs_thread_start(t);
    void *ret = rs_threads[t].fn(rs_threads[t].arg);
    rs_thread_exit(ret);
    return ret;
}

int __wrap_pthread_create(pthread_t *th, const pthread_attr_t *attr,
                          void *(*fn)(void *), void *arg)
{
    if (!rs_on())
        return __real_pthread_create(th, attr, fn, arg);
    uint64_t pc[RS_FRAMES];
    enter(RET(), pc);
    int t = rs_thread_new(fn, arg);
    int rc = __real_pthread_create(th, attr, trampoline, (void *)(intptr_t)t);
    if (rc != 0) {
        rs_threads[t].state = RS_DONE;
        return rc;
    }
    rs_threads[t].real = (unsigned long)*th;
    rs_record(RS_OP_CREATE, 0, 0, 0, (uint64_t)t, pc);
    rs_progress();
    rs_point();
    return 0;
}

/* glibc reuses a joined thread's pthread_t for the next thread: the
 * newest thread not yet joined is the one meant. */
static int thread_index(pthread_t th)
{
    for (int i = rs_nthreads - 1; i >= 1; i--)
        if (rs_threads[i].real == (unsigned long)th && !rs_threads[i].joined)
            return i;
    return -1;
}

int __wrap_pthread_join(pthread_t th, void **ret)
{
    int t = rs_on() ? thread_index(th) : -1;
    if (t < 0)
        return __real_pthread_join(th, ret);
    uint64_t pc[RS_FRAMES];
    enter(RET(), pc);
    rs_point();
    while (rs_threads[t].state != RS_DONE)
        rs_block(RS_WAIT_JOIN, (uint64_t)t, 0, pc);
    rs_record(RS_OP_JOIN, 0, 0, 0, (uint64_t)t, pc);
    rs_threads[t].joined = 1;
    if (ret)
        *ret = rs_threads[t].ret;
    /* The thread has left user code; the real join reaps it. */
    return __real_pthread_join(th, NULL);
}

void __wrap_pthread_exit(void *ret)
{
    if (rs_on())
        rs_thread_exit(ret);
    __real_pthread_exit(ret);
}

int __wrap_pthread_detach(pthread_t th)
{
    int t = rs_on() ? thread_index(th) : -1;
    if (t >= 0)
        rs_threads[t].joined = 1; /* nobody may join it now */
    return __real_pthread_detach(th);
}

/* pthread_once: count 0 not run, 1 running (owner), 2 done.  The real
 * one would block the second caller in the kernel, holding the turn. */
int __wrap_pthread_once(pthread_once_t *once, void (*init)(void))
{
    if (!rs_on())
        return __real_pthread_once(once, init);
    uint64_t pc[RS_FRAMES];
    enter(RET(), pc);
    rs_point();
    struct rs_obj *o = rs_obj_get(U(once), RS_WAIT_ONCE);
    while (o->count == 1)
        rs_block(RS_WAIT_ONCE, U(once), 0, pc);
    if (o->count == 2) {
        rs_record(RS_OP_LOCK, U(once), 0, 0, 0, pc); /* sees the init */
        return 0;
    }
    o->count = 1;
    o->owner = rs_self;
    memcpy(o->held_pc, pc, sizeof o->held_pc);
    init();
    rs_finish_write();
    o->count = 2;
    o->owner = -1;
    rs_record(RS_OP_UNLOCK, U(once), 0, 0, 0, pc);
    wake_all(U(once));
    rs_point();
    return 0;
}

/* ---- mutexes (and spinlocks, which are mutexes here) ---- */

static struct rs_obj *mutex_obj(void *m)
{
    struct rs_obj *o = rs_obj_get(U(m), RS_WAIT_MUTEX);
    if (o->kind == RS_WAIT_MUTEX && o->count == 0 && o->owner < 0 &&
        !o->recursive) {
        /* glibc keeps the type in __kind: 1 is recursive (also for the
         * PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP static initializer). */
        pthread_mutex_t *pm = m;
        o->recursive = (pm->__data.__kind & 3) == PTHREAD_MUTEX_RECURSIVE;
    }
    return o;
}

static int acquire(void *m, int try, int timed, const uint64_t pc[RS_FRAMES])
{
    struct rs_obj *o = mutex_obj(m);
    struct rs_thread *me = &rs_threads[rs_self];
    for (;;) {
        if (o->owner < 0)
            break;
        if (o->owner == rs_self && o->recursive) {
            o->count++;
            rs_record(RS_OP_LOCK, U(m), 0, (uint64_t)o->count, 0, pc);
            return 0;
        }
        if (try) {
            rs_record(RS_OP_TRYFAIL, U(m), 0, 0, (uint64_t)o->owner, pc);
            return EBUSY;
        }
        rs_block(RS_WAIT_MUTEX, U(m), timed, pc);
        if (me->timed_out) {
            me->timed_out = 0;
            return ETIMEDOUT;
        }
    }
    o->owner = rs_self;
    o->count = 1;
    memcpy(o->held_pc, pc, sizeof o->held_pc);
    rs_record(RS_OP_LOCK, U(m), 0, 1, 0, pc);
    return 0;
}

static int release(void *m, const uint64_t pc[RS_FRAMES])
{
    struct rs_obj *o = mutex_obj(m);
    if (o->owner != rs_self)
        return EPERM;
    if (--o->count > 0)
        return 0;
    o->owner = -1;
    rs_record(RS_OP_UNLOCK, U(m), 0, 0, 0, pc);
    wake_all(U(m));
    return 0;
}

int __wrap_pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a)
{
    int rc = __real_pthread_mutex_init(m, a);
    if (rs_on()) {
        struct rs_obj *o = rs_obj_get(U(m), RS_WAIT_MUTEX);
        o->kind = RS_WAIT_MUTEX;
        o->owner = -1;
        o->count = 0;
        o->recursive = (m->__data.__kind & 3) == PTHREAD_MUTEX_RECURSIVE;
    }
    return rc;
}

static int lock_call(void *m, int try, int timed, uint64_t ret)
{
    uint64_t pc[RS_FRAMES];
    enter(ret, pc);
    rs_point();
    return acquire(m, try, timed, pc);
}

static int unlock_call(void *m, uint64_t ret)
{
    uint64_t pc[RS_FRAMES];
    enter(ret, pc);
    int rc = release(m, pc);
    rs_point();
    return rc;
}

int __wrap_pthread_mutex_lock(pthread_mutex_t *m)
{
    if (!rs_on())
        return __real_pthread_mutex_lock(m);
    return lock_call(m, 0, 0, RET());
}

int __wrap_pthread_mutex_trylock(pthread_mutex_t *m)
{
    if (!rs_on())
        return __real_pthread_mutex_trylock(m);
    return lock_call(m, 1, 0, RET());
}

int __wrap_pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *t)
{
    if (!rs_on())
        return __real_pthread_mutex_timedlock(m, t);
    int rc = lock_call(m, 0, 1, RET());
    if (rc == ETIMEDOUT)
        vt_reach(t);
    return rc;
}

int __wrap_pthread_mutex_unlock(pthread_mutex_t *m)
{
    if (!rs_on())
        return __real_pthread_mutex_unlock(m);
    return unlock_call(m, RET());
}

int __wrap_pthread_spin_lock(pthread_spinlock_t *s)
{
    if (!rs_on())
        return __real_pthread_spin_lock(s);
    return lock_call((void *)s, 0, 0, RET());
}

int __wrap_pthread_spin_trylock(pthread_spinlock_t *s)
{
    if (!rs_on())
        return __real_pthread_spin_trylock(s);
    return lock_call((void *)s, 1, 0, RET());
}

int __wrap_pthread_spin_unlock(pthread_spinlock_t *s)
{
    if (!rs_on())
        return __real_pthread_spin_unlock(s);
    return unlock_call((void *)s, RET());
}

/* ---- condition variables ---- */

static uint64_t tickets;

static int cond_wait(pthread_cond_t *c, pthread_mutex_t *m, int timed,
                     uint64_t ret)
{
    uint64_t pc[RS_FRAMES];
    struct rs_thread *me = &rs_threads[rs_self];
    enter(ret, pc);
    struct rs_obj *om = mutex_obj(m);
    if (om->owner != rs_self)
        return EPERM;
    int held = om->count;
    om->count = 1;
    release(m, pc);
    rs_record(RS_OP_COND_WAIT, U(c), 0, 0, U(m), pc);
    me->woken = 0;
    me->timed_out = 0;
    int how = 0;
    if (rs_spurious_ok()) {
        how = 1; /* POSIX allows it: `if` instead of `while` shows here */
        rs_point();
    } else {
        me->ticket = ++tickets;
        while (!me->woken && !me->timed_out)
            rs_block(RS_WAIT_COND, U(c), timed, pc);
        how = me->woken ? 0 : 2;
    }
    me->timed_out = 0;
    rs_record(RS_OP_COND_WAKE, U(c), 0, 0, (uint64_t)how, pc);
    acquire(m, 0, 0, pc);
    om->count = held;
    return how == 2 ? ETIMEDOUT : 0;
}

/* Wakes the longest waiter (all of them when `all`). */
static void cond_wake(pthread_cond_t *c, int all, uint64_t ret)
{
    uint64_t pc[RS_FRAMES];
    enter(ret, pc);
    rs_record(all ? RS_OP_BROADCAST : RS_OP_SIGNAL, U(c), 0, 0, 0, pc);
    for (;;) {
        int best = -1;
        for (int i = 0; i < rs_nthreads; i++) {
            struct rs_thread *t = &rs_threads[i];
            if (t->state == RS_BLOCKED && t->wait_kind == RS_WAIT_COND &&
                t->wait_obj == U(c) && !t->woken &&
                (best < 0 || t->ticket < rs_threads[best].ticket))
                best = i;
        }
        if (best < 0)
            break;
        rs_threads[best].woken = 1;
        rs_wake(best);
        if (!all)
            break;
    }
    rs_point();
}

int __wrap_pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
    if (!rs_on())
        return __real_pthread_cond_wait(c, m);
    return cond_wait(c, m, 0, RET());
}

int __wrap_pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m,
                                  const struct timespec *t)
{
    if (!rs_on())
        return __real_pthread_cond_timedwait(c, m, t);
    int rc = cond_wait(c, m, 1, RET());
    if (rc == ETIMEDOUT)
        vt_reach(t);
    return rc;
}

int __wrap_pthread_cond_signal(pthread_cond_t *c)
{
    if (!rs_on())
        return __real_pthread_cond_signal(c);
    cond_wake(c, 0, RET());
    return 0;
}

int __wrap_pthread_cond_broadcast(pthread_cond_t *c)
{
    if (!rs_on())
        return __real_pthread_cond_broadcast(c);
    cond_wake(c, 1, RET());
    return 0;
}

/* ---- reader-writer locks: owner is the writer, count the readers ---- */

static int rw_lock(pthread_rwlock_t *l, int write, int try, uint64_t ret)
{
    uint64_t pc[RS_FRAMES];
    enter(ret, pc);
    rs_point();
    struct rs_obj *o = rs_obj_get(U(l), RS_WAIT_RWLOCK);
    while (o->owner >= 0 || (write && o->count > 0)) {
        if (try) {
            rs_record(RS_OP_TRYFAIL, U(l), 0, 0, (uint64_t)o->owner, pc);
            return EBUSY;
        }
        rs_block(RS_WAIT_RWLOCK, U(l), 0, pc);
    }
    if (write) {
        o->owner = rs_self;
        memcpy(o->held_pc, pc, sizeof o->held_pc);
    } else {
        o->count++;
    }
    rs_record(write ? RS_OP_LOCK : RS_OP_RDLOCK, U(l), 0, 0, 0, pc);
    return 0;
}

int __wrap_pthread_rwlock_rdlock(pthread_rwlock_t *l)
{
    if (!rs_on())
        return __real_pthread_rwlock_rdlock(l);
    return rw_lock(l, 0, 0, RET());
}

int __wrap_pthread_rwlock_wrlock(pthread_rwlock_t *l)
{
    if (!rs_on())
        return __real_pthread_rwlock_wrlock(l);
    return rw_lock(l, 1, 0, RET());
}

int __wrap_pthread_rwlock_tryrdlock(pthread_rwlock_t *l)
{
    if (!rs_on())
        return __real_pthread_rwlock_tryrdlock(l);
    return rw_lock(l, 0, 1, RET());
}

int __wrap_pthread_rwlock_trywrlock(pthread_rwlock_t *l)
{
    if (!rs_on())
        return __real_pthread_rwlock_trywrlock(l);
    return rw_lock(l, 1, 1, RET());
}

int __wrap_pthread_rwlock_unlock(pthread_rwlock_t *l)
{
    if (!rs_on())
        return __real_pthread_rwlock_unlock(l);
    uint64_t pc[RS_FRAMES];
    enter(RET(), pc);
    struct rs_obj *o = rs_obj_get(U(l), RS_WAIT_RWLOCK);
    if (o->owner == rs_self)
        o->owner = -1;
    else if (o->count > 0)
        o->count--;
    else
        return EPERM;
    rs_record(RS_OP_UNLOCK, U(l), 0, 0, 0, pc);
    wake_all(U(l));
    rs_point();
    return 0;
}

/* ---- barriers ---- */

int __wrap_pthread_barrier_init(pthread_barrier_t *b,
                                const pthread_barrierattr_t *a, unsigned n)
{
    int rc = __real_pthread_barrier_init(b, a, n);
    struct rs_obj *o = rs_obj_get(U(b), RS_WAIT_BARRIER);
    o->limit = (int)n;
    o->count = 0;
    return rc;
}

int __wrap_pthread_barrier_wait(pthread_barrier_t *b)
{
    if (!rs_on())
        return __real_pthread_barrier_wait(b);
    uint64_t pc[RS_FRAMES];
    enter(RET(), pc);
    rs_point();
    struct rs_obj *o = rs_obj_get(U(b), RS_WAIT_BARRIER);
    uint64_t gen = o->generation;
    rs_record(RS_OP_BARRIER, U(b), 0, 0, 0, pc);
    if (++o->count >= o->limit) {
        o->count = 0;
        o->generation++;
        wake_all(U(b)); /* not progress: a lockstep loop is a livelock */
        rs_record(RS_OP_BARRIER, U(b), 0, 0, 1, pc);
        rs_point();
        return PTHREAD_BARRIER_SERIAL_THREAD;
    }
    while (o->generation == gen)
        rs_block(RS_WAIT_BARRIER, U(b), 0, pc);
    rs_record(RS_OP_BARRIER, U(b), 0, 0, 1, pc);
    return 0;
}

/* ---- semaphores: count is the value ---- */

static struct rs_obj *sem_obj(sem_t *s)
{
    struct rs_obj *o = rs_obj_get(U(s), RS_WAIT_SEM);
    if (o->kind == RS_WAIT_SEM && o->limit == 0) {
        int v = 0; /* initialized before the scheduler started */
        __real_sem_getvalue(s, &v);
        o->count = v;
        o->limit = 1; /* marks "value known" */
    }
    return o;
}

int __wrap_sem_init(sem_t *s, int pshared, unsigned v)
{
    int rc = __real_sem_init(s, pshared, v);
    if (rc == 0 && rs_on()) {
        struct rs_obj *o = rs_obj_get(U(s), RS_WAIT_SEM);
        o->kind = RS_WAIT_SEM;
        o->count = (int)v;
        o->limit = 1;
    }
    return rc;
}

static int sem_down(sem_t *s, int try, int timed, uint64_t ret)
{
    uint64_t pc[RS_FRAMES];
    struct rs_thread *me = &rs_threads[rs_self];
    enter(ret, pc);
    rs_point();
    struct rs_obj *o = sem_obj(s);
    while (o->count == 0) {
        if (try) {
            rs_record(RS_OP_TRYFAIL, U(s), 0, 0, 0, pc);
            errno = EAGAIN;
            return -1;
        }
        rs_block(RS_WAIT_SEM, U(s), timed, pc);
        if (me->timed_out) {
            me->timed_out = 0;
            errno = ETIMEDOUT;
            return -1;
        }
    }
    o->count--;
    rs_record(RS_OP_SEM_WAIT, U(s), 0, (uint64_t)o->count, 0, pc);
    return 0;
}

int __wrap_sem_wait(sem_t *s)
{
    if (!rs_on())
        return __real_sem_wait(s);
    return sem_down(s, 0, 0, RET());
}

int __wrap_sem_trywait(sem_t *s)
{
    if (!rs_on())
        return __real_sem_trywait(s);
    return sem_down(s, 1, 0, RET());
}

int __wrap_sem_timedwait(sem_t *s, const struct timespec *t)
{
    if (!rs_on())
        return __real_sem_timedwait(s, t);
    int rc = sem_down(s, 0, 1, RET());
    if (rc != 0 && errno == ETIMEDOUT)
        vt_reach(t);
    return rc;
}

int __wrap_sem_post(sem_t *s)
{
    if (!rs_on())
        return __real_sem_post(s);
    uint64_t pc[RS_FRAMES];
    enter(RET(), pc);
    struct rs_obj *o = sem_obj(s);
    o->count++;
    rs_record(RS_OP_SEM_POST, U(s), 0, (uint64_t)o->count, 0, pc);
    wake_all(U(s));
    rs_progress();
    rs_point();
    return 0;
}

int __wrap_sem_getvalue(sem_t *s, int *v)
{
    if (!rs_on())
        return __real_sem_getvalue(s, v);
    *v = sem_obj(s)->count;
    return 0;
}

/* ---- virtual time ----
 * Under the scheduler time passes only when the program looks at it or
 * waits for it: each clock read adds 1 us, a sleep adds its length, a
 * timed wait that times out jumps to its deadline.  A back-off that spins
 * on the clock, or a loop that runs "for two seconds", then takes
 * milliseconds, and the same number of steps in every replay.  The
 * monotonic clocks start at a fixed 1000 s; CLOCK_REALTIME at the date. */

static const uint64_t NS = 1000000000ULL;
static uint64_t vt_ns;     /* virtual time since the run began */
static uint64_t real_base; /* CLOCK_REALTIME at the first look, in ns */

static uint64_t vt_now(clockid_t id)
{
    if (!real_base) {
        struct timespec ts;
        __real_clock_gettime(CLOCK_REALTIME, &ts);
        real_base = (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
    }
    return vt_ns + (id == CLOCK_REALTIME ? real_base : 1000 * NS);
}

/* A timed wait timed out: time has reached its (realtime) deadline. */
static void vt_reach(const struct timespec *abs)
{
    if (!abs)
        return;
    uint64_t when = (uint64_t)abs->tv_sec * NS + (uint64_t)abs->tv_nsec;
    uint64_t now = vt_now(CLOCK_REALTIME);
    if (when > now)
        vt_ns += when - now;
}

int __wrap_clock_gettime(clockid_t id, struct timespec *ts)
{
    if (!rs_on() || id == CLOCK_PROCESS_CPUTIME_ID ||
        id == CLOCK_THREAD_CPUTIME_ID)
        return __real_clock_gettime(id, ts);
    vt_ns += 1000;
    uint64_t t = vt_now(id);
    ts->tv_sec = (time_t)(t / NS);
    ts->tv_nsec = (long)(t % NS);
    return 0;
}

int __wrap_gettimeofday(struct timeval *tv, void *tz)
{
    if (!rs_on())
        return __real_gettimeofday(tv, tz);
    vt_ns += 1000;
    uint64_t t = vt_now(CLOCK_REALTIME);
    if (tv) {
        tv->tv_sec = (time_t)(t / NS);
        tv->tv_usec = (suseconds_t)(t % NS / 1000);
    }
    return 0;
}

time_t __wrap_time(time_t *out)
{
    if (!rs_on())
        return __real_time(out);
    vt_ns += 1000;
    time_t t = (time_t)(vt_now(CLOCK_REALTIME) / NS);
    if (out)
        *out = t;
    return t;
}

/* ---- yielding and sleeping: time is virtual, a sleep is a yield ---- */

static int yield_call(uint64_t ret)
{
    uint64_t pc[RS_FRAMES];
    enter(ret, pc);
    rs_record(RS_OP_YIELD, 0, 0, 0, 0, pc);
    rs_demote();
    rs_point();
    return 0;
}

int __wrap_sched_yield(void)
{
    if (!rs_on())
        return __real_sched_yield();
    return yield_call(RET());
}

unsigned __wrap_sleep(unsigned s)
{
    if (!rs_on())
        return __real_sleep(s);
    vt_ns += (uint64_t)s * NS;
    yield_call(RET());
    return 0;
}

int __wrap_usleep(useconds_t us)
{
    if (!rs_on())
        return __real_usleep(us);
    vt_ns += (uint64_t)us * 1000;
    return yield_call(RET());
}

int __wrap_nanosleep(const struct timespec *t, struct timespec *rem)
{
    if (!rs_on())
        return __real_nanosleep(t, rem);
    if (rem)
        memset(rem, 0, sizeof *rem);
    if (t)
        vt_ns += (uint64_t)t->tv_sec * NS + (uint64_t)t->tv_nsec;
    return yield_call(RET());
}

/* A forked child leaves the scheduler: it has one thread, runs freely. */
pid_t __wrap_fork(void)
{
    if (!rs_on())
        return __real_fork();
    uint64_t pc[RS_FRAMES];
    enter(RET(), pc);
    rs_record(RS_OP_FORK, 0, 0, 0, 0, pc);
    pid_t pid = __real_fork();
    if (pid == 0) {
        rs_active = 0;
        return 0;
    }
    rs_point();
    return pid;
}
