/* demo_sync.c: the synchronization demos' live acts.  The program runs
 * under racelab's probe, whose table (protocol/probe_shm.h) says, while
 * it runs, which thread holds which lock, who waits for what since when,
 * and how many locks each has taken or failed to take; /proc adds the
 * CPU time.  The act samples both and prints them as they change. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo/demo_acts.h"
#include "demo/demo_proc.h"
#include "lib/clock.h"
#include "lib/escape_bytes.h"
#include "lib/procfs.h"
#include "lib/xalloc.h"
#include "tools/symbolize.h"

/* A copy of the live table and names for what is in it. */
struct table_view {
    struct rlp_shm *shm;
    struct rl_symbolizer *sym;
    uint64_t locks[16]; /* heap locks, named "lock A", "lock B" ... */
    int nlocks;
};

static int view_take(struct demo_proc *p, struct table_view *v)
{
    const struct rlp_shm *live = demo_proc_table(p);
    if (!live)
        return -1;
    memset(v, 0, sizeof *v);
    v->shm = xmalloc(sizeof *v->shm);
    memcpy(v->shm, live, sizeof *v->shm);
    v->sym = rl_symbolizer_new(p->run.exe, &p->src);
    rl_symbolizer_add_table(v->sym, v->shm);
    char err[256];
    rl_symbolizer_run(v->sym, err, sizeof err); /* unplaced names are ok */
    return 0;
}

static void view_free(struct table_view *v)
{
    if (v->sym)
        rl_symbolizer_free(v->sym);
    free(v->shm);
    memset(v, 0, sizeof *v);
}

/* The program's name for a lock: its global ("m_a", "bank+8"), else a
 * letter of its own for this screen. */
static const char *lock_name(struct table_view *v, uint64_t addr, char *buf,
                             size_t len)
{
    if (rl_symbolize_data(v->sym, addr - v->shm->exe_base, buf, len) == 0)
        return buf;
    int i = 0;
    while (i < v->nlocks && v->locks[i] != addr)
        i++;
    if (i == v->nlocks && v->nlocks < 16)
        v->locks[v->nlocks++] = addr;
    snprintf(buf, len, "lock %c", 'A' + i);
    return buf;
}

static const char *site_text(struct table_view *v, const struct rlp_site *s,
                             char *buf, size_t len)
{
    struct rl_frame f;
    if (rl_symbolize_user_frame(v->sym, s, &f) == 0)
        snprintf(buf, len, "%s:%d", f.file, f.line);
    else
        snprintf(buf, len, "?");
    return buf;
}

static const char *thread_name(struct table_view *v, const struct rlp_thread *t,
                               char *buf, size_t len)
{
    const char *fn = t->index == 0
                         ? "main"
                         : rl_symbolize_function(v->sym, t->start_routine);
    snprintf(buf, len, "thread %d (%s)", t->index + 1, fn ? fn : "?");
    return buf;
}

static const struct rlp_thread *holder_of(const struct rlp_shm *m,
                                          uint64_t lock)
{
    for (uint32_t i = 0; i < m->nthreads && i < RLP_MAX_THREADS; i++)
        for (uint32_t k = 0; k < m->threads[i].nheld && k < RLP_MAX_HELD; k++)
            if (m->threads[i].state != RLP_T_FREE &&
                m->threads[i].held[k].lock == lock)
                return &m->threads[i];
    return NULL;
}

/* Every live thread blocked, none on a lock nobody holds, and nothing
 * acquired for a while: no thread can run again. */
static int all_stuck(const struct rlp_shm *m)
{
    int waiting = 0;
    for (uint32_t i = 0; i < m->nthreads && i < RLP_MAX_THREADS; i++) {
        const struct rlp_thread *t = &m->threads[i];
        if (t->state == RLP_T_FREE)
            continue;
        if (t->state == RLP_T_RUNNING)
            return 0;
        if (t->state == RLP_T_WAIT_LOCK && !holder_of(m, t->wait_object))
            return 0;
        waiting += t->state == RLP_T_WAIT_LOCK;
    }
    return waiting >= 2;
}

int demo_live_deadlock(struct demo_screen *s, const struct rl_demo_act *a)
{
    struct demo_proc p;
    if (demo_proc_start(&p, a->argv, DEMO_PROBE, 30) != 0) {
        demo_line(s, "could not start it: %s", p.error);
        demo_proc_end(&p);
        return -1;
    }
    demo_show_start(s, &p, a);
    /* Stuck, and still stuck with no acquisition 300 ms later. */
    uint64_t progress = 0;
    double stuck_since = 0;
    const struct rlp_shm *live = NULL;
    while (demo_proc_age(&p) < 10) {
        live = demo_proc_table(&p);
        if (live && all_stuck(live)) {
            if (!stuck_since || live->progress != progress)
                stuck_since = rl_now(), progress = live->progress;
            else if (rl_now() - stuck_since > 0.3)
                break;
        } else
            stuck_since = 0;
        rl_sleep_ms(50);
    }
    double cpu0 = rl_proc_cpu_seconds(p.pid, 0);
    rl_sleep_ms(500);
    double cpu = rl_proc_cpu_seconds(p.pid, 0) - cpu0;
    struct table_view v;
    if (!stuck_since || view_take(&p, &v) != 0) {
        demo_line(s, "no deadlock within 10 s");
        demo_proc_end(&p);
        return 0;
    }
    demo_cmd(s,
             "racelab's probe: who holds what, who waits for what "
             "(%.1f s after the start)",
             demo_proc_age(&p));
    char tn[64], ln[64], ln2[64], site[128];
    const struct rlp_thread *first = NULL;
    for (uint32_t i = 0; i < v.shm->nthreads && i < RLP_MAX_THREADS; i++) {
        const struct rlp_thread *t = &v.shm->threads[i];
        if (t->state == RLP_T_FREE)
            continue;
        thread_name(&v, t, tn, sizeof tn);
        if (t->state == RLP_T_WAIT_JOIN) {
            demo_line(s, "%s: waits to join thread %d", tn,
                      (int)t->wait_object);
            continue;
        }
        if (t->state != RLP_T_WAIT_LOCK)
            continue;
        if (!first)
            first = t;
        for (uint32_t k = 0; k < t->nheld && k < RLP_MAX_HELD; k++)
            demo_line(s, "%s: HOLDS %s (taken at %s)", tn,
                      lock_name(&v, t->held[k].lock, ln, sizeof ln),
                      site_text(&v, &t->held[k].site, site, sizeof site));
        demo_line(s, "%s: WAITS for %s (at %s)", tn,
                  lock_name(&v, t->wait_object, ln, sizeof ln),
                  site_text(&v, &t->wait_site, site, sizeof site));
    }
    /* The cycle: from a waiter, to the holder of what it waits for. */
    char cycle[512] = "";
    size_t n = 0;
    const struct rlp_thread *t = first;
    for (int steps = 0; t && steps < 8; steps++) {
        const struct rlp_thread *h = holder_of(v.shm, t->wait_object);
        n +=
            (size_t)snprintf(cycle + n, n < sizeof cycle ? sizeof cycle - n : 0,
                             "thread %d -> %s -> ", t->index + 1,
                             lock_name(&v, t->wait_object, ln2, sizeof ln2));
        t = h && h->state == RLP_T_WAIT_LOCK ? h : NULL;
        if (t == first) {
            snprintf(cycle + n, n < sizeof cycle ? sizeof cycle - n : 0,
                     "thread %d", first->index + 1);
            break;
        }
    }
    if (t == first)
        demo_point(s, "the wait-for cycle: %s", cycle);
    demo_cmd(s, "CPU time from /proc/%d/stat over the next 0.5 s", (int)p.pid);
    demo_line(s, "%.2f s of CPU: no thread can run, ever", cpu < 0 ? 0 : cpu);
    view_free(&v);
    demo_proc_end(&p);
    return 0;
}

/* Sums over the program's threads other than main. */
struct counters {
    unsigned long long tries_failed, given_up, done, acquisitions;
};

static void sum_counters(const struct rlp_shm *m, struct counters *c)
{
    memset(c, 0, sizeof *c);
    for (uint32_t i = 1; i < m->nthreads && i < RLP_MAX_THREADS; i++) {
        const struct rlp_thread *t = &m->threads[i];
        c->tries_failed += t->trylock_failures;
        c->given_up += t->backoffs;
        c->done += t->nested_acquisitions;
        c->acquisitions += t->acquisitions;
    }
}

enum { SAMPLES = 4, SAMPLE_MS = 500 };

int demo_live_livelock(struct demo_screen *s, const struct rl_demo_act *a)
{
    struct demo_proc p;
    if (demo_proc_start(&p, a->argv, DEMO_PROBE, 30) != 0) {
        demo_line(s, "could not start it: %s", p.error);
        demo_proc_end(&p);
        return -1;
    }
    demo_show_start(s, &p, a);
    demo_cmd(s,
             "every 0.5 s: CPU from /proc/%d/stat, counters from "
             "racelab's probe",
             (int)p.pid);
    demo_line(s, "  time   CPU used   trylocks failed   locks given up   "
                 "both locks held");
    for (int i = 1; i <= SAMPLES; i++) {
        rl_sleep_ms(SAMPLE_MS);
        const struct rlp_shm *m = demo_proc_table(&p);
        struct counters c = {0};
        if (m)
            sum_counters(m, &c);
        double cpu = rl_proc_cpu_seconds(p.pid, 0);
        if (cpu < 0) {
            demo_line(s, "the program has ended");
            break;
        }
        demo_line(s, "%5.1f s   %6.2f s   %15llu   %14llu   %15llu",
                  demo_proc_age(&p), cpu, c.tries_failed, c.given_up, c.done);
    }
    demo_point(s, "busy, and no progress: a livelock");
    demo_proc_end(&p);
    return 0;
}

/* The thread running the function called `writer`, else the one that
 * has waited longest. */
static const struct rlp_thread *find_writer(struct table_view *v)
{
    const struct rlp_thread *best = NULL;
    for (uint32_t i = 1; i < v->shm->nthreads && i < RLP_MAX_THREADS; i++) {
        const struct rlp_thread *t = &v->shm->threads[i];
        const char *fn = rl_symbolize_function(v->sym, t->start_routine);
        if (fn && strcmp(fn, "writer") == 0)
            return t;
        if (t->state != RLP_T_FREE && t->wait_since_ns &&
            (!best || t->wait_since_ns < best->wait_since_ns))
            best = t;
    }
    return best;
}

int demo_live_starvation(struct demo_screen *s, const struct rl_demo_act *a)
{
    struct demo_proc p;
    if (demo_proc_start(&p, a->argv, DEMO_PROBE, 30) != 0) {
        demo_line(s, "could not start it: %s", p.error);
        demo_proc_end(&p);
        return -1;
    }
    demo_show_start(s, &p, a);
    demo_cmd(s, "every 0.5 s: racelab's probe's table of waits and "
                "acquisitions");
    demo_line(s, "  time   writer        its locks taken   others' locks "
                 "taken");
    for (int i = 1; i <= SAMPLES; i++) {
        rl_sleep_ms(SAMPLE_MS);
        struct table_view v;
        if (rl_proc_state(p.pid) == 0 || view_take(&p, &v) != 0) {
            demo_line(s, "the program has ended");
            break;
        }
        const struct rlp_thread *w = find_writer(&v);
        struct counters c;
        sum_counters(v.shm, &c);
        char waiting[48] = "not waiting";
        uint64_t since = 0;
        if (w && (w->state == RLP_T_WAIT_LOCK || w->state == RLP_T_WAIT_SEM))
            since = w->wait_since_ns;
        else if (w && w->state == RLP_T_WAIT_COND)
            since = w->cond_wait_since_ns;
        if (since)
            snprintf(waiting, sizeof waiting, "WAITING %.1f s",
                     (rl_now_ns() - since) / 1e9);
        else if (w && w->state == RLP_T_FREE)
            snprintf(waiting, sizeof waiting, "done");
        unsigned long long mine = w ? w->acquisitions : 0;
        demo_line(s, "%5.1f s   %-14s   %14llu   %19llu", demo_proc_age(&p),
                  waiting, mine, c.acquisitions - mine);
        view_free(&v);
    }
    demo_proc_end(&p);
    return 0;
}

/* Runs the fixed program to its end and shows what it printed. */
int demo_live_finish(struct demo_screen *s, const struct rl_demo_act *a)
{
    struct demo_proc p;
    if (demo_proc_start(&p, a->argv, 0, 20) != 0) {
        demo_line(s, "could not start it: %s", p.error);
        demo_proc_end(&p);
        return -1;
    }
    demo_show_start(s, &p, a);
    demo_proc_wait(&p);
    const struct rl_sandbox_result *r = &p.run.result;
    for (const char *l = r->out; l && *l;) {
        const char *nl = strchr(l, '\n');
        size_t n = nl ? (size_t)(nl - l) : strlen(l);
        char shown[256];
        rl_escape_bytes(l, n, shown, sizeof shown); /* the program's words */
        demo_line(s, "%s", shown);
        l += n + (nl != NULL);
    }
    if (r->timed_out)
        demo_line(s, "STILL RUNNING after %.0f s: stopped", r->wall_seconds);
    else
        demo_line(s, "(it finished in %.2f s, exit status %d)", r->wall_seconds,
                  r->exited ? r->exit_status : 128 + r->signal);
    demo_proc_end(&p);
    return 0;
}
