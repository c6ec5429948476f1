/* tool_probe.c: racelab's own probe: a preloaded library plus /proc, for
 * what the other tools cannot see (hangs, leaks at exit, signal misuse). */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "probe/connfd_analysis.h"
#include "probe/probe_analysis.h"
#include "lib/clock.h"
#include "lib/procfs.h"
#include "tools/exe_data.h"
#include "tools/probe_stacks.h"
#include "tools/symbolize.h"
#include "tools/tool.h"
#include "tools/tool_probe.h"
#include "lib/guarded_map.h"
#include "lib/xalloc.h"

/* How often the watcher looks: often enough to stop a deadlock soon after
 * DEADLOCK_QUIET_S, rarely enough to cost nothing. */
#define WATCH_INTERVAL_S 0.1

struct probe_state {
    char *table_path;
    const struct rlp_shm *table; /* mapped read-only once it exists */
    struct rl_hang_watch watch;
    struct rl_exe_data data; /* its globals when a hang was decided */
};

static void state_free(struct probe_state *st)
{
    if (!st)
        return;
    if (st->table)
        rl_guarded_unmap(st->table, sizeof *st->table);
    rl_hang_watch_free(&st->watch);
    rl_exe_data_free(&st->data);
    free(st->table_path);
    free(st);
}

/* The table, once the probe in the program has created it. */
static const struct rlp_shm *map_table(struct probe_state *st)
{
    if (st->table)
        return st->table;
    int fd = open(st->table_path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0)
        return NULL;
    if (fstat(fd, &sb) == 0 && (size_t)sb.st_size >= sizeof *st->table) {
        /* The program owns the file and may cut it under us: guarded. */
        st->table = rl_guarded_map(fd, sizeof *st->table);
    }
    close(fd);
    return st->table;
}

/* A table the probe has set up, but for another layout than this
 * harness's: an old racelab-probe.so beside a new racelab. */
static int wrong_version(const struct rlp_shm *m)
{
    return __atomic_load_n(&m->magic, __ATOMIC_ACQUIRE) == RLP_MAGIC &&
           m->version != RLP_VERSION;
}

const struct rlp_shm *rl_probe_table(const struct rl_run *run)
{
    if (run->tool != &rl_tool_probe || !run->state)
        return NULL;
    const struct rlp_shm *m = map_table(run->state);
    return m && !wrong_version(m) ? m : NULL;
}

/* At the final look, also where each thread waits (probe_stacks.h): a
 * program about to be stopped unfinished is told where it stood. */
static void read_task(pid_t pid, const char *tid, struct rl_probe_sample *s,
                      const struct rl_exe_code *code)
{
    char path[128], buf[4096];
    struct rl_task *t = &s->tasks[s->ntasks];
    snprintf(path, sizeof path, "/proc/%d/task/%s/stat", (int)pid, tid);
    const char *p = rl_proc_read(path, buf, sizeof buf) > 0
                        ? rl_proc_stat_fields(buf)
                        : NULL;
    if (!p)
        return; /* ended meanwhile */
    t->state = *p;
    snprintf(path, sizeof path, "/proc/%d/task/%s/status", (int)pid, tid);
    if (rl_proc_read(path, buf, sizeof buf) <= 0 ||
        (t->ns_tid = (int32_t)rl_proc_ns_pid(buf)) < 0)
        return;
    t->syscall = -1;
    if (code)
        rl_task_read_wait(pid, tid, code, s->shm.exe_base, t);
    s->ntasks++;
}

static void read_tasks(pid_t pid, struct rl_probe_sample *s)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *e;
    struct rl_exe_code code;
    int stacks = s->final && rl_exe_code_read(pid, &code) == 0;
    s->have_tasks = 1;
    while ((e = readdir(d)) && s->ntasks < RLP_MAX_THREADS)
        if (e->d_name[0] != '.')
            read_task(pid, e->d_name, s, stacks ? &code : NULL);
    closedir(d);
}

/* Caught signals other than glibc's own (32: cancellation, 33: setxid). */
static int has_handlers(pid_t pid)
{
    unsigned long long mask;
    if (rl_proc_status_mask(pid, "SigCgt", &mask) != 0)
        return 0;
    mask &= ~(3ull << 31); /* bits 31, 32: signals 32 and 33 */
    return mask != 0;
}

/* 1 for a child process that is not a zombie: stops the walk. */
static int is_live(pid_t child, void *arg)
{
    char st = rl_proc_state(child);
    return st && st != 'Z' && st != 'X';
}

/* 1 when the program has a child process that is not a zombie. */
static int has_live_children(pid_t pid)
{
    return rl_proc_children(pid, is_live, NULL) > 0;
}

/* The sandbox's watch callback: sample, and stop on a verdict. */
static int probe_watch(void *arg, const struct rl_watch_info *info)
{
    struct probe_state *st = arg;
    if (!info->program_pid || !map_table(st) || wrong_version(st->table))
        return 0;
    struct rl_probe_sample *s = xcalloc(1, sizeof *s);
    s->elapsed = info->elapsed;
    s->final = info->final;
    s->mono_ns = rl_now_ns();
    s->outside_wakers =
        has_handlers(info->program_pid) || has_live_children(info->program_pid);
    memcpy(&s->shm, st->table, sizeof s->shm);
    read_tasks(info->program_pid, s);
    /* 0 once gone, as for a program that has not run yet. */
    double cpu = rl_proc_cpu_seconds(info->program_pid, 0);
    s->cpu = cpu < 0 ? 0 : cpu;
    int stop = rl_hang_watch_feed(&st->watch, s);
    /* While it still hangs: the pointers to its locks on the heap.  Only
     * then: a copy from another moment could point elsewhere and name
     * the wrong lock. */
    if (stop && st->watch.verdict.kind != RL_HANG_NONE && !st->data.len)
        rl_exe_data_read(info->program_pid, &st->data);
    return stop;
}

static int probe_prepare(struct rl_run *run, char *err, size_t errlen)
{
    struct probe_state *st = xcalloc(1, sizeof *st);
    st->table_path = xasprintf("%s/probe.shm", run->workdir);
    unlink(st->table_path); /* a table from an earlier run would mislead */
    rl_hang_watch_init(&st->watch);
    rl_strv_push(&run->argv, run->exe);
    for (char *const *a = run->program_args; a && *a; a++)
        rl_strv_push(&run->argv, *a);
    rl_strv_pushf(&run->env, "LD_PRELOAD=%s/racelab-probe.so",
                  run->harness_dir);
    rl_strv_pushf(&run->env, "%s=%s", RLP_ENV_FILE, st->table_path);
    run->sandbox.watch = probe_watch;
    run->sandbox.watch_arg = st;
    run->sandbox.watch_interval = WATCH_INTERVAL_S;
    run->state = st;
    return 0;
}

/* The run never started: what prepare made goes. */
static void probe_cleanup(struct rl_run *run)
{
    state_free(run->state);
    run->state = NULL;
}

/* The table as the program left it (a copy in *out), or NULL when it
 * never ran.  -1 when a probe of another version wrote it (err says so). */
static int final_table(struct probe_state *st, struct rlp_shm **out, char *err,
                       size_t errlen)
{
    const struct rlp_shm *m = map_table(st);
    *out = NULL;
    if (!m || m->magic != RLP_MAGIC)
        return 0;
    if (m->version != RLP_VERSION) {
        snprintf(err, errlen,
                 "racelab-probe.so wrote a version %u table, this racelab "
                 "reads version %u: rebuild both (make)",
                 m->version, RLP_VERSION);
        return -1;
    }
    *out = xmalloc(sizeof **out);
    memcpy(*out, m, sizeof **out);
    return 0;
}

/*
 * A full table dropped what came after: findings may be missing.  Not for
 * --server runs: their last scenario connects RL_MANY_CLIENTS (200)
 * clients at once, so a thread-per-connection server always fills the
 * thread table, and the connection-thread checks are calibrated on the
 * threads that fit; the note would stand on every threaded server.
 */
static void note_overflow(const struct rlp_shm *table, struct rl_run *run)
{
    if (table->overflow && !run->server && run->note && !run->note[0])
        snprintf(run->note, run->notelen,
                 "the probe's tables filled up (over %d threads, %d locks "
                 "or %d events): some findings may be missing",
                 RLP_MAX_THREADS, RLP_MAX_LOCKS, RLP_MAX_EVENTS);
}

/* The last look at a program the timeout stopped unfinished, with no hang
 * class decided (a --server run is always stopped, on purpose), or NULL
 * when none (then the finding says less). */
static const struct rl_probe_sample *unfinished(const struct rl_run *run,
                                                const struct probe_state *st)
{
    if (!run->result.timed_out || run->server ||
        st->watch.verdict.kind != RL_HANG_NONE || !st->watch.nring)
        return NULL;
    return st->watch.ring[st->watch.nring - 1];
}

static int probe_parse(struct rl_run *run, struct rl_findings *out, char *err,
                       size_t errlen)
{
    struct probe_state *st = run->state;
    struct rlp_shm *table;
    if (final_table(st, &table, err, errlen) != 0) {
        state_free(st); /* nothing in it can be read: no findings */
        run->state = NULL;
        return -1;
    }
    const struct rl_hang_verdict *v = &st->watch.verdict;
    const struct rl_probe_sample *last = unfinished(run, st);
    struct rl_symbolizer *sym = rl_symbolizer_new(run->exe, run->sources);
    char serr[256];
    if (table) {
        rl_symbolizer_add_table(sym, table);
        rl_connfd_add_sites(sym, table);
    }
    if (v->kind != RL_HANG_NONE) {
        rl_symbolizer_add_table(sym, &v->before->shm);
        rl_symbolizer_add_table(sym, &v->now->shm);
    }
    if (table)
        rl_symbolizer_set_memory(sym, &st->data, table->exe_base);
    if (last) {
        rl_symbolizer_add_table(sym, &last->shm);
        for (size_t i = 0; i < last->ntasks; i++)
            rl_symbolizer_add_site(sym, &last->tasks[i].stack);
    }
    /* Without line numbers the findings still stand, only unplaced. */
    if (rl_symbolizer_run(sym, serr, sizeof serr) != 0)
        rl_diag_add(run->diag, RL_DIAG_WARNING, "probe", "%s", serr);
    rl_probe_hang_findings(v, sym, out);
    if (run->result.timed_out && !run->server && v->kind == RL_HANG_NONE)
        rl_probe_unfinished_findings(last, run->timeout, sym, out);
    if (table && v->kind != RL_HANG_DEADLOCK)
        rl_probe_inversion_findings(table, sym, out);
    if (table) {
        rl_probe_event_findings(table, sym, out);
        rl_connfd_findings(table, sym, out);
        note_overflow(table, run);
    }
    rl_symbolizer_free(sym);
    free(table);
    state_free(st);
    run->state = NULL;
    return 0;
}

const struct rl_tool rl_tool_probe = {
    .name = "probe",
    .variant = RL_VARIANT_PLAIN,
    /* It sees hangs as they happen (the watch), runs the plain build at
     * native speed, and disturbs the program least: the run whose
     * behaviour is graded. */
    .watches_hangs = 1,
    .native_speed = 1,
    .behaviour_reference = 1,
    .prepare = probe_prepare,
    .parse = probe_parse,
    .cleanup = probe_cleanup,
};
