/* finding.h: one concurrency bug found in a program, and lists of them. */
#ifndef RACELAB_FINDING_H
#define RACELAB_FINDING_H

#include <stddef.h>

enum { RL_MAX_TOOLS = 8 };

/* A place in the user's own source: never a libc or runtime frame. */
struct rl_location {
    char *file; /* as the user named it on the command line */
    int line;
    char *function; /* may be NULL when unknown */
};

/*
 * A finding as a tool (or the harness's probes) saw it.  Parsers fill id,
 * tools (their own name), locations and, when they have evidence worth
 * showing (a lock cycle, growth figures), detail.  Title, explanation and
 * fix text come from the failure-mode table (failure_modes.h), by id.
 */
/* One step of a seeded schedule (racelab check --schedules), as shown. */
struct rl_trace_step {
    int thread;   /* 0 is main, then creation order */
    char *op;     /* "read", "write", "lock", ... */
    char *file;   /* the user's file, or NULL */
    int line;     /* 0 when unknown */
    char *detail; /* "cnt = 1", "lock_a", ... */
    int losing;   /* nonzero on the step that lost (sched_trace.h) */
    /* The scheduler's own numbering, for stepping and pictures: the raw
     * step index (what --choices names) and the threads (0..63) that
     * were runnable when this step's thread was picked. */
    long long raw;
    unsigned long long runnable;
    /* For pictures and stepping, never parsed from detail: the variable,
     * lock or semaphore the step is about ("cnt", "lock_a", "mem#2"), or
     * NULL; and for an access, the value read or written ("2"), or NULL. */
    char *object;
    char *value;
};

/* A blocked thread at a deadlock: who it waits for (the wait-for graph
 * that report/picture_html.c draws). */
struct rl_wait_edge {
    char *waiter; /* the blocked thread, as the finding names it ("T1") */
    char *holder; /* the thread it waits for, or NULL (nobody holds it) */
    char *object; /* what it waits on: "lock_b", "mutex m", "T2" */
    int in_cycle; /* 1 on the edges of the wait-for cycle */
};

/* What the marked step of a finding's trace (rl_trace_step.losing) is. */
enum rl_losing {
    RL_LOSING_NONE,
    RL_LOSING_STALE,  /* a store of a value read before another's store */
    RL_LOSING_RACE,   /* the second of an unsynchronized pair */
    RL_LOSING_FAILED, /* the step after which the program failed */
};

/* "main" for thread 0, then "T1", "T2"...: how traces name threads. */
void rl_trace_thread_name(char *buf, size_t len, int t);

/* rl_finding.flags */
enum {
    /* Seen in an exit-time report only (the probe's and memcheck's "still
     * open at exit", thread leaks at exit): what the program still held
     * when it ended, which for a server that was stopped or crashed says
     * little.  Merging keeps it only when every part had it. */
    RL_FINDING_AT_EXIT = 1,
    /* A race one of whose accesses is free itself (TSan counts free as a
     * write of the block): the use-after-free seen by a race detector. */
    RL_FINDING_FREE_ACCESS = 2,
    /* A deadlock of one thread that waits for a lock it holds itself
     * (the probe saw the lock among its own): explained as such, not as a
     * lock-order cycle (failure_modes.h, rl_failure_mode_explain). */
    RL_FINDING_SELF_DEADLOCK = 4,
    /* A livelock whose threads keep meeting at a barrier: its fix is
     * not a random back-off, which the barrier undoes every round. */
    RL_FINDING_LOCKSTEP_BARRIER = 8,
    /* A starved reader: writer preference is its cause, not its fix. */
    RL_FINDING_READER_STARVED = 16,
};

/* What a race was on, as the tool named it (TSan's "Location is ..."). */
enum rl_location_kind {
    RL_LOCATION_UNKNOWN = 0,
    RL_LOCATION_GLOBAL,
    RL_LOCATION_HEAP,
    RL_LOCATION_STACK,
    RL_LOCATION_TLS,
    RL_LOCATION_FD, /* a file descriptor: fd says which */
};

/* One thread's side of a finding seen from two stacks (a race's access
 * and the previous one, a use after free and the free): what that thread
 * did and its stack's frames in the user's files, innermost first.  The
 * reports that draw each thread (SARIF's threadFlows) read these; the
 * text keeps one line per side in detail. */
struct rl_side {
    char *what; /* "write of size 8 by thread T12" */
    struct rl_location *frames;
    size_t nframes;
};

struct rl_finding {
    char id[32];  /* a failure-mode ID, e.g. "data-race" */
    char *detail; /* extra evidence text, or NULL */
    struct rl_location *locs;
    size_t nlocs;
    char *tools[RL_MAX_TOOLS]; /* tool names, no duplicates */
    size_t ntools;
    /* Added for the seeded scheduler: the failing seed and its steps. */
    long long seed;
    int has_seed;
    struct rl_trace_step *trace; /* NULL when none */
    size_t ntrace;
    struct rl_wait_edge *waits; /* a deadlock's blocked threads, or NULL */
    size_t nwaits;
    /* Facts for later stages to test, never parsed back from detail
     * (which is for people).  Not part of any report. */
    unsigned flags;                      /* RL_FINDING_* */
    int thread;                          /* 1 is main, then creation order
                                          * (the probe's "thread N"); -1 */
    int fd;                              /* the descriptor it is about; -1 */
    enum rl_location_kind location_kind; /* data races (tsan) */
    char *run;             /* the run that saw it first, e.g. "probe-1" */
    char *scenario;        /* the server scenario it came from, or NULL */
    struct rl_side *sides; /* NULL when the tool saw one stack or none */
    size_t nsides;
};

struct rl_findings {
    struct rl_finding *v;
    size_t n, cap;
};

/* Appends a new empty finding with this id, seen by this tool (no facts:
 * flags 0, thread and fd -1). */
struct rl_finding *rl_findings_add(struct rl_findings *list, const char *id,
                                   const char *tool);
/* Adds a location unless the finding already has the same file:line. */
void rl_finding_add_location(struct rl_finding *f, const char *file, int line,
                             const char *function);
/* Adds a tool name unless already listed. */
void rl_finding_add_tool(struct rl_finding *f, const char *tool);
/* Replaces the detail text (copied). */
void rl_finding_set_detail(struct rl_finding *f, const char *detail);
/* Appends one line to the detail text (copied). */
void rl_finding_append_detail(struct rl_finding *f, const char *line);
int rl_finding_has_tool(const struct rl_finding *f, const char *tool);
/* Appends one trace step (strings copied; file and detail may be NULL). */
void rl_finding_add_step(struct rl_finding *f, int thread, const char *op,
                         const char *file, int line, const char *detail,
                         int losing);
/* Names the object and value of the last step added (copied; NULL ok). */
void rl_finding_step_object(struct rl_finding *f, const char *object,
                            const char *value);
/* Appends one blocked thread of a deadlock (strings copied). */
void rl_finding_add_wait(struct rl_finding *f, const char *waiter,
                         const char *holder, const char *object, int in_cycle);
int rl_finding_has_location(const struct rl_finding *f, const char *file,
                            int line);
/* Appends a side that did `what` (copied), with no frames yet. */
struct rl_side *rl_finding_add_side(struct rl_finding *f, const char *what);
/* Appends a frame (copied; function may be NULL) to a side's stack. */
void rl_side_add_frame(struct rl_side *s, const char *file, int line,
                       const char *function);
/* Replaces the scenario (copied; NULL clears it). */
void rl_finding_set_scenario(struct rl_finding *f, const char *scenario);
/* Folds b's facts into a's when a finding absorbs another: what a does
 * not know it takes from b; RL_FINDING_AT_EXIT stays only if both had it,
 * since a bug also seen while the program ran is no exit-time report. */
void rl_finding_merge_facts(struct rl_finding *a, const struct rl_finding *b);
/* Names the run of list->v[from..] that have none yet (copied). */
void rl_findings_set_run(struct rl_findings *list, size_t from,
                         const char *run);

/* Moves every finding of src to the end of dst; src is left empty. */
void rl_findings_take(struct rl_findings *dst, struct rl_findings *src);
/* Removes finding i, keeping the order of the rest. */
void rl_findings_remove(struct rl_findings *list, size_t i);
int rl_findings_count_id(const struct rl_findings *list, const char *id);
void rl_findings_free(struct rl_findings *list);

#endif
