/* sched_trace.c: a recorded schedule as a finding (report/report_trace.c
 * draws its steps as thread columns). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched/sched_trace.h"
#include "lib/xalloc.h"

/* RL_TRACE_MAX: steps a finding keeps (the last ones: a livelock runs
 * for tens of thousands). */
enum { NT = RS_MAX_THREADS, CELL_MAX = 44, RL_TRACE_MAX = 2000 };

/* ---- names: threads, variables, locks ---- */

struct names {
    const struct rl_symbolizer *sym;
    uint64_t *anon; /* addresses without a symbol, by first appearance */
    size_t nanon;
    char buf[8][96];
    int next;
};

static const char *addr_name(struct names *nm, uint64_t a)
{
    char *b = nm->buf[nm->next++ % 8];
    if (rl_symbolize_data(nm->sym, a, b, sizeof nm->buf[0]) == 0)
        return b;
    size_t i = 0;
    while (i < nm->nanon && nm->anon[i] != a)
        i++;
    if (i == nm->nanon) {
        nm->anon = xrealloc(nm->anon, (nm->nanon + 1) * sizeof *nm->anon);
        nm->anon[nm->nanon++] = a;
    }
    /* Heap and stack addresses change from build to build: a number in
     * order of appearance keeps a replayed trace identical. */
    snprintf(b, sizeof nm->buf[0], "mem#%zu", i + 1);
    return b;
}

static void thread_name(char *buf, size_t len, int t)
{
    rl_trace_thread_name(buf, len, t);
}

static int is_access_op(int op)
{
    return op == RS_OP_READ || op == RS_OP_WRITE;
}

/* The user's line of a step: the innermost user frame of its pcs. */
static int step_frame(const struct rl_symbolizer *sym, const uint64_t *pcs,
                      int is_start, struct rl_frame *out)
{
    struct rlp_site site;
    memset(&site, 0, sizeof site);
    for (int i = 0; i < RS_FRAMES && i < RLP_MAX_FRAMES && pcs[i]; i++)
        site.pc[i] = is_start ? pcs[i] : pcs[i] - 1; /* return addresses */
    return rl_symbolize_user_frame(sym, &site, out);
}

/* A load that TSan instrumented for us may carry no line: it belongs to
 * the same thread's next access of that address (the store of `cnt++`). */
static int frame_at(const struct rl_symbolizer *sym,
                    const struct rl_seed_trace *t, size_t i,
                    struct rl_frame *out)
{
    const struct rs_step *s = &t->steps[i];
    if (step_frame(sym, s->pc, s->op == RS_OP_START, out) == 0)
        return 0;
    for (size_t j = i + 1; is_access_op(s->op) && j < t->nsteps; j++) {
        const struct rs_step *n = &t->steps[j];
        if (n->thread != s->thread)
            continue;
        if (n->addr != s->addr || !is_access_op(n->op))
            return -1;
        return step_frame(sym, n->pc, 0, out);
    }
    return -1;
}

void rl_sched_trace_symbols(struct rl_symbolizer *sym,
                            const struct rl_seed_trace *t)
{
    for (size_t i = 0; i < t->nsteps; i++) {
        const struct rs_step *s = &t->steps[i];
        for (int f = 0; f < RS_FRAMES && s->pc[f]; f++)
            rl_symbolizer_add(sym,
                              s->op == RS_OP_START ? s->pc[f] : s->pc[f] - 1);
        /* -no-pie: an address is its own executable offset. */
        if (s->addr)
            rl_symbolizer_add_data(sym, s->addr);
    }
    for (size_t i = 0; i < t->nwaiters; i++)
        for (int f = 0; f < RS_FRAMES; f++) {
            if (t->waiters[i].pc[f])
                rl_symbolizer_add(sym, t->waiters[i].pc[f] - 1);
            if (t->waiters[i].held_pc[f])
                rl_symbolizer_add(sym, t->waiters[i].held_pc[f] - 1);
        }
}

/* ---- happens-before over the trace, with vector clocks ---- */

struct clock {
    uint32_t c[NT];
};

static void join_clock(struct clock *into, const struct clock *from)
{
    for (int i = 0; i < NT; i++)
        if (from->c[i] > into->c[i])
            into->c[i] = from->c[i];
}

struct sync_clock {
    uint64_t addr;
    struct clock vc;
};

struct var {
    uint64_t addr;
    int wthread;         /* last write's thread, or -1 */
    uint32_t wclock;     /* its epoch */
    size_t wstep;        /* its step */
    uint32_t rclock[NT]; /* each thread's last read epoch (0: none) */
    size_t rstep[NT];
};

struct analysis {
    size_t race_a, race_b; /* steps of the first unordered pair */
    int raced;
    size_t losing;      /* the step marked in the trace */
    size_t overwritten; /* the other thread's write it lost */
    int stale;          /* losing is a store of a stale value */
    int had_cond_wake;  /* a thread came back from a condition wait */
};

static int is_access(int op)
{
    return op == RS_OP_READ || op == RS_OP_WRITE;
}

static struct clock *sync_of(struct sync_clock **v, size_t *n, uint64_t a)
{
    for (size_t i = 0; i < *n; i++)
        if ((*v)[i].addr == a)
            return &(*v)[i].vc;
    *v = xrealloc(*v, (*n + 1) * sizeof **v);
    memset(&(*v)[*n], 0, sizeof **v);
    (*v)[*n].addr = a;
    return &(*v)[(*n)++].vc;
}

static struct var *var_of(struct var **v, size_t *n, uint64_t a)
{
    for (size_t i = 0; i < *n; i++)
        if ((*v)[i].addr == a)
            return &(*v)[i];
    *v = xrealloc(*v, (*n + 1) * sizeof **v);
    memset(&(*v)[*n], 0, sizeof **v);
    (*v)[*n].addr = a;
    (*v)[*n].wthread = -1;
    return &(*v)[(*n)++];
}

static void note_race(struct analysis *an, size_t a, size_t b)
{
    if (!an->raced) {
        an->raced = 1;
        an->race_a = a;
        an->race_b = b;
    }
}

static int is_acquire(const struct rs_step *s)
{
    return s->op == RS_OP_LOCK || s->op == RS_OP_RDLOCK ||
           s->op == RS_OP_SEM_WAIT || s->op == RS_OP_ALOAD ||
           s->op == RS_OP_ARMW || (s->op == RS_OP_BARRIER && s->other == 1);
}

static int is_release(const struct rs_step *s)
{
    return s->op == RS_OP_UNLOCK || s->op == RS_OP_SEM_POST ||
           s->op == RS_OP_ASTORE || s->op == RS_OP_ARMW ||
           (s->op == RS_OP_BARRIER && s->other == 0);
}

static void check_access(struct analysis *an, struct var *v,
                         const struct clock *vc, int t, int write, size_t i)
{
    if (v->wthread >= 0 && v->wthread != t && v->wclock > vc->c[v->wthread])
        note_race(an, v->wstep, i);
    for (int u = 0; write && u < NT; u++)
        if (u != t && v->rclock[u] && v->rclock[u] > vc->c[u])
            note_race(an, v->rstep[u], i);
    if (write) {
        v->wthread = t;
        v->wclock = vc->c[t];
        v->wstep = i;
        memset(v->rclock, 0, sizeof v->rclock);
    } else {
        v->rclock[t] = vc->c[t];
        v->rstep[t] = i;
    }
}

static void happens_before(const struct rl_seed_trace *t, struct analysis *an)
{
    struct clock *vc = xcalloc(NT, sizeof *vc);
    struct clock *born = xcalloc(NT, sizeof *born);
    struct clock *ended = xcalloc(NT, sizeof *ended);
    struct sync_clock *sync = NULL;
    struct var *vars = NULL;
    size_t nsync = 0, nvars = 0;
    for (int i = 0; i < NT; i++)
        vc[i].c[i] = 1;
    for (size_t i = 0; i < t->nsteps; i++) {
        const struct rs_step *s = &t->steps[i];
        int th = (int)s->thread;
        if (th < 0 || th >= NT)
            continue;
        struct clock *me = &vc[th];
        if (s->op == RS_OP_START) {
            join_clock(me, &born[th]);
        } else if (s->op == RS_OP_CREATE && s->other < NT) {
            born[s->other] = *me;
            me->c[th]++;
        } else if (s->op == RS_OP_EXIT) {
            ended[th] = *me;
        } else if (s->op == RS_OP_JOIN && s->other < NT) {
            join_clock(me, &ended[s->other]);
        } else if (s->op == RS_OP_COND_WAKE) {
            an->had_cond_wake = 1;
        } else if (is_access(s->op)) {
            check_access(an, var_of(&vars, &nvars, s->addr), me, th,
                         s->op == RS_OP_WRITE, i);
        }
        if (is_acquire(s))
            join_clock(me, sync_of(&sync, &nsync, s->addr));
        if (is_release(s)) {
            join_clock(sync_of(&sync, &nsync, s->addr), me);
            me->c[th]++;
        }
    }
    free(vc);
    free(born);
    free(ended);
    free(sync);
    free(vars);
}

/* A store of a value read before another thread's store: a lost update. */
static int find_stale_store(const struct rl_seed_trace *t, struct analysis *an)
{
    for (size_t i = 0; i < t->nsteps; i++) {
        const struct rs_step *w = &t->steps[i];
        if (w->op != RS_OP_WRITE)
            continue;
        size_t other = 0;
        int seen_other = 0;
        for (size_t j = i; j-- > 0;) {
            const struct rs_step *p = &t->steps[j];
            if (p->addr != w->addr || !is_access(p->op))
                continue;
            if (p->thread != w->thread && p->op == RS_OP_WRITE && !seen_other) {
                seen_other = 1;
                other = j;
            }
            if (p->thread == w->thread) {
                if (p->op == RS_OP_READ && seen_other) {
                    an->losing = i;
                    an->overwritten = other;
                    an->stale = 1;
                    return 1;
                }
                break;
            }
        }
    }
    return 0;
}

/* ---- the shown steps ---- */

/* Addresses that two or more threads touched: the rest is thread-local. */
static int shared_addr(const struct rl_seed_trace *t, uint64_t a)
{
    int first = -1;
    for (size_t i = 0; i < t->nsteps; i++) {
        const struct rs_step *s = &t->steps[i];
        if (!is_access(s->op) || s->addr != a)
            continue;
        if (first < 0)
            first = (int)s->thread;
        else if ((int)s->thread != first)
            return 1;
    }
    return 0;
}

static const char *wait_name(unsigned kind)
{
    static const char *const names[] = {
        "?", "mutex", "rwlock", "semaphore", "condition", "barrier", "join"};
    return kind < sizeof names / sizeof *names ? names[kind] : "?";
}

static void value_text(char *b, size_t len, uint64_t v, int size)
{
    if (size == 1)
        snprintf(b, len, "%d", (int)(int8_t)v);
    else if (size == 2)
        snprintf(b, len, "%d", (int)(int16_t)v);
    else if (size == 4)
        snprintf(b, len, "%d", (int)(int32_t)v);
    else if (v > 0xffffffffULL && v < 0xffffffffffff0000ULL)
        snprintf(b, len, "0x%llx", (unsigned long long)v);
    else
        snprintf(b, len, "%lld", (long long)v);
}

static void step_detail(struct names *nm, const struct rs_step *s, char *b,
                        size_t len)
{
    char v[40], tn[16];
    value_text(v, sizeof v, s->value, s->size);
    switch (s->op) {
    case RS_OP_READ:
    case RS_OP_WRITE:
    case RS_OP_ALOAD:
    case RS_OP_ASTORE:
    case RS_OP_ARMW:
        snprintf(b, len, "%s = %s", addr_name(nm, s->addr), v);
        break;
    case RS_OP_CREATE:
    case RS_OP_JOIN:
        thread_name(tn, sizeof tn, (int)s->other);
        snprintf(b, len, "%s", tn);
        break;
    case RS_OP_BLOCK:
        if (s->other == RS_WAIT_JOIN) {
            thread_name(tn, sizeof tn, (int)s->addr);
            snprintf(b, len, "join %s", tn);
        } else {
            snprintf(b, len, "%s %s", wait_name((unsigned)s->other),
                     addr_name(nm, s->addr));
        }
        break;
    case RS_OP_COND_WAKE:
        snprintf(b, len, "%s%s", addr_name(nm, s->addr),
                 s->other == 1   ? " (spurious)"
                 : s->other == 2 ? " (timed out)"
                                 : "");
        break;
    case RS_OP_SEM_WAIT:
    case RS_OP_SEM_POST:
        snprintf(b, len, "%s -> %lld", addr_name(nm, s->addr),
                 (long long)s->value);
        break;
    case RS_OP_START:
    case RS_OP_EXIT:
    case RS_OP_YIELD:
    case RS_OP_FORK:
        b[0] = '\0';
        break;
    default:
        snprintf(b, len, "%s", addr_name(nm, s->addr));
    }
}

/* What a step is about, as pictures and stepping need it: the object's
 * name and, for accesses and semaphores, the value. */
static void step_object(struct names *nm, const struct rs_step *s,
                        struct rl_finding *f)
{
    char v[40], tn[16];
    const char *object = NULL, *value = NULL;
    switch (s->op) {
    case RS_OP_READ:
    case RS_OP_WRITE:
    case RS_OP_ALOAD:
    case RS_OP_ASTORE:
    case RS_OP_ARMW:
        value_text(v, sizeof v, s->value, s->size);
        object = addr_name(nm, s->addr);
        value = v;
        break;
    case RS_OP_SEM_WAIT:
    case RS_OP_SEM_POST:
        snprintf(v, sizeof v, "%lld", (long long)s->value);
        object = addr_name(nm, s->addr);
        value = v;
        break;
    case RS_OP_CREATE:
    case RS_OP_JOIN:
        thread_name(tn, sizeof tn, (int)s->other);
        object = tn;
        break;
    case RS_OP_BLOCK:
        if (s->other == RS_WAIT_JOIN) {
            thread_name(tn, sizeof tn, (int)s->addr);
            object = tn;
        } else {
            object = addr_name(nm, s->addr);
        }
        break;
    case RS_OP_START:
    case RS_OP_EXIT:
    case RS_OP_YIELD:
    case RS_OP_FORK:
        break;
    default:
        object = addr_name(nm, s->addr);
    }
    rl_finding_step_object(f, object, value);
}

static int shown(const struct rl_seed_trace *t, const struct rs_step *s,
                 uint64_t **cache, size_t *ncache, uint64_t **local,
                 size_t *nlocal)
{
    if (!is_access(s->op))
        return 1;
    for (size_t i = 0; i < *ncache; i++)
        if ((*cache)[i] == s->addr)
            return 1;
    for (size_t i = 0; i < *nlocal; i++)
        if ((*local)[i] == s->addr)
            return 0;
    int yes = shared_addr(t, s->addr);
    uint64_t **v = yes ? cache : local;
    size_t *n = yes ? ncache : nlocal;
    *v = xrealloc(*v, (*n + 1) * sizeof **v);
    (*v)[(*n)++] = s->addr;
    return yes;
}

/* Appends the shown steps to f, the last RL_TRACE_MAX of them; step
 * `mark` (or none: -1) gets losing = `kind` (enum rl_losing). */
static void add_steps(const struct rl_seed_trace *t,
                      const struct rl_symbolizer *sym, struct names *nm,
                      long long mark, int kind, struct rl_finding *f)
{
    uint64_t *cache = NULL, *local = NULL;
    size_t ncache = 0, nlocal = 0, nshown = 0, seen = 0;
    char *keep = xcalloc(t->nsteps + 1, 1);
    for (size_t i = 0; i < t->nsteps; i++)
        nshown += keep[i] =
            (char)shown(t, &t->steps[i], &cache, &ncache, &local, &nlocal);
    for (size_t i = 0; i < t->nsteps; i++) {
        const struct rs_step *s = &t->steps[i];
        if (!keep[i] || seen++ + RL_TRACE_MAX < nshown)
            continue;
        struct rl_frame fr = {0};
        char detail[128];
        int have = frame_at(sym, t, i, &fr) == 0;
        step_detail(nm, s, detail, sizeof detail);
        if (s->op == RS_OP_START && have && fr.function)
            snprintf(detail, sizeof detail, "%s()", fr.function);
        rl_finding_add_step(f, (int)s->thread, rs_op_name(s->op),
                            have ? fr.file : NULL, have ? fr.line : 0,
                            detail[0] ? detail : NULL,
                            (long long)i == mark ? kind : 0);
        f->trace[f->ntrace - 1].raw = (long long)i + t->dropped;
        f->trace[f->ntrace - 1].runnable = s->runnable;
        step_object(nm, s, f);
    }
    free(keep);
    free(cache);
    free(local);
}

void rl_sched_steps(const struct rl_seed_trace *t,
                    const struct rl_symbolizer *sym, struct rl_finding *f)
{
    struct names nm = {.sym = sym};
    add_steps(t, sym, &nm, -1, 0, f);
    free(nm.anon);
}

/* ---- findings ---- */

static void add_step_location(struct rl_finding *f,
                              const struct rl_symbolizer *sym,
                              const uint64_t *pcs)
{
    struct rl_frame fr;
    if (step_frame(sym, pcs, 0, &fr) == 0)
        rl_finding_add_location(f, fr.file, fr.line, fr.function);
}

static void where(const struct rl_symbolizer *sym, const uint64_t *pcs, char *b,
                  size_t len)
{
    struct rl_frame fr;
    if (step_frame(sym, pcs, 0, &fr) == 0)
        snprintf(b, len, "%s:%d", fr.file, fr.line);
    else
        snprintf(b, len, "?");
}

static const struct rs_waiter *waiter_of(const struct rl_seed_trace *t,
                                         int thread)
{
    for (size_t i = 0; i < t->nwaiters; i++)
        if ((int)t->waiters[i].thread == thread)
            return &t->waiters[i];
    return NULL;
}

/* One line per blocked thread, the wait-for cycle first when there is one. */
static void deadlock_detail(const struct rl_seed_trace *t,
                            const struct rl_symbolizer *sym, struct names *nm,
                            struct rl_finding *f)
{
    int in_cycle[NT] = {0};
    /* Follow "waits for a lock held by" from each waiter. */
    for (size_t i = 0; i < t->nwaiters; i++) {
        int seen[NT] = {0}, cur = (int)t->waiters[i].thread;
        while (cur >= 0 && cur < NT && !seen[cur]) {
            seen[cur] = 1;
            const struct rs_waiter *w = waiter_of(t, cur);
            cur = w ? w->owner : -1;
        }
        if (cur >= 0 && cur < NT && seen[cur] && !in_cycle[cur]) {
            int c = cur;
            do {
                in_cycle[c] = 1;
                c = waiter_of(t, c)->owner;
            } while (c != cur);
        }
    }
    int cycle = 0;
    for (int i = 0; i < NT; i++)
        cycle |= in_cycle[i];
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < t->nwaiters; i++) {
            const struct rs_waiter *w = &t->waiters[i];
            if (in_cycle[w->thread] != (pass == 0))
                continue;
            /* The cycle's lines are the finding's; other waiters are
             * only stuck behind it. */
            struct rl_finding *loc = !cycle || pass == 0 ? f : NULL;
            char me[16], owner[16], at[300], held[300], line[800];
            thread_name(me, sizeof me, (int)w->thread);
            thread_name(owner, sizeof owner, w->owner);
            rl_finding_add_wait(f, me, w->owner >= 0 ? owner : NULL,
                                w->kind == RS_WAIT_JOIN ? owner
                                                        : addr_name(nm, w->obj),
                                in_cycle[w->thread]);
            where(sym, w->pc, at, sizeof at);
            if (loc)
                add_step_location(loc, sym, w->pc);
            if (w->kind == RS_WAIT_JOIN) {
                snprintf(line, sizeof line, "%s waits to join %s at %s", me,
                         owner, at);
            } else if (w->owner >= 0) {
                where(sym, w->held_pc, held, sizeof held);
                if (loc)
                    add_step_location(loc, sym, w->held_pc);
                snprintf(line, sizeof line,
                         "%s waits for %s at %s; %s holds it since %s%s", me,
                         addr_name(nm, w->obj), at, owner, held,
                         in_cycle[w->thread] ? " (cycle)" : "");
            } else {
                snprintf(line, sizeof line, "%s waits on %s %s at %s", me,
                         wait_name(w->kind), addr_name(nm, w->obj), at);
            }
            rl_finding_append_detail(f, line);
        }
}

static void failure_line(const struct rl_seed_result *r,
                         const struct rl_seed_trace *t, char *b, size_t len)
{
    const char *out = t->output ? t->output : "";
    /* The program's last line (an assertion message, say) is the best
     * description of how it failed. */
    size_t n = strlen(out);
    while (n > 0 && out[n - 1] == '\n')
        n--;
    size_t start = n;
    while (start > 0 && out[start - 1] != '\n')
        start--;
    if (r->signal)
        snprintf(b, len, "the program was killed by signal %d (%s)%s%.*s",
                 r->signal, strsignal(r->signal), n > start ? ": " : "",
                 (int)(n - start > 200 ? 200 : n - start), out + start);
    else
        snprintf(b, len, "the program exited with status %d%s%.*s",
                 r->exit_code, n > start ? ": " : "",
                 (int)(n - start > 200 ? 200 : n - start), out + start);
}

static void step_where(const struct rl_symbolizer *sym,
                       const struct rl_seed_trace *t, size_t i, char *b,
                       size_t len, struct rl_finding *f)
{
    struct rl_frame fr;
    if (frame_at(sym, t, i, &fr) == 0) {
        snprintf(b, len, "%s:%d", fr.file, fr.line);
        rl_finding_add_location(f, fr.file, fr.line, fr.function);
    } else {
        snprintf(b, len, "?");
    }
}

static void race_detail(const struct rl_seed_trace *t,
                        const struct rl_symbolizer *sym, struct names *nm,
                        const struct analysis *an, struct rl_finding *f)
{
    char line[900], a[300], b[300], ta[16], tb[16];
    if (an->stale) {
        const struct rs_step *w = &t->steps[an->losing];
        const struct rs_step *o = &t->steps[an->overwritten];
        thread_name(ta, sizeof ta, (int)w->thread);
        thread_name(tb, sizeof tb, (int)o->thread);
        step_where(sym, t, an->losing, a, sizeof a, f);
        step_where(sym, t, an->overwritten, b, sizeof b, f);
        snprintf(line, sizeof line,
                 "lost update: %s read %s, was preempted before its store, "
                 "%s stored %s (%s), then %s stored its stale value (%s)",
                 ta, addr_name(nm, w->addr), tb, addr_name(nm, w->addr), b, ta,
                 a);
        rl_finding_append_detail(f, line);
    }
    if (an->raced) {
        const struct rs_step *x = &t->steps[an->race_a];
        const struct rs_step *y = &t->steps[an->race_b];
        thread_name(ta, sizeof ta, (int)x->thread);
        thread_name(tb, sizeof tb, (int)y->thread);
        step_where(sym, t, an->race_a, a, sizeof a, f);
        step_where(sym, t, an->race_b, b, sizeof b, f);
        snprintf(line, sizeof line,
                 "unsynchronized: %s %s %s (%s) and %s %s it (%s), no lock "
                 "or semaphore between",
                 ta, x->op == RS_OP_WRITE ? "wrote" : "read",
                 addr_name(nm, x->addr), a, tb,
                 y->op == RS_OP_WRITE ? "wrote" : "read", b);
        rl_finding_append_detail(f, line);
    } else if (an->had_cond_wake) {
        rl_finding_append_detail(
            f, "every access was synchronized, but a thread went on after "
               "a condition wait without checking its condition again "
               "(use while, not if, around pthread_cond_wait)");
    }
}

static long long failing_step(const struct rl_seed_trace *t,
                              const struct analysis *an)
{
    if (an->stale)
        return (long long)an->losing;
    if (an->raced)
        return (long long)an->race_b;
    return t->nsteps ? (long long)t->nsteps - 1 : -1;
}

/* The thread that failed (the last to run) came back from a condition
 * wait and did not wait again: it went on without re-checking. */
static int went_on_after_wait(const struct rl_seed_trace *t)
{
    if (t->nsteps == 0)
        return 0;
    uint32_t th = t->steps[t->nsteps - 1].thread;
    for (size_t i = t->nsteps; i-- > 0;) {
        const struct rs_step *s = &t->steps[i];
        if (s->thread == th && s->op == RS_OP_COND_WAKE)
            return 1;
        if (s->thread == th && s->op == RS_OP_COND_WAIT)
            return 0;
    }
    return 0;
}

struct rl_finding *rl_sched_finding(const struct rl_seed_trace *t,
                                    const struct rl_seed_result *r,
                                    const struct rl_symbolizer *sym,
                                    struct rl_findings *out)
{
    struct names nm = {.sym = sym};
    struct analysis an = {0};
    int crash =
        r->verdict != RS_VERDICT_DEADLOCK && r->verdict != RS_VERDICT_LIVELOCK;
    if (crash) {
        happens_before(t, &an);
        find_stale_store(t, &an);
        an.had_cond_wake = went_on_after_wait(t);
        /* A failure the trace cannot blame on the interleaving (a check
         * of the program's own that counts on timing, say) is no
         * concurrency finding: the caller counts it apart. */
        if (!an.raced && !an.stale && !an.had_cond_wake)
            return NULL;
    }
    const char *id = r->verdict == RS_VERDICT_DEADLOCK   ? "deadlock"
                     : r->verdict == RS_VERDICT_LIVELOCK ? "livelock"
                                                         : "data-race";
    struct rl_finding *f = rl_findings_add(out, id, "sched");
    f->seed = r->seed;
    f->has_seed = 1;
    char line[400];
    long long mark = -1;
    if (r->verdict == RS_VERDICT_DEADLOCK) {
        snprintf(line, sizeof line,
                 "seed %lld: no thread could go on (found at once, no "
                 "timeout):",
                 r->seed);
        rl_finding_append_detail(f, line);
        deadlock_detail(t, sym, &nm, f);
    } else if (r->verdict == RS_VERDICT_LIVELOCK) {
        snprintf(line, sizeof line,
                 "seed %lld: the threads kept running without changing "
                 "anything (step budget exhausted)",
                 r->seed);
        rl_finding_append_detail(f, line);
        for (size_t i = t->nsteps > 8 ? t->nsteps - 8 : 0; i < t->nsteps; i++)
            add_step_location(f, sym, t->steps[i].pc);
    } else {
        failure_line(r, t, line, sizeof line);
        char head[480];
        snprintf(head, sizeof head, "seed %lld: %s", r->seed, line);
        rl_finding_append_detail(f, head);
        race_detail(t, sym, &nm, &an, f);
        mark = failing_step(t, &an);
        if (f->nlocs == 0 && mark >= 0)
            add_step_location(f, sym, t->steps[mark].pc);
    }
    int kind = an.stale   ? RL_LOSING_STALE
               : an.raced ? RL_LOSING_RACE
                          : RL_LOSING_FAILED;
    add_steps(t, sym, &nm, mark, kind, f);
    free(nm.anon);
    return f;
}
