/* connfd_analysis.c: verdicts on a server's connection threads from the
 * probe's table: connfd-race, thread-leak, fd-leak (pure: no I/O). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/connfd_analysis.h"
#include "lib/xalloc.h"

static uint32_t nthreads(const struct rlp_shm *shm)
{
    return shm->nthreads < RLP_MAX_THREADS ? shm->nthreads : RLP_MAX_THREADS;
}

static int is_conn(const struct rlp_thread *t)
{
    return t->index > 0 && t->conn_fd > 0;
}

static int ended_unreaped(const struct rlp_thread *t)
{
    return t->state == RLP_T_EXITED && !t->joined_or_detached;
}

/* The fd the thread really read: the later one when its argument was
 * overwritten before it read it. */
static int served_fd(const struct rlp_thread *t)
{
    return (t->conn_flags & RLP_CONN_RACED) && t->conn_seen_fd > 0
               ? t->conn_seen_fd - 1
               : t->conn_fd - 1;
}

void rl_connfd_add_sites(struct rl_symbolizer *sym, const struct rlp_shm *shm)
{
    for (uint32_t i = 1; i < nthreads(shm); i++)
        if (is_conn(&shm->threads[i]))
            rl_symbolizer_add_site(sym, &shm->threads[i].conn_accept_site);
}

/* The accept as the accept loop calls it: the frame of the accept site
 * in the function that also creates the thread (main's loop, not a
 * wrapper such as CS:APP's Accept); else its innermost user frame. */
static int loop_accept(const struct rl_symbolizer *sym,
                       const struct rlp_thread *t, struct rl_frame *out)
{
    struct rl_frame frames[RLP_MAX_FRAMES], create;
    size_t n =
        rl_symbolize_site(sym, &t->conn_accept_site, frames, RLP_MAX_FRAMES);
    if (n == 0)
        return -1;
    *out = frames[0];
    if (rl_symbolize_user_frame(sym, &t->create_site, &create) != 0 ||
        !create.function)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (frames[i].function && frames[i].file &&
            strcmp(frames[i].function, create.function) == 0 &&
            strcmp(frames[i].file, create.file) == 0) {
            *out = frames[i];
            break;
        }
    return 0;
}

static void add_frame(struct rl_finding *f, const struct rl_frame *fr)
{
    rl_finding_add_location(f, fr->file, fr->line, fr->function);
}

static void add_accept(struct rl_finding *f, const struct rl_symbolizer *sym,
                       const struct rlp_thread *t)
{
    struct rl_frame fr;
    if (sym && loop_accept(sym, t, &fr) == 0)
        add_frame(f, &fr);
}

static void add_create(struct rl_finding *f, const struct rl_symbolizer *sym,
                       const struct rlp_thread *t)
{
    struct rl_frame fr;
    if (sym && rl_symbolize_user_frame(sym, &t->create_site, &fr) == 0)
        add_frame(f, &fr);
}

/* The thread routine's first line (its entry address). */
static void add_routine(struct rl_finding *f, const struct rl_symbolizer *sym,
                        const struct rlp_thread *t)
{
    struct rlp_site entry;
    struct rl_frame fr;
    memset(&entry, 0, sizeof entry);
    entry.pc[0] = t->start_routine;
    if (sym && rl_symbolize_user_frame(sym, &entry, &fr) == 0)
        add_frame(f, &fr);
}

/* "thread 5 (thread)" */
static void thread_label(const struct rl_symbolizer *sym,
                         const struct rlp_thread *t, char *buf, size_t len)
{
    const char *fn = sym ? rl_symbolize_function(sym, t->start_routine) : 0;
    if (fn)
        snprintf(buf, len, "thread %d (%s)", t->index + 1, fn);
    else
        snprintf(buf, len, "thread %d", t->index + 1);
}

/* How many connection threads from slot `from` on read fd.  Those
 * threads served clients connected at the same time, so their fds are
 * distinct connections (earlier ones may have reused the numbers). */
static int readers(const struct rlp_shm *shm, uint32_t from, int fd)
{
    int n = 0;
    for (uint32_t i = from; i < nthreads(shm); i++)
        n += is_conn(&shm->threads[i]) && served_fd(&shm->threads[i]) == fd;
    return n;
}

/* Adds fd to the set (of at most RLP_MAX_THREADS) unless already in. */
static void add_fd(int *set, int *n, int fd)
{
    for (int i = 0; i < *n; i++)
        if (set[i] == fd)
            return;
    set[(*n)++] = fd;
}

static void fd_list(const int *set, int n, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && used + 16 < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%d", i ? ", " : "",
                                 set[i]);
}

/* The behaviour the race caused: connections nobody serves, connections
 * several threads serve. */
static void race_outcome(const struct rlp_shm *shm, uint32_t from,
                         struct rl_finding *f)
{
    int lost[RLP_MAX_THREADS], shared[RLP_MAX_THREADS], nlost = 0, nshared = 0;
    char list[256], line[512];
    for (uint32_t i = from; i < nthreads(shm); i++) {
        const struct rlp_thread *t = &shm->threads[i];
        if (!is_conn(t) || !(t->conn_flags & RLP_CONN_RACED))
            continue;
        if (readers(shm, from, t->conn_fd - 1) == 0)
            add_fd(lost, &nlost, t->conn_fd - 1);
        if (readers(shm, from, served_fd(t)) >= 2)
            add_fd(shared, &nshared, served_fd(t));
    }
    if (nlost) {
        fd_list(lost, nlost, list, sizeof list);
        snprintf(line, sizeof line, "no thread serves fd %s: %s never answered",
                 list, nlost > 1 ? "those clients are" : "that client is");
        rl_finding_append_detail(f, line);
    }
    if (nshared) {
        fd_list(shared, nshared, list, sizeof list);
        snprintf(line, sizeof line, "several threads serve fd %s at once",
                 list);
        rl_finding_append_detail(f, line);
    }
}

/* Where the pointer a thread was handed points, for its detail line. */
static const char *arg_place(const struct rlp_thread *t)
{
    if (t->conn_flags & RLP_CONN_ARG_DATA)
        return "to a global or static variable";
    if (t->conn_flags & RLP_CONN_ARG_HEAP)
        return "to a block its creator refills for every client";
    return "into its creator's stack";
}

static void race_finding(const struct rlp_shm *shm,
                         const struct rl_symbolizer *sym,
                         struct rl_findings *out)
{
    struct rl_finding *f = NULL;
    char who[128], line[512];
    uint32_t first = 0;
    for (uint32_t i = 1; i < nthreads(shm); i++) {
        const struct rlp_thread *t = &shm->threads[i];
        int late = (t->conn_flags & RLP_CONN_LATE_SIGNAL) != 0;
        if (!is_conn(t) || !(t->conn_flags & RLP_CONN_RACED))
            continue;
        if (!f) {
            first = i;
            f = rl_findings_add(out, "connfd-race", "probe");
            f->thread = t->index + 1;
            f->fd = t->conn_fd - 1;
            add_accept(f, sym, t);
            add_create(f, sym, t);
            add_routine(f, sym, t);
            rl_finding_append_detail(
                f, late ? "racelab held each new thread, once it had "
                          "signalled its creator, until the next accept had "
                          "returned:"
                        : "racelab held each new thread until the next accept "
                          "had returned:");
        }
        thread_label(sym, t, who, sizeof who);
        if (late)
            snprintf(line, sizeof line,
                     "%s was handed fd %d through a pointer %s; it let its "
                     "creator go on before reading it, and a later accept "
                     "stored fd %d there first",
                     who, t->conn_fd - 1, arg_place(t), served_fd(t));
        else
            snprintf(line, sizeof line,
                     "%s was handed fd %d through a pointer %s; before it "
                     "read it, a later accept stored fd %d there",
                     who, t->conn_fd - 1, arg_place(t), served_fd(t));
        rl_finding_append_detail(f, line);
    }
    if (f)
        race_outcome(shm, first, f);
}

/* A held thread whose hold could not decide (its creator spun on a flag
 * instead of waiting where the probe sees it), when no thread raced: a
 * candidate that rl_connfd_relabel turns into the connfd-race if tsan
 * saw the creator's next store there unordered with the thread's read,
 * and drops otherwise. */
static void handoff_finding(const struct rlp_shm *shm,
                            const struct rl_symbolizer *sym,
                            struct rl_findings *out)
{
    const struct rlp_thread *held = NULL;
    for (uint32_t i = 1; i < nthreads(shm); i++) {
        const struct rlp_thread *t = &shm->threads[i];
        if (!is_conn(t))
            continue;
        if (t->conn_flags & RLP_CONN_RACED)
            return;
        if (!held && (t->conn_flags & RLP_CONN_UNDECIDED))
            held = t;
    }
    if (!held)
        return;
    struct rl_finding *f = rl_findings_add(out, RL_CONNFD_HANDOFF, "probe");
    char who[128], line[512];
    f->thread = held->index + 1;
    f->fd = held->conn_fd - 1;
    add_accept(f, sym, held);
    add_create(f, sym, held);
    add_routine(f, sym, held);
    thread_label(sym, held, who, sizeof who);
    snprintf(line, sizeof line,
             "%s was handed fd %d through a pointer %s, and nothing made it "
             "read it before its creator's next accept stored there (tsan "
             "saw the two accesses unordered):",
             who, held->conn_fd - 1, arg_place(held));
    rl_finding_append_detail(f, line);
}

/* 1 when the figure after the n-th of total connection threads is shown:
 * a few early ones, then round numbers, and the last. */
static int checkpoint(int n, int total)
{
    static const int marks[] = {1, 2, 3, 6, 10, 20, 50, 100};
    for (size_t i = 0; i < sizeof marks / sizeof *marks; i++)
        if (n == marks[i])
            return 1;
    return n == total;
}

/* "after 1 client: 1, 2: 2, 3: 3, 6: 5": the running count of threads
 * (or descriptors) left behind as connection threads came and went. */
static void growth(const struct rlp_shm *shm,
                   int (*left)(const struct rlp_thread *), int total, char *buf,
                   size_t len)
{
    size_t used = 0;
    int n = 0, count = 0;
    buf[0] = '\0';
    for (uint32_t i = 1; i < nthreads(shm) && used + 24 < len; i++) {
        const struct rlp_thread *t = &shm->threads[i];
        if (!is_conn(t))
            continue;
        count += left(t);
        if (checkpoint(++n, total))
            used += (size_t)snprintf(buf + used, len - used, "%s%d: %d",
                                     used ? ", " : "after client ", n, count);
    }
}

static int first_left(const struct rlp_shm *shm,
                      int (*left)(const struct rlp_thread *), int *n, int *of)
{
    int first = -1;
    *n = *of = 0;
    for (uint32_t i = 1; i < nthreads(shm); i++) {
        const struct rlp_thread *t = &shm->threads[i];
        if (!is_conn(t))
            continue;
        (*of)++;
        if (left(t) && (*n)++ == 0)
            first = (int)i;
    }
    return first;
}

static void thread_leak_finding(const struct rlp_shm *shm,
                                const struct rl_symbolizer *sym,
                                struct rl_findings *out)
{
    int n, of, first = first_left(shm, ended_unreaped, &n, &of);
    if (n < RL_CONN_LEAK_MIN)
        return;
    const struct rlp_thread *t = &shm->threads[first];
    struct rl_finding *f = rl_findings_add(out, "thread-leak", "probe");
    char line[512], figures[256], who[128];
    f->thread = t->index + 1;
    add_create(f, sym, t);
    thread_label(sym, t, who, sizeof who);
    snprintf(line, sizeof line,
             "%d of the %d connection threads (from %s on) ended but were "
             "never joined nor detached: each one's stack stays mapped",
             n, of, who);
    rl_finding_append_detail(f, line);
    growth(shm, ended_unreaped, of, figures, sizeof figures);
    snprintf(line, sizeof line, "ended threads not reaped, %s", figures);
    rl_finding_append_detail(f, line);
}

/* A thread whose argument was overwritten never had its descriptor to
 * close: that leak is the race's doing, reported as connfd-race. */
static int left_open(const struct rlp_thread *t)
{
    return t->state == RLP_T_EXITED && (t->conn_flags & RLP_CONN_LEFT_OPEN) &&
           !(t->conn_flags & RLP_CONN_RACED);
}

static void fd_leak_finding(const struct rlp_shm *shm,
                            const struct rl_symbolizer *sym,
                            struct rl_findings *out)
{
    int n, of, first = first_left(shm, left_open, &n, &of);
    if (n < RL_CONN_LEAK_MIN)
        return;
    const struct rlp_thread *t = &shm->threads[first];
    struct rl_finding *f = rl_findings_add(out, "fd-leak", "probe");
    char line[512], figures[256];
    f->thread = t->index + 1;
    f->fd = t->conn_fd - 1;
    add_accept(f, sym, t);
    add_routine(f, sym, t);
    snprintf(line, sizeof line,
             "%d of the %d connection threads ended with the connection "
             "they were handed still open, and nobody closed it since",
             n, of);
    rl_finding_append_detail(f, line);
    growth(shm, left_open, of, figures, sizeof figures);
    snprintf(line, sizeof line, "descriptors left open, %s", figures);
    rl_finding_append_detail(f, line);
}

void rl_connfd_findings(const struct rlp_shm *shm,
                        const struct rl_symbolizer *sym,
                        struct rl_findings *out)
{
    race_finding(shm, sym, out);
    handoff_finding(shm, sym, out);
    thread_leak_finding(shm, sym, out);
    fd_leak_finding(shm, sym, out);
}

/* --- folding the memory tools' view of the race into it --- */

static int shares_location(const struct rl_finding *a,
                           const struct rl_finding *b)
{
    for (size_t i = 0; i < b->nlocs; i++)
        if (rl_finding_has_location(a, b->locs[i].file, b->locs[i].line))
            return 1;
    return 0;
}

static int is_fd_race(const struct rl_finding *f)
{
    return f->location_kind == RL_LOCATION_FD;
}

/* Moves location `from` of f to position `to` (to <= from). */
static void move_location(struct rl_finding *f, size_t from, size_t to)
{
    struct rl_location l = f->locs[from];
    memmove(&f->locs[to + 1], &f->locs[to], (from - to) * sizeof l);
    f->locs[to] = l;
}

static void remove_location(struct rl_finding *f, size_t i)
{
    free(f->locs[i].file);
    free(f->locs[i].function);
    memmove(&f->locs[i], &f->locs[i + 1], (f->nlocs - i - 1) * sizeof *f->locs);
    f->nlocs--;
}

/* The probe's stand-in for the read, the thread routine's first line,
 * is dropped once a tool names the real read further down in it: a line
 * that only the probe gave (in `own`, not in d), in another function than
 * the accept (c's first line), above one of d's in the same function. */
static void drop_entry_line(struct rl_finding *c, const struct rl_finding *own,
                            const struct rl_finding *d)
{
    for (size_t i = 1; i < c->nlocs; i++) {
        const struct rl_location *l = &c->locs[i];
        if (!l->function || !rl_finding_has_location(own, l->file, l->line) ||
            rl_finding_has_location(d, l->file, l->line) ||
            (c->locs[0].function &&
             strcmp(l->function, c->locs[0].function) == 0))
            continue;
        for (size_t j = 0; j < d->nlocs; j++)
            if (d->locs[j].function &&
                strcmp(d->locs[j].function, l->function) == 0 &&
                strcmp(d->locs[j].file, l->file) == 0 &&
                d->locs[j].line > l->line) {
                remove_location(c, i--);
                break;
            }
    }
}

/* Folds d (a data-race) into c: its tools; when tsan saw it, its
 * evidence and, unless it is a race on a descriptor (lines in the I/O
 * helpers), its lines, which come right after c's first (the accept): the
 * write, then the read.  Valgrind's tools only confirm: their text
 * repeats tsan's with addresses, their lines its lines less exactly. */
static void fold(struct rl_finding *c, const struct rl_finding *own,
                 const struct rl_finding *d)
{
    size_t at = c->nlocs ? 1 : 0;
    for (size_t t = 0; t < d->ntools; t++)
        rl_finding_add_tool(c, d->tools[t]);
    rl_finding_merge_facts(c, d);
    if (!rl_finding_has_tool(d, "tsan"))
        return;
    if (!is_fd_race(d))
        drop_entry_line(c, own, d);
    for (size_t i = 0; i < d->nlocs && !is_fd_race(d); i++) {
        size_t before = c->nlocs;
        rl_finding_add_location(c, d->locs[i].file, d->locs[i].line,
                                d->locs[i].function);
        if (c->nlocs > before)
            move_location(c, c->nlocs - 1, at++);
    }
    if (!d->detail)
        return;
    char *copy = xstrdup(d->detail), *save = NULL;
    for (char *l = strtok_r(copy, "\n", &save); l;
         l = strtok_r(NULL, "\n", &save)) {
        char *line = xasprintf("%s: %s", d->tools[0] ? d->tools[0] : "?", l);
        if (!c->detail || !strstr(c->detail, line))
            rl_finding_append_detail(c, line);
        free(line);
    }
    free(copy);
}

/* Folds into raw->v[i] every data-race of it seen by tsan (pass 0),
 * then by the other tools (pass 1), so that tsan's lines come first.
 * Returns i, moved down by the findings removed before it. */
static size_t fold_into(struct rl_findings *raw, size_t i)
{
    struct rl_findings keep = {0}; /* the probe's own lines */
    struct rl_finding *own = rl_findings_add(&keep, "connfd-race", NULL);
    for (size_t k = 0; k < raw->v[i].nlocs; k++)
        rl_finding_add_location(own, raw->v[i].locs[k].file,
                                raw->v[i].locs[k].line, NULL);
    for (int pass = 0; pass < 2; pass++) {
        for (size_t j = 0; j < raw->n;) {
            struct rl_finding *d = &raw->v[j];
            if (strcmp(d->id, "data-race") != 0 ||
                rl_finding_has_tool(d, "tsan") != (pass == 0) ||
                !(shares_location(&raw->v[i], d) || is_fd_race(d))) {
                j++;
                continue;
            }
            fold(&raw->v[i], own, d);
            rl_findings_remove(raw, j);
            if (j < i)
                i--;
        }
    }
    rl_findings_free(&keep);
    return i;
}

/* 1 when tsan saw a race (not on a descriptor) on h's accept line. */
static int tsan_confirms(const struct rl_findings *raw,
                         const struct rl_finding *h)
{
    if (h->nlocs == 0)
        return 0;
    for (size_t j = 0; j < raw->n; j++) {
        const struct rl_finding *d = &raw->v[j];
        if (strcmp(d->id, "data-race") == 0 && rl_finding_has_tool(d, "tsan") &&
            !is_fd_race(d) &&
            rl_finding_has_location(d, h->locs[0].file, h->locs[0].line))
            return 1;
    }
    return 0;
}

static int has_probe_race(const struct rl_findings *raw)
{
    for (size_t i = 0; i < raw->n; i++)
        if (strcmp(raw->v[i].id, "connfd-race") == 0 &&
            rl_finding_has_tool(&raw->v[i], "probe"))
            return 1;
    return 0;
}

/* The first handoff tsan confirms becomes the connfd-race (unless the
 * probe already has one); every other handoff goes. */
static void confirm_handoffs(struct rl_findings *raw)
{
    int have = has_probe_race(raw);
    for (size_t i = 0; i < raw->n;) {
        struct rl_finding *h = &raw->v[i];
        if (strcmp(h->id, RL_CONNFD_HANDOFF) != 0) {
            i++;
        } else if (!have && tsan_confirms(raw, h)) {
            snprintf(h->id, sizeof h->id, "%s", "connfd-race");
            have = 1;
            i++;
        } else {
            rl_findings_remove(raw, i);
        }
    }
}

void rl_connfd_relabel(struct rl_findings *raw)
{
    confirm_handoffs(raw);
    for (size_t i = 0; i < raw->n; i++)
        if (strcmp(raw->v[i].id, "connfd-race") == 0 &&
            rl_finding_has_tool(&raw->v[i], "probe"))
            i = fold_into(raw, i);
}
