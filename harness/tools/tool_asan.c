/* tool_asan.c: AddressSanitizer with LeakSanitizer and UBSan: freed memory
 * used, memory leaked. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "protocol/hooks.h"
#include "tools/sanitizer_report.h"
#include "tools/tool.h"
#include "lib/clock.h"
#include "lib/procfs.h"
#include "lib/xalloc.h"

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

/*
 * A program that never exits never reaches LeakSanitizer's exit-time
 * check.  build.c compiles harness/runtime/hooks/asan_leak_hook.c
 * (installed as bin/racelab-asan-hook.c) into the ASan variant: its
 * thread, named RL_LEAK_THREAD, waits for RL_LEAK_SIGNAL, runs LSan's
 * recoverable leak check (same log_path) and then writes its pid into the
 * file named by RL_LEAK_MARKER_ENV (protocol/hooks.h).
 */
#define LEAK_MARKER "lsan-live.pid"
/*
 * The check takes ~10 ms, but seconds on a loaded machine, and a program
 * stopped in the middle of it fails it ("Can't read directory entries
 * from /proc/N/task").  So racelab waits as long as the check gets on:
 * LSan's tracer (a child of the hook's thread, there only while the
 * check runs) exists, or the hook's thread uses or waits for a CPU.  A
 * check that stands still for LEAK_CHECK_IDLE (a program that blocks
 * it) is given up, and any after LEAK_CHECK_MAX.
 */
static const double LEAK_CHECK_IDLE = 1.0, LEAK_CHECK_MAX = 30.0;

static char *marker_path(const struct rl_run *run)
{
    return xasprintf("%s/" LEAK_MARKER, run->workdir);
}

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
    char *marker = marker_path(run);
    unlink(marker); /* only this run's check counts */
    rl_strv_pushf(&run->env, "%s=%s", RL_LEAK_MARKER_ENV, marker);
    free(marker);
    rl_strv_push(&run->argv, run->exe);
    for (size_t i = 0; run->program_args && run->program_args[i]; i++)
        rl_strv_push(&run->argv, run->program_args[i]);
    /* ASan reserves terabytes of shadow address space too. */
    run->sandbox.address_limit_ok = 0;
    return 0;
}

/*
 * Before a run that has not exited is stopped: asks the program for a
 * leak report now and waits (a little) until the hook says it is
 * written.  The signal goes to the hook's thread alone, so a program
 * that unblocked it elsewhere is not killed by it.
 */
static int count_child(pid_t pid, void *arg)
{
    (void)pid;
    ++*(int *)arg;
    return 0;
}

/* Is the check under way?  *cpu: the hook thread's CPU ticks so far. */
static int check_busy(pid_t pid, pid_t tid, unsigned long long *cpu)
{
    char path[96];
    struct rl_proc_stat st;
    snprintf(path, sizeof path, "/proc/%d/task/%d/stat", (int)pid, (int)tid);
    if (rl_proc_stat_read(path, &st) != 0)
        return 0; /* the thread is gone: nothing more will come */
    int tracers = 0;
    rl_proc_thread_children(pid, tid, count_child, &tracers);
    unsigned long long now = st.utime + st.stime;
    int busy = tracers > 0 || st.state == 'R' || now != *cpu;
    *cpu = now;
    return busy;
}

static void asan_before_stop(struct rl_run *run,
                             const struct rl_watch_info *info)
{
    pid_t pid = info->program_pid;
    pid_t tid = rl_proc_find_thread(pid, RL_LEAK_THREAD);
    if (!tid || syscall(SYS_tgkill, pid, tid, RL_LEAK_SIGNAL) != 0)
        return;
    char *marker = marker_path(run);
    struct timespec step = {0, 10 * 1000 * 1000};
    unsigned long long cpu = 0;
    double start = rl_now(), last_busy = start;
    while (access(marker, F_OK) != 0 && rl_now() - start < LEAK_CHECK_MAX) {
        if (check_busy(pid, tid, &cpu))
            last_busy = rl_now();
        else if (rl_now() - last_busy >= LEAK_CHECK_IDLE)
            break;
        nanosleep(&step, NULL);
    }
    free(marker);
}

/* The pid (the program's own view) whose live leak check completed, or
 * 0 when none did. */
static int live_check_pid(const struct rl_run *run)
{
    char *marker = marker_path(run);
    FILE *f = fopen(marker, "r");
    int pid = 0;
    free(marker);
    if (!f)
        return 0;
    if (fscanf(f, "%d", &pid) != 1)
        pid = 0;
    fclose(f);
    return pid;
}

/* A stack of a report and its user frame. */
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
    struct rl_san_side use, freed, alloc;
    char key[1200], a[512] = "", b[512] = "", what[512];
    int fresh;
    rl_san_side_find(&use, first_stack(r), run->sources);
    rl_san_side_find(&freed, rl_san_find_section(r, "freed by "), run->sources);
    rl_san_side_find(&alloc, rl_san_find_section(r, "previously allocated "),
                     run->sources);
    if (!use.frame && !freed.frame)
        return;
    if (use.frame)
        rl_san_place(a, sizeof a, use.file, use.frame);
    if (freed.frame)
        rl_san_place(b, sizeof b, freed.file, freed.frame);
    snprintf(key, sizeof key, "use-after-free|%s|%s", a, b);
    struct rl_finding *f = rl_san_collect(c, key, "use-after-free", &fresh);
    rl_san_side_add(f, &use);
    rl_san_side_add(f, &freed);
    if (!fresh)
        return;
    if (twice || use.sec->heading[0] == '\0')
        snprintf(what, sizeof what, "freed again");
    else
        rl_san_clean_heading(what, sizeof what, use.sec->heading);
    rl_san_side_detail(f, what, &use);
    if (freed.sec) { /* "freed by thread T0 here:" */
        rl_san_clean_heading(what, sizeof what, freed.sec->heading);
        rl_san_side_detail(f, what, &freed);
    }
    rl_san_side_detail(f, "allocated", &alloc);
}

/* Each "Direct leak of N byte(s) in M object(s) allocated from:" is one
 * leak; indirect leaks are blocks reachable only from a direct one, so
 * freeing the direct one fixes them: not reported. */
static void map_leaks(const struct rl_san_report *r, struct rl_san_collector *c,
                      const struct rl_run *run)
{
    for (size_t i = 0; i < r->nsections; i++) {
        const char *h = r->sections[i].heading;
        struct rl_san_side s;
        char key[600], place[512], what[512];
        int fresh;
        if (strncmp(h, "Direct leak of ", 15) != 0)
            continue;
        rl_san_side_find(&s, &r->sections[i], run->sources);
        if (!s.frame)
            continue;
        rl_san_place(place, sizeof place, s.file, s.frame);
        snprintf(key, sizeof key, "memory-leak|%s", place);
        struct rl_finding *f = rl_san_collect(c, key, "memory-leak", &fresh);
        rl_san_side_add(f, &s);
        if (fresh) {
            /* "32 byte(s) in 2 object(s)", from "Direct leak of 32 ..." */
            const char *size = h + 15, *from = strstr(size, " allocated");
            int n = from ? (int)(from - size) : (int)strlen(size);
            snprintf(what, sizeof what, "%.*s never freed, allocated", n, size);
            rl_san_side_detail(f, what, &s);
        }
    }
}

static void map_report(const struct rl_san_report *r,
                       struct rl_san_collector *c, const struct rl_run *run,
                       int live_pid)
{
    if (strcmp(r->tool, "AddressSanitizer") == 0) {
        if (strcmp(r->kind, "heap-use-after-free") == 0)
            map_use_after_free(r, 0, c, run);
        else if (strcmp(r->kind, "attempting double-free") == 0)
            map_use_after_free(r, 1, c, run);
        /* Overflows, bad frees and crashes name no failure mode of ours. */
    } else if (strcmp(r->tool, "LeakSanitizer") == 0) {
        /* A program stopped from outside never reached its exit: what
         * it still held was not leaked.  But the live check of a hung
         * program, asked for before the stop, lists only blocks that no
         * thread could reach any more: those were. */
        if (run->result.exited || (live_pid > 0 && r->pid == live_pid))
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
    const char *fatal = NULL, *leak_check_failed = NULL;
    int live_pid = live_check_pid(run);
    if (rl_san_parse_logs(run->workdir, "asan", &reps, NULL, err, errlen))
        return -1;
    for (size_t i = 0; i < reps.n; i++) {
        /* LeakSanitizer stops every thread with ptrace for its check: a
         * program that forbids ptrace to itself (seccomp), or a thread
         * racing the check, fails it.  The program's doing. */
        if (reps.v[i].fatal && strcmp(reps.v[i].tool, "LeakSanitizer") == 0)
            leak_check_failed = reps.v[i].tool;
        else if (reps.v[i].fatal && !fatal)
            fatal = reps.v[i].tool;
        else if (!reps.v[i].fatal)
            map_report(&reps.v[i], &c, run, live_pid);
    }
    rl_san_collect_finish(&c, out);
    /* As for ThreadSanitizer (tool_tsan.c): the run's, not racelab's. */
    if (fatal)
        snprintf(run->tool_failed, sizeof run->tool_failed,
                 "%s failed in the program (a fatal error of its own)", fatal);
    else if (leak_check_failed) {
        snprintf(run->tool_failed, sizeof run->tool_failed,
                 "its leak check failed in the program (LeakSanitizer "
                 "could not stop its threads)");
        run->tool_failed_id = "memory-leak"; /* the rest was seen live */
    }
    rl_san_reports_free(&reps);
    return 0;
}

const struct rl_tool rl_tool_asan = {
    .name = "asan",
    .variant = RL_VARIANT_ASAN,
    .prepare = asan_prepare,
    .parse = asan_parse,
    .before_stop = asan_before_stop,
};
