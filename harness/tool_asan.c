/* tool_asan.c: AddressSanitizer with LeakSanitizer and UBSan: freed memory
 * used, memory leaked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sanitizer_report.h"
#include "tool.h"
#include "xalloc.h"

/*
 * The three runtimes live in one process and share "common" flags
 * (log_path, exitcode, symbolizer), each parsing its own variable: they
 * all get the same values, so whichever is read last changes nothing.
 *  halt_on_error=0   UBSan, and ASan's allocator checks (double free), go
 *                    on after a report; a bad access still stops the
 *                    program (the build has no -fsanitize-recover)
 *  detect_leaks=1    LeakSanitizer at exit
 *  exitcode=66       the runtimes' status when they reported something
 *  abort_on_error=0  exit with exitcode instead of SIGABRT: the run still
 *                    counts as having exited by itself
 *  print_stacktrace=1  UBSan's reports get a stack, like the others
 */
static const char asan_rest[] =
    "halt_on_error=0:detect_leaks=1:exitcode=66:abort_on_error=0";
static const char lsan_rest[] = "exitcode=66";
static const char ubsan_rest[] =
    "halt_on_error=0:print_stacktrace=1:exitcode=66";

static int asan_prepare(struct rl_run *run, char *err, size_t errlen)
{
    static const struct {
        const char *var, *rest;
    } vars[] = {
        {"ASAN_OPTIONS", asan_rest},
        {"LSAN_OPTIONS", lsan_rest},
        {"UBSAN_OPTIONS", ubsan_rest},
    };
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        char *opts =
            rl_san_options(run->workdir, "asan", vars[i].rest, err, errlen);
        if (!opts)
            return -1;
        rl_strv_pushf(&run->env, "%s=%s", vars[i].var, opts);
        free(opts);
    }
    rl_strv_push(&run->argv, run->exe);
    for (size_t i = 0; run->program_args && run->program_args[i]; i++)
        rl_strv_push(&run->argv, run->program_args[i]);
    /* ASan reserves terabytes of shadow address space too. */
    run->sandbox.address_limit_ok = 0;
    return 0;
}

/* A stack of a report and its user frame. */
struct side {
    const struct rl_san_section *sec;
    const struct rl_san_frame *frame;
    const char *file;
};

static void find_side(struct side *s, const struct rl_san_section *sec,
                      const struct rl_run *run)
{
    s->sec = sec;
    s->file = NULL;
    s->frame = sec ? rl_san_user_frame(sec, run->sources, &s->file) : NULL;
}

static void add_side(struct rl_finding *f, const struct side *s)
{
    if (s->frame)
        rl_finding_add_location(f, s->file, s->frame->line, s->frame->function);
}

static void detail_side(struct rl_finding *f, const char *what,
                        const struct side *s)
{
    char place[512], line[1024];
    if (!s->frame)
        return;
    rl_san_place(place, sizeof place, s->file, s->frame);
    snprintf(line, sizeof line, "%s at %s (%s)", what, place,
             s->frame->function ? s->frame->function : "?");
    rl_finding_append_detail(f, line);
}

/* The access (or second free) stack: the first section with frames. */
static const struct rl_san_section *first_stack(const struct rl_san_report *r)
{
    for (size_t i = 0; i < r->nsections; i++)
        if (r->sections[i].nframes > 0)
            return &r->sections[i];
    return NULL;
}

/* heap-use-after-free and double free: where the block was used (or freed
 * again), where it was freed; where it was allocated goes in the detail. */
static void map_use_after_free(const struct rl_san_report *r, int twice,
                               struct rl_san_collector *c,
                               const struct rl_run *run)
{
    struct side use, freed, alloc;
    char key[1200], a[512] = "", b[512] = "", what[512];
    int fresh;
    find_side(&use, first_stack(r), run);
    find_side(&freed, rl_san_find_section(r, "freed by "), run);
    find_side(&alloc, rl_san_find_section(r, "previously allocated "), run);
    if (!use.frame && !freed.frame)
        return;
    if (use.frame)
        rl_san_place(a, sizeof a, use.file, use.frame);
    if (freed.frame)
        rl_san_place(b, sizeof b, freed.file, freed.frame);
    snprintf(key, sizeof key, "use-after-free|%s|%s", a, b);
    struct rl_finding *f = rl_san_collect(c, key, "use-after-free", &fresh);
    add_side(f, &use);
    add_side(f, &freed);
    if (!fresh)
        return;
    if (twice || use.sec->heading[0] == '\0')
        snprintf(what, sizeof what, "freed again");
    else
        rl_san_clean_heading(what, sizeof what, use.sec->heading);
    detail_side(f, what, &use);
    if (freed.sec) { /* "freed by thread T0 here:" */
        rl_san_clean_heading(what, sizeof what, freed.sec->heading);
        detail_side(f, what, &freed);
    }
    detail_side(f, "allocated", &alloc);
}

/* Each "Direct leak of N byte(s) in M object(s) allocated from:" is one
 * leak; indirect leaks are blocks reachable only from a direct one, so
 * freeing the direct one fixes them: not reported. */
static void map_leaks(const struct rl_san_report *r, struct rl_san_collector *c,
                      const struct rl_run *run)
{
    for (size_t i = 0; i < r->nsections; i++) {
        const char *h = r->sections[i].heading;
        struct side s;
        char key[600], place[512], what[512];
        int fresh;
        if (strncmp(h, "Direct leak of ", 15) != 0)
            continue;
        find_side(&s, &r->sections[i], run);
        if (!s.frame)
            continue;
        rl_san_place(place, sizeof place, s.file, s.frame);
        snprintf(key, sizeof key, "memory-leak|%s", place);
        struct rl_finding *f = rl_san_collect(c, key, "memory-leak", &fresh);
        add_side(f, &s);
        if (fresh) {
            /* "32 byte(s) in 2 object(s)", from "Direct leak of 32 ..." */
            const char *size = h + 15, *from = strstr(size, " allocated");
            int n = from ? (int)(from - size) : (int)strlen(size);
            snprintf(what, sizeof what, "%.*s never freed, allocated", n, size);
            detail_side(f, what, &s);
        }
    }
}

static void map_report(const struct rl_san_report *r,
                       struct rl_san_collector *c, const struct rl_run *run)
{
    if (strcmp(r->tool, "AddressSanitizer") == 0) {
        if (strcmp(r->kind, "heap-use-after-free") == 0)
            map_use_after_free(r, 0, c, run);
        else if (strcmp(r->kind, "attempting double-free") == 0)
            map_use_after_free(r, 1, c, run);
        /* Overflows, bad frees and crashes name no failure mode of ours. */
    } else if (strcmp(r->tool, "LeakSanitizer") == 0) {
        /* A program stopped from outside never reached its exit: what
         * it still held was not leaked (cmd_check ignores such runs). */
        if (run->result.exited)
            map_leaks(r, c, run);
    }
    /* UndefinedBehaviorSanitizer: undefined behaviour is not a
     * concurrency failure mode; its reports are parsed and left out. */
}

static int asan_parse(struct rl_run *run, struct rl_findings *out, char *err,
                      size_t errlen)
{
    struct rl_san_reports reps = {0};
    struct rl_san_collector c = {.tool = "asan"};
    const char *fatal = NULL;
    if (rl_san_parse_logs(run->workdir, "asan", &reps, NULL, err, errlen))
        return -1;
    for (size_t i = 0; i < reps.n; i++) {
        if (reps.v[i].fatal && !fatal)
            fatal = reps.v[i].tool;
        else if (!reps.v[i].fatal)
            map_report(&reps.v[i], &c, run);
    }
    rl_san_collect_finish(&c, out);
    if (fatal)
        snprintf(err, errlen, "%s failed (a fatal error of its own)", fatal);
    rl_san_reports_free(&reps);
    return fatal ? -1 : 0;
}

const struct rl_tool rl_tool_asan = {
    .name = "asan",
    .variant = RL_VARIANT_ASAN,
    .prepare = asan_prepare,
    .parse = asan_parse,
};
