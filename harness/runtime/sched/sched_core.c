/* sched_core.c: racelab's seeded PCT scheduler and its per-seed fork server. */
/*
 * Linked into the program under test (see the Makefile rule for
 * bin/racelab-sched.o and sched_explore.c for the link line).  Before
 * main, a constructor becomes a fork server: for each seed it forks a
 * child that returns into main with the scheduler on, waits for it and
 * writes one line per seed (plus the trace of the first failing seed of
 * each kind) to RACELAB_SCHED_OUT.  Forking from a process already loaded
 * costs a fraction of an exec, which keeps a seed well under 5 ms.
 *
 * One thread runs at a time: each has a futex flag `go`, and the running
 * thread hands the turn over at every scheduling point where PCT says so.
 * Nothing here uses a pthread lock: the turn itself is the lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sched_int.h"

enum {
    RS_MAX_CHANGES = 16,
    RS_OBJS = RS_MAX_LOCKS, /* hash table of sync objects */
    RS_SPIN_STEPS = 256,    /* idle steps before a thread is demoted */
    RS_SPURIOUS_MAX = 4,    /* spurious wakeups per run */
};

static const int64_t RS_BASE_PRIO = (int64_t)1 << 40;

int rs_active;
__thread int rs_self = -1;
struct rs_thread rs_threads[RS_MAX_THREADS];
int rs_nthreads;

static struct rs_shm *shm;
static int depth = RS_DEFAULT_DEPTH;
static int spurious; /* allow spurious condition wakeups */
static int spurious_used;
static uint64_t rng_state;
static uint64_t change_at[RS_MAX_CHANGES];
static int nchanges;
static int live;                     /* threads started and not done */
static uint64_t idle_budget = 50000; /* steps without progress: livelock */
static uint64_t step_cap = 2000000;  /* steps in one run, at most */
static uint64_t idle;
static struct rs_obj objs[RS_OBJS];
/* Stepping (RACELAB_SCHED_CHOICES): the pick before step `at` is `thread`. */
enum { RS_MAX_CHOICES = 256 };
static struct {
    uint64_t at;
    int thread;
} choices[RS_MAX_CHOICES];
static int nchoices;
/* Not in the calibration run: its length sets PCT's change points, which
 * must not move when a choice is added, or the steps before the choice
 * would change too. */
static int choosing;
static uint64_t pick_mask;  /* runnable threads at the last pick */
static uint64_t pick_total; /* shm->total at the last pick */

static void verdict(int v) __attribute__((noreturn));

/* splitmix64: small, fast, and the same on every machine (not rand()). */
uint64_t rs_random(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

int rs_spurious_ok(void)
{
    if (!spurious || spurious_used >= RS_SPURIOUS_MAX || rs_random() % 2)
        return 0;
    spurious_used++;
    return 1;
}

static void futex_wait(volatile int *addr, int val)
{
    syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void futex_wake(volatile int *addr)
{
    syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* Parks the calling thread until another hands it the turn. */
static void wait_turn(struct rs_thread *t)
{
    while (!__atomic_load_n(&t->go, __ATOMIC_ACQUIRE))
        futex_wait(&t->go, 0);
    __atomic_store_n(&t->go, 0, __ATOMIC_RELAXED);
}

static void hand_to(int next)
{
    struct rs_thread *n = &rs_threads[next];
    __atomic_store_n(&n->go, 1, __ATOMIC_RELEASE);
    futex_wake(&n->go);
}

struct rs_obj *rs_obj_get(uint64_t addr, int kind)
{
    uint64_t h = (addr >> 3) * 0x9e3779b97f4a7c15ULL;
    for (unsigned i = 0; i < RS_OBJS; i++) {
        struct rs_obj *o = &objs[(h + i) % RS_OBJS];
        if (o->addr == addr)
            return o;
        if (o->addr == 0) {
            memset(o, 0, sizeof *o);
            o->addr = addr;
            o->kind = kind;
            o->owner = -1;
            return o;
        }
    }
    /* A program with thousands of locks: beyond what we model. */
    verdict(RS_VERDICT_LIMIT);
}

void rs_obj_forget(uint64_t addr)
{
    (void)addr; /* entries stay; init resets them (no tombstones needed) */
}

void rs_site(uint64_t ret, uint64_t pc[RS_FRAMES])
{
    const struct rs_thread *t = &rs_threads[rs_self];
    pc[0] = ret;
    for (int i = 1; i < RS_FRAMES; i++) {
        int d = t->depth - i;
        pc[i] = d >= 0 && d < RS_STACK ? t->stack[d] : 0;
    }
}

uint64_t rs_record(int op, uint64_t addr, int size, uint64_t value,
                   uint64_t other, const uint64_t pc[RS_FRAMES])
{
    uint64_t i = shm->total++;
    struct rs_step *s = &shm->ring[i % RS_RING];
    s->thread = (uint32_t)rs_self;
    s->op = (uint16_t)op;
    s->size = (uint16_t)size;
    s->addr = addr;
    s->value = value;
    s->other = other;
    memcpy(s->pc, pc, sizeof s->pc);
    /* A step that no pick came before (an unlock, a create: the thread
     * simply goes on) offers no choice: 0. */
    s->runnable = pick_total == i ? pick_mask : 0;
    return i;
}

static uint64_t load_value(uint64_t addr, int size)
{
    uint64_t v = 0;
    if (size == 1 || size == 2 || size == 4 || size == 8)
        memcpy(&v, (const void *)addr, (size_t)size);
    else if (size == 16)
        memcpy(&v, (const void *)addr, 8);
    return v;
}

void rs_finish_write(void)
{
    struct rs_thread *t = &rs_threads[rs_self];
    if (!t->pw_pending)
        return;
    t->pw_pending = 0;
    if (t->pw_index + RS_RING <= shm->total)
        return; /* the step left the ring already */
    struct rs_step *s = &shm->ring[t->pw_index % RS_RING];
    s->value = load_value(s->addr, s->size);
    if (s->value != t->pw_old && t->pw_shared)
        rs_progress();
}

void rs_progress(void)
{
    idle = 0;
    rs_threads[rs_self].idle_steps = 0;
}

void rs_demote(void)
{
    int64_t low = rs_threads[rs_self].prio;
    for (int i = 0; i < rs_nthreads; i++)
        if (rs_threads[i].state != RS_FREE && rs_threads[i].prio < low)
            low = rs_threads[i].prio;
    rs_threads[rs_self].prio = low - 1;
}

/* The highest-priority runnable thread, or -1 (lowest index on a tie). */
static int pick(void)
{
    int best = -1;
    uint64_t mask = 0;
    for (int i = 0; i < rs_nthreads; i++)
        if (rs_threads[i].state == RS_RUNNABLE) {
            if (i < 64)
                mask |= (uint64_t)1 << i;
            if (best < 0 || rs_threads[i].prio > rs_threads[best].prio)
                best = i;
        }
    pick_mask = mask;
    pick_total = shm->total;
    /* A choice made while stepping: that thread goes, and stays on top
     * (the way a lecturer expects "let T2 run" to mean more than one
     * step) until PCT's next change point or the next choice. */
    for (int c = 0; choosing && c < nchoices; c++) {
        int t = choices[c].thread;
        if (choices[c].at != shm->total || t < 0 || t >= rs_nthreads ||
            rs_threads[t].state != RS_RUNNABLE)
            continue;
        int64_t top = rs_threads[t].prio;
        for (int i = 0; i < rs_nthreads; i++)
            if (rs_threads[i].state != RS_FREE && rs_threads[i].prio >= top)
                top = rs_threads[i].prio + 1;
        rs_threads[t].prio = top;
        best = t;
    }
    return best;
}

/* Ends the run here with a verdict the explorer reads from shm. */
static void verdict(int v)
{
    shm->verdict = (uint32_t)v;
    shm->nthreads = (uint32_t)rs_nthreads;
    _exit(RS_EXIT_VERDICT);
}

static void describe_waiters(void)
{
    uint32_t n = 0;
    for (int i = 0; i < rs_nthreads && n < RS_MAX_WAITERS; i++) {
        const struct rs_thread *t = &rs_threads[i];
        if (t->state != RS_BLOCKED)
            continue;
        struct rs_waiter *w = &shm->waiters[n++];
        memset(w, 0, sizeof *w);
        w->thread = (uint32_t)i;
        w->kind = (uint32_t)t->wait_kind;
        w->obj = t->wait_obj;
        w->timed = t->wait_timed;
        w->owner = -1;
        memcpy(w->pc, t->wait_pc, sizeof w->pc);
        if (t->wait_kind == RS_WAIT_JOIN) {
            w->owner = (int32_t)t->wait_obj;
        } else if (t->wait_kind == RS_WAIT_MUTEX ||
                   t->wait_kind == RS_WAIT_RWLOCK) {
            const struct rs_obj *o = rs_obj_get(t->wait_obj, t->wait_kind);
            w->owner = o->owner;
            memcpy(w->held_pc, o->held_pc, sizeof w->held_pc);
        }
    }
    shm->nwaiters = n;
}

/*
 * Nobody can run.  A timed wait then times out (time is virtual: it
 * passes only when nothing else can happen); otherwise it is a deadlock,
 * reported now rather than after any timeout.
 */
static int nobody_runnable(void)
{
    for (int i = 0; i < rs_nthreads; i++) {
        struct rs_thread *t = &rs_threads[i];
        if (t->state == RS_BLOCKED && t->wait_timed) {
            t->timed_out = 1;
            t->state = RS_RUNNABLE;
            return i;
        }
    }
    for (int i = 0; i < rs_nthreads; i++)
        if (rs_threads[i].state == RS_BLOCKED) {
            describe_waiters();
            verdict(RS_VERDICT_DEADLOCK);
        }
    return -1; /* every thread is done */
}

/* Hands the turn to `next` and, unless this thread is done, waits. */
static void switch_to(int next)
{
    int me = rs_self;
    if (next == me)
        return;
    hand_to(next);
    if (rs_threads[me].state == RS_DONE)
        return;
    wait_turn(&rs_threads[me]);
}

void rs_point(void)
{
    struct rs_thread *me = &rs_threads[rs_self];
    if (live >= 2) {
        uint64_t n = ++shm->counted;
        /* PCT: at the i-th change point the running thread drops to
         * priority d-1-i, below every initial priority. */
        for (int i = 0; i < nchanges; i++)
            if (change_at[i] == n)
                me->prio = depth - 1 - i;
    }
    if (++idle > idle_budget)
        verdict(RS_VERDICT_LIVELOCK);
    if (shm->total > step_cap)
        verdict(RS_VERDICT_BUDGET);
    /* A thread that only looks (spins) lets the others run. */
    if (++me->idle_steps > RS_SPIN_STEPS) {
        me->idle_steps = 0;
        rs_demote();
    }
    int next = pick();
    if (next < 0)
        next = nobody_runnable();
    if (next >= 0)
        switch_to(next);
}

void rs_block(int kind, uint64_t obj, int timed, const uint64_t pc[RS_FRAMES])
{
    struct rs_thread *me = &rs_threads[rs_self];
    me->state = RS_BLOCKED;
    me->wait_kind = kind;
    me->wait_obj = obj;
    me->wait_timed = timed;
    memcpy(me->wait_pc, pc, sizeof me->wait_pc);
    rs_record(RS_OP_BLOCK, obj, 0, 0, (uint64_t)kind, pc);
    int next = pick();
    if (next < 0)
        next = nobody_runnable();
    if (next >= 0)
        switch_to(next);
    me->wait_kind = RS_WAIT_NONE;
}

void rs_wake(int t)
{
    if (rs_threads[t].state == RS_BLOCKED)
        rs_threads[t].state = RS_RUNNABLE;
}

static int64_t initial_prio(void)
{
    return RS_BASE_PRIO + (int64_t)(rs_random() >> 28);
}

int rs_thread_new(void *(*fn)(void *), void *arg)
{
    if (rs_nthreads >= RS_MAX_THREADS)
        verdict(RS_VERDICT_LIMIT);
    int i = rs_nthreads++;
    struct rs_thread *t = &rs_threads[i];
    memset(t, 0, sizeof *t);
    t->state = RS_RUNNABLE;
    t->prio = initial_prio();
    t->fn = fn;
    t->arg = arg;
    live++;
    return i;
}

void rs_thread_start(int t)
{
    rs_self = t;
    wait_turn(&rs_threads[t]);
    uint64_t pc[RS_FRAMES] = {(uint64_t)rs_threads[t].fn};
    rs_record(RS_OP_START, 0, 0, 0, 0, pc);
}

void rs_thread_exit(void *ret)
{
    struct rs_thread *me = &rs_threads[rs_self];
    uint64_t pc[RS_FRAMES];
    rs_finish_write();
    rs_site((uint64_t)__builtin_return_address(0), pc);
    rs_record(RS_OP_EXIT, 0, 0, 0, 0, pc);
    me->ret = ret;
    me->state = RS_DONE;
    live--;
    for (int i = 0; i < rs_nthreads; i++)
        if (rs_threads[i].state == RS_BLOCKED &&
            rs_threads[i].wait_kind == RS_WAIT_JOIN &&
            rs_threads[i].wait_obj == (uint64_t)rs_self)
            rs_wake(i);
    rs_progress();
    int next = pick();
    if (next < 0)
        next = nobody_runnable();
    if (next >= 0)
        switch_to(next);
}

/* ---- the fork server ---- */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static long env_long(const char *name, long fallback)
{
    const char *v = getenv(name);
    return v && *v ? strtol(v, NULL, 10) : fallback;
}

/* The child's side: scheduler state for one seed, then back into main. */
static void start_run(uint64_t seed, uint64_t k, int calibrate)
{
    rng_state = seed;
    memset(rs_threads, 0, sizeof rs_threads);
    memset(objs, 0, sizeof objs);
    rs_nthreads = 0;
    live = 0;
    rs_thread_new(NULL, NULL);
    rs_self = 0;
    nchanges = 0;
    choosing = !calibrate;
    pick_total = UINT64_MAX;
    for (int i = 0; !calibrate && i < depth - 1 && i < RS_MAX_CHANGES; i++)
        change_at[nchanges++] = 1 + rs_random() % k;
    rs_active = 1;
}

static void write_trace(FILE *out, uint64_t seed, const char *outpath)
{
    uint64_t total = shm->total;
    uint64_t first = total > RS_RING ? total - RS_RING : 0;
    fprintf(out, "trace %llu %llu %llu\n", (unsigned long long)seed,
            (unsigned long long)(total - first), (unsigned long long)first);
    for (uint64_t i = first; i < total; i++) {
        const struct rs_step *s = &shm->ring[i % RS_RING];
        fprintf(out, "step %u %u %u %llx %llx %llx", s->thread, s->op, s->size,
                (unsigned long long)s->addr, (unsigned long long)s->value,
                (unsigned long long)s->other);
        for (int f = 0; f < RS_FRAMES; f++)
            fprintf(out, " %llx", (unsigned long long)s->pc[f]);
        fprintf(out, " %llx\n", (unsigned long long)s->runnable);
    }
    for (uint32_t i = 0; i < shm->nwaiters && i < RS_MAX_WAITERS; i++) {
        const struct rs_waiter *w = &shm->waiters[i];
        fprintf(out, "waiter %u %u %llx %d %d", w->thread, w->kind,
                (unsigned long long)w->obj, w->owner, w->timed);
        for (int f = 0; f < RS_FRAMES; f++)
            fprintf(out, " %llx", (unsigned long long)w->pc[f]);
        for (int f = 0; f < RS_FRAMES; f++)
            fprintf(out, " %llx", (unsigned long long)w->held_pc[f]);
        fputc('\n', out);
    }
    /* What the program printed in that run (kept by the parent). */
    char buf[4096];
    int fd = open(outpath, O_RDONLY);
    ssize_t n = fd >= 0 ? pread(fd, buf, sizeof buf, 0) : 0;
    if (fd >= 0)
        close(fd);
    n = n < 0 ? 0 : n;
    fprintf(out, "output %zd\n", n);
    fwrite(buf, 1, (size_t)n, out);
    fputs("end\n", out);
}

static const char *verdict_name(int v)
{
    static const char *const names[] = {"none",   "deadlock", "livelock",
                                        "budget", "stall",    "limit"};
    return v >= 0 && v <= RS_VERDICT_LIMIT ? names[v] : "none";
}

struct server {
    FILE *out;
    char *outpath;
    int outfd;
    int seed_timeout;
    int trace_all;
    int dumped[8]; /* traces written for this kind of failure */
    int stalls;
};

/* Runs one seed in a child; returns 1 in the child (go on into main). */
static int run_seed(struct server *sv, uint64_t seed, uint64_t k, int calibrate)
{
    memset(shm, 0, offsetof(struct rs_shm, ring));
    fflush(sv->out); /* the child must not inherit buffered lines */
    if (ftruncate(sv->outfd, 0) != 0 || lseek(sv->outfd, 0, SEEK_SET) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(sv->outfd, 1);
        dup2(sv->outfd, 2);
        close(sv->outfd);
        if (sv->out)
            close(fileno(sv->out));
        alarm((unsigned)sv->seed_timeout);
        start_run(seed, k, calibrate);
        return 1;
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) < 0)
        return -1;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
    int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    int v = code == RS_EXIT_VERDICT ? (int)shm->verdict : RS_VERDICT_NONE;
    if (sig == SIGALRM) {
        v = RS_VERDICT_STALL;
        sig = 0;
        sv->stalls++;
    }
    if (calibrate) {
        fprintf(sv->out, "calibrate %llu\n", (unsigned long long)shm->counted);
        return 0;
    }
    fprintf(sv->out, "seed %llu exit %d signal %d verdict %s steps %llu\n",
            (unsigned long long)seed, code == RS_EXIT_VERDICT ? 0 : code, sig,
            verdict_name(v), (unsigned long long)shm->total);
    int kind = v != RS_VERDICT_NONE ? v : (code || sig) ? 7 : -1;
    if (sv->trace_all ||
        (kind >= 0 && kind != RS_VERDICT_BUDGET && kind != RS_VERDICT_STALL &&
         sv->dumped[kind] < RS_TRACES_PER_KIND)) {
        if (kind >= 0)
            sv->dumped[kind]++;
        write_trace(sv->out, seed, sv->outpath);
    }
    return 0;
}

/* Turns address randomization off (once, by re-executing), so that the
 * same seed shows the same pointer values when replayed. */
static void no_aslr(char **argv)
{
    int p = personality(0xffffffff);
    if (p == -1 || (p & ADDR_NO_RANDOMIZE) || getenv("RACELAB_SCHED_NOASLR"))
        return;
    if (personality((unsigned long)p | ADDR_NO_RANDOMIZE) == -1)
        return;
    setenv("RACELAB_SCHED_NOASLR", "1", 1);
    execv("/proc/self/exe", argv);
}

static void __attribute__((constructor(101)))
rs_boot(int argc, char **argv, char **envp)
{
    (void)argc;
    (void)envp;
    const char *outpath = getenv("RACELAB_SCHED_OUT");
    if (!outpath)
        return; /* not under racelab: run as a plain program */
    no_aslr(argv);
    uint64_t first = (uint64_t)env_long("RACELAB_SCHED_FIRST", 1);
    long count = env_long("RACELAB_SCHED_COUNT", 1);
    depth = (int)env_long("RACELAB_SCHED_DEPTH", RS_DEFAULT_DEPTH);
    if (depth < 1)
        depth = 1;
    spurious = (int)env_long("RACELAB_SCHED_SPURIOUS", 1);
    idle_budget = (uint64_t)env_long("RACELAB_SCHED_IDLE", 50000);
    step_cap = (uint64_t)env_long("RACELAB_SCHED_CAP", 2000000);
    for (const char *c = getenv("RACELAB_SCHED_CHOICES"); c && *c;) {
        char *end;
        unsigned long long at = strtoull(c, &end, 10);
        if (*end != ':' || nchoices >= RS_MAX_CHOICES)
            break;
        long t = strtol(end + 1, &end, 10);
        choices[nchoices].at = at;
        choices[nchoices++].thread = (int)t;
        c = *end == ',' ? end + 1 : end;
        if (*end != ',')
            break;
    }
    struct server sv = {0};
    sv.seed_timeout = (int)env_long("RACELAB_SCHED_SEED_TIMEOUT", 5);
    sv.trace_all = (int)env_long("RACELAB_SCHED_TRACE_ALL", 0);
    shm = mmap(NULL, sizeof *shm, PROT_READ | PROT_WRITE,
               MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    sv.out = fopen(outpath, "w");
    size_t len = strlen(outpath);
    sv.outpath = malloc(len + 8);
    if (shm == MAP_FAILED || !sv.out || !sv.outpath) {
        perror("racelab-sched");
        _exit(3);
    }
    memcpy(sv.outpath, outpath, len);
    memcpy(sv.outpath + len, ".output", 8);
    sv.outfd = open(sv.outpath, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (sv.outfd < 0) {
        perror("racelab-sched");
        _exit(3);
    }
    /* PCT picks change points among k steps: k is measured, by one run
     * without change points, so that a seed means the same on replay. */
    if (run_seed(&sv, 0, 1, 1) == 1)
        return;
    uint64_t k = shm->counted ? shm->counted : 1;
    /* A program that runs by the clock (loops until a time) takes its
     * full time every seed: stop exploring at the deadline, say so. */
    double deadline = (double)env_long("RACELAB_SCHED_DEADLINE", 20);
    double start = now_seconds();
    long i;
    for (i = 0; i < count && sv.stalls < 3; i++) {
        if (i > 0 && now_seconds() - start > deadline) {
            fprintf(sv.out, "stopped %ld\n", i);
            break;
        }
        int r = run_seed(&sv, first + (uint64_t)i, k, 0);
        if (r == 1)
            return;
        if (r < 0) {
            perror("racelab-sched");
            _exit(3);
        }
        fflush(sv.out);
    }
    fclose(sv.out);
    _exit(0);
}
