/* tool_tsan.c: ThreadSanitizer: races, lock order, thread leaks, signals. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "tools/data_names.h"
#include "tools/sanitizer_report.h"
#include "tools/tool.h"
#include "lib/xalloc.h"

/*
 * Why each option (the log path and symbolizer come first, from
 * rl_san_options):
 *  halt_on_error=0        keep running after a report: later bugs count too
 *  report_signal_unsafe=1 malloc/free inside a signal handler
 *  second_deadlock_stack=1  both acquisitions of each lock in a cycle
 *  detect_deadlocks=1     lock-order inversions (potential deadlocks)
 *  report_thread_leaks=1  threads neither joined nor detached
 *  history_size=7         the largest: the previous access of a race keeps
 *                         its stack even in a long loop
 *  exitcode=66            the runtime's status when it reported something
 *  atexit_sleep_ms=1000   the default, made explicit: threads that are
 *                         about to finish do so before the leak check
 *  die_after_fork=0       a fork()ing program keeps running in the child
 */
static const char tsan_rest[] =
    "halt_on_error=0:report_signal_unsafe=1:second_deadlock_stack=1:"
    "detect_deadlocks=1:report_thread_leaks=1:history_size=7:exitcode=66:"
    "atexit_sleep_ms=1000:die_after_fork=0";

/*
 * For --server runs, appended (the later setting wins): a forking
 * server's children each exit after their client, and TSan's exit sleep
 * would cost a second per client; a server that waits for each child (the
 * bug of one lab variant) would take a minute.  The children's exit is no
 * place for the races that sleep is for.
 */
static const char tsan_server_rest[] = ":atexit_sleep_ms=0";

static int tsan_prepare(struct rl_run *run, char *err, size_t errlen)
{
    struct utsname u;
    if (uname(&u) != 0) {
        snprintf(err, errlen, "uname failed");
        return -1;
    }
    char *opts = rl_san_options(run->workdir, "tsan", tsan_rest, err, errlen);
    if (!opts)
        return -1;
    /* ASLR off: TSan in clang 14 dies with "unexpected memory mapping"
     * when the kernel randomizes mmap more than it expects. */
    rl_strv_push(&run->argv, "setarch");
    rl_strv_push(&run->argv, u.machine);
    rl_strv_push(&run->argv, "-R");
    rl_strv_push(&run->argv, run->exe);
    for (size_t i = 0; run->program_args && run->program_args[i]; i++)
        rl_strv_push(&run->argv, run->program_args[i]);
    rl_strv_pushf(&run->env, "TSAN_OPTIONS=%s%s", opts,
                  run->server ? tsan_server_rest : "");
    free(opts);
    /* TSan maps terabytes of shadow: any RLIMIT_AS makes it abort. */
    run->sandbox.address_limit_ok = 0;
    return 0;
}

static void detail_heading(struct rl_finding *f, const struct rl_san_side *s)
{
    char what[512];
    if (!s->sec)
        return;
    rl_san_clean_heading(what, sizeof what, s->sec->heading);
    rl_san_side_detail(f, what, s);
}

/* The same line, and the side's whole stack kept as one of f's sides: a
 * report with a thread each (a race's two accesses, a lock cycle's
 * acquisitions) can draw them. */
static void detail_side(struct rl_finding *f, const struct rl_san_side *s,
                        const char *what_instead, const struct rl_run *run)
{
    char what[512];
    if (!s->sec)
        return;
    rl_san_clean_heading(what, sizeof what, s->sec->heading);
    if (what_instead)
        snprintf(what, sizeof what, "%s", what_instead);
    rl_san_side_detail(f, what, s);
    rl_san_side_record(f, what, s, run->sources);
}

/* A key from a sorted pair of places: the same race seen from either
 * side, or twice, is one bug. */
static void pair_key(char *key, size_t len, const char *id,
                     const struct rl_san_side *a, const struct rl_san_side *b)
{
    char pa[512] = "", pb[512] = "";
    if (a->frame)
        rl_san_place(pa, sizeof pa, a->file, a->frame);
    if (b->frame)
        rl_san_place(pb, sizeof pb, b->file, b->frame);
    int swap = strcmp(pa, pb) > 0;
    snprintf(key, len, "%s|%s|%s", id, swap ? pb : pa, swap ? pa : pb);
}

/* The access being reported: "Write of size 8 ...", "Atomic read ...". */
static const struct rl_san_section *
current_access(const struct rl_san_report *r)
{
    for (size_t i = 0; i < r->nsections; i++) {
        const char *h = r->sections[i].heading;
        if (strncmp(h, "Previous ", 9) != 0 && strstr(h, " of size "))
            return &r->sections[i];
    }
    return NULL;
}

/* What TSan's "Location is ..." names (h: the text after it), as a fact
 * of f: "global 'x' ...", "heap block ...", "stack of thread T1.",
 * "TLS of main thread.", "file descriptor 5 created by ... at:". */
static void location_facts(struct rl_finding *f, const char *h)
{
    int fd;
    if (strncmp(h, "global ", 7) == 0)
        f->location_kind = RL_LOCATION_GLOBAL;
    else if (strncmp(h, "heap block", 10) == 0)
        f->location_kind = RL_LOCATION_HEAP;
    else if (strncmp(h, "stack of ", 9) == 0)
        f->location_kind = RL_LOCATION_STACK;
    else if (strncmp(h, "TLS of ", 7) == 0)
        f->location_kind = RL_LOCATION_TLS;
    else if (sscanf(h, "file descriptor %d", &fd) == 1) {
        f->location_kind = RL_LOCATION_FD;
        f->fd = fd;
    }
}

/* What raced: "Location is global 'counter' of size 8 at ..." */
static void detail_location(struct rl_finding *f, const struct rl_san_report *r,
                            const struct rl_run *run)
{
    const struct rl_san_section *loc = rl_san_find_section(r, "Location is ");
    char line[1024], place[512];
    if (!loc)
        return;
    const char *h = loc->heading + strlen("Location is ");
    location_facts(f, h);
    const char *q = strchr(h, '\'');
    const char *q2 = q ? strchr(q + 1, '\'') : NULL;
    struct rl_san_side alloc;
    rl_san_side_find(&alloc, loc, run->sources);
    if (strncmp(h, "global ", 7) == 0 && q2) {
        snprintf(line, sizeof line, "on global variable %.*s",
                 (int)(q2 - q - 1), q + 1);
    } else if (strncmp(h, "heap block", 10) == 0 && alloc.frame) {
        rl_san_place(place, sizeof place, alloc.file, alloc.frame);
        snprintf(line, sizeof line, "on a heap block allocated at %s (%s)",
                 place, alloc.frame->function ? alloc.frame->function : "?");
    } else {
        rl_san_clean_heading(line, sizeof line, loc->heading);
    }
    rl_finding_append_detail(f, line);
}

/* 1 when the section's access is made by free itself (its top frame):
 * free, its aliases and C++'s operator delete. */
static int access_in_free(const struct rl_san_section *sec)
{
    static const char *const frees[] = {"free", "__interceptor_free", "cfree",
                                        "___interceptor_free"};
    if (!sec || sec->nframes == 0 || !sec->frames[0].function)
        return 0;
    const char *fn = sec->frames[0].function;
    if (strncmp(fn, "operator delete", 15) == 0)
        return 1;
    for (size_t i = 0; i < sizeof frees / sizeof *frees; i++)
        if (strcmp(fn, frees[i]) == 0)
            return 1;
    return 0;
}

/* data race and heap-use-after-free: the access and the previous one. */
static void map_access_pair(const struct rl_san_report *r, const char *id,
                            struct rl_san_collector *c,
                            const struct rl_run *run)
{
    struct rl_san_side now, before;
    char key[1200];
    int fresh;
    rl_san_side_find(&now, current_access(r), run->sources);
    rl_san_side_find(&before, rl_san_find_section(r, "Previous "),
                     run->sources);
    if (!now.frame && !before.frame)
        return;
    pair_key(key, sizeof key, id, &now, &before);
    struct rl_finding *f = rl_san_collect(c, key, id, &fresh);
    rl_san_side_add(f, &now);
    rl_san_side_add(f, &before);
    if (access_in_free(now.sec) || access_in_free(before.sec))
        f->flags |= RL_FINDING_FREE_ACCESS;
    if (!fresh)
        return;
    detail_side(f, &now, NULL, run);
    if (strcmp(id, "use-after-free") == 0 && before.frame)
        detail_side(f, &before, "freed", run); /* TSan calls free a write */
    else
        detail_side(f, &before, NULL, run);
    detail_location(f, r, run);
}

/* "Cycle in lock order graph: M0 (0x..) => M1 (0x..) => M0" in words:
 * TSan's M0, M1 are its own numbers, which mean nothing to a student;
 * the locks themselves are named by the acquisitions below. */
static void detail_cycle(struct rl_finding *f, const struct rl_san_report *r)
{
    const struct rl_san_section *cycle = rl_san_find_section(r, "Cycle ");
    char line[256];
    int n = 0;
    if (!cycle)
        return;
    for (const char *p = cycle->heading; (p = strstr(p, "=>")); p += 2)
        n++;
    snprintf(line, sizeof line,
             "tsan: a cycle of %d locks in the order they were taken, each "
             "taken while holding the one before it:",
             n > 0 ? n : 2);
    rl_finding_append_detail(f, line);
}

enum { MAX_TSAN_LOCKS = 16 };

/* "mutex M1 acquired while holding mutex M0" with the locks' names. */
static void name_tsan_locks(char *out, size_t len, const char *text,
                            char names[][96])
{
    size_t n = 0;
    for (const char *p = text; *p && n + 1 < len;) {
        unsigned k;
        int used = 0;
        if ((p == text || p[-1] == ' ') && p[0] == 'M' &&
            sscanf(p, "M%u%n", &k, &used) == 1 && used > 1) {
            char name[128];
            if (k < MAX_TSAN_LOCKS && names[k][0])
                snprintf(name, sizeof name, "%s", names[k]);
            else
                snprintf(name, sizeof name, "lock %u", k + 1);
            for (const char *q = name; *q && n + 1 < len; q++)
                out[n++] = *q;
            p += used;
            continue;
        }
        out[n++] = *p++;
    }
    out[n] = '\0';
}

/* Each "Mutex M1 acquired here while holding mutex M0" is a location;
 * "previously acquired" sections (second_deadlock_stack) are evidence. */
static void map_lock_order(const struct rl_san_report *r,
                           struct rl_san_collector *c, const struct rl_run *run)
{
    struct rl_san_side sides[16];
    size_t n = 0;
    char key[4096], place[512];
    int fresh;
    snprintf(key, sizeof key, "lock-order-inversion");
    for (size_t i = 0; i < r->nsections && n < 16; i++) {
        if (!strstr(r->sections[i].heading, " acquired here while holding "))
            continue;
        rl_san_side_find(&sides[n], &r->sections[i], run->sources);
        if (sides[n].frame) {
            rl_san_place(place, sizeof place, sides[n].file, sides[n].frame);
            /* TSan starts the cycle at the same lock each time. */
            strncat(key, "|", sizeof key - strlen(key) - 1);
            strncat(key, place, sizeof key - strlen(key) - 1);
            n++;
        }
    }
    if (n == 0)
        return;
    struct rl_finding *f =
        rl_san_collect(c, key, "lock-order-inversion", &fresh);
    for (size_t i = 0; i < n; i++)
        rl_san_side_add(f, &sides[i]);
    if (!fresh)
        return;
    detail_cycle(f, r);
    /* TSan's M0, M1 by the lock each names: the argument of the call
     * where it was acquired ("to->lock"), else "lock 1", "lock 2". */
    char names[MAX_TSAN_LOCKS][96] = {{0}};
    for (size_t i = 0; i < r->nsections; i++) {
        struct rl_san_side s;
        unsigned k;
        if (sscanf(r->sections[i].heading, "Mutex M%u acquired here", &k) !=
                1 ||
            k >= MAX_TSAN_LOCKS || names[k][0])
            continue;
        rl_san_side_find(&s, &r->sections[i], run->sources);
        if (s.frame)
            rl_call_argument(
                rl_sources_line(run->sources, s.file, s.frame->line), names[k],
                sizeof names[k]);
    }
    for (size_t i = 0; i < r->nsections; i++) {
        struct rl_san_side s;
        char what[512], said[768];
        if (!strstr(r->sections[i].heading, "acquired "))
            continue;
        rl_san_side_find(&s, &r->sections[i], run->sources);
        rl_san_clean_heading(what, sizeof what, r->sections[i].heading);
        name_tsan_locks(said, sizeof said, what, names);
        detail_side(f, &s, said, run);
    }
}

/* One finding per place where a leaked thread was created. */
static void map_thread_leak(const struct rl_san_report *r,
                            struct rl_san_collector *c,
                            const struct rl_run *run)
{
    for (size_t i = 0; i < r->nsections; i++) {
        struct rl_san_side s;
        char key[600], place[512];
        int fresh;
        if (strncmp(r->sections[i].heading, "Thread ", 7) != 0)
            continue;
        rl_san_side_find(&s, &r->sections[i], run->sources);
        if (!s.frame)
            continue;
        rl_san_place(place, sizeof place, s.file, s.frame);
        snprintf(key, sizeof key, "thread-leak|%s", place);
        struct rl_finding *f = rl_san_collect(c, key, "thread-leak", &fresh);
        f->flags |= RL_FINDING_AT_EXIT; /* TSan checks for them at exit */
        rl_san_side_add(f, &s);
        if (fresh)
            detail_heading(f, &s);
    }
    const struct rl_san_section *more = rl_san_find_section(r, "And ");
    if (more && c->list.n > 0) /* "And 3 more similar thread leaks." */
        rl_finding_append_detail(&c->list.v[c->list.n - 1], more->heading);
}

/* The handler: the user frame that the runtime's signal dispatch called,
 * or NULL when the stack does not show the dispatch. */
static const struct rl_san_frame *handler_frame(const struct rl_san_section *s,
                                                const struct rl_run *run,
                                                const char **file)
{
    const struct rl_san_frame *last = NULL;
    for (size_t i = 0; i < s->nframes; i++) {
        const struct rl_san_frame *f = &s->frames[i];
        if (f->function && strstr(f->function, "CallUserSignalHandler"))
            return last;
        const char *mine =
            f->file ? rl_sources_match(run->sources, f->file) : NULL;
        if (mine) {
            last = f;
            *file = mine;
        }
    }
    return NULL;
}

/* signal-unsafe call, signal handler spoils errno: one finding per
 * handler, with every offending line of it. */
static void map_signal(const struct rl_san_report *r, const char *id,
                       struct rl_san_collector *c, const struct rl_run *run)
{
    /* These stacks come right under the headline. */
    const struct rl_san_section *stack =
        r->nsections > 0 && r->sections[0].heading[0] == '\0' ? &r->sections[0]
                                                              : NULL;
    struct rl_san_side s;
    const char *hfile = NULL;
    char key[1200], line[1024];
    int fresh;
    if (!stack)
        return;
    rl_san_side_find(&s, stack, run->sources);
    if (!s.frame)
        return;
    /* errno's stack starts in the handler itself, at its first line. */
    const struct rl_san_frame *h = handler_frame(stack, run, &hfile);
    if (!h) {
        h = s.frame;
        hfile = s.file;
    }
    snprintf(key, sizeof key, "%s|%s|%s", id, hfile,
             h->function ? h->function : "?");
    struct rl_finding *f = rl_san_collect(c, key, id, &fresh);
    rl_san_side_add(f, &s);
    if (strcmp(id, "errno-clobber") == 0) {
        if (fresh)
            rl_san_side_detail(f, "the handler returns with errno changed", &s);
        return;
    }
    /* The call the user wrote is the frame just inside the user's. */
    const char *callee = s.frame > stack->frames ? s.frame[-1].function : NULL;
    const char *unsafe = stack->frames[0].function;
    if (callee && unsafe && strcmp(callee, unsafe) != 0)
        snprintf(line, sizeof line, "calls %s, which calls %s", callee, unsafe);
    else
        snprintf(line, sizeof line, "calls %s", callee ? callee : "?");
    rl_san_side_detail(f, line, &s);
}

static void map_report(const struct rl_san_report *r,
                       struct rl_san_collector *c, const struct rl_run *run)
{
    const char *k = r->kind;
    if (strcmp(r->tool, "ThreadSanitizer") != 0)
        return;
    if (strncmp(k, "data race", 9) == 0)
        map_access_pair(r, "data-race", c, run);
    else if (strncmp(k, "heap-use-after-free", 19) == 0)
        map_access_pair(r, "use-after-free", c, run);
    else if (strncmp(k, "lock-order-inversion", 20) == 0)
        map_lock_order(r, c, run);
    else if (strcmp(k, "thread leak") == 0)
        map_thread_leak(r, c, run);
    else if (strncmp(k, "signal-unsafe call", 18) == 0)
        map_signal(r, "signal-unsafe-call", c, run);
    else if (strcmp(k, "signal handler spoils errno") == 0)
        map_signal(r, "errno-clobber", c, run);
    /* Mutex misuse (double lock, unlock of an unlocked mutex, destroy of
     * a locked one) names no failure mode of ours: left out. */
}

static int tsan_parse(struct rl_run *run, struct rl_findings *out, char *err,
                      size_t errlen)
{
    struct rl_san_reports reps = {0};
    struct rl_san_collector c = {.tool = "tsan"};
    const char *fatal = NULL;
    if (rl_san_parse_logs(run->workdir, "tsan", &reps, NULL, err, errlen))
        return -1;
    for (size_t i = 0; i < reps.n; i++) {
        if (reps.v[i].fatal && !fatal)
            fatal = reps.v[i].title;
        else if (!reps.v[i].fatal)
            map_report(&reps.v[i], &c, run);
    }
    rl_san_collect_finish(&c, out);
    /* racelab's preflight ran ThreadSanitizer on this machine: a fatal
     * error in this run is the program's (its mappings, its signals, a
     * line it wrote into its own log), never racelab's internal error. */
    if (fatal)
        snprintf(run->tool_failed, sizeof run->tool_failed,
                 "ThreadSanitizer failed in the program: %s", fatal);
    rl_san_reports_free(&reps);
    return 0;
}

const struct rl_tool rl_tool_tsan = {
    .name = "tsan",
    .variant = RL_VARIANT_TSAN,
    .needs = RL_NEEDS_TSAN,
    .prepare = tsan_prepare,
    .parse = tsan_parse,
};
