/* picture.h: a schedule's interleaving and a deadlock's wait-for graph as
 * pictures: one self-contained HTML page (inline SVG, no network), and the
 * same events as Chrome Trace Event JSON (Perfetto, chrome://tracing). */
#ifndef RACELAB_PICTURE_H
#define RACELAB_PICTURE_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "engine/finding.h"

/* A stretch of one thread's rows: a lock held, or a wait. */
struct rl_picture_span {
    int thread;
    size_t from, to;    /* rows of the trace, to inclusive */
    const char *object; /* the lock or what it waits on */
    int depth;          /* locks held inside others: nesting level */
    int open;           /* still held / still waiting when the trace ends */
};

/* What both pictures draw of one trace, derived from its steps. */
struct rl_picture_model {
    int nthreads;
    size_t first; /* the first row drawn (long traces: the last rows) */
    struct rl_picture_span *holds, *waits;
    size_t nholds, nwaits;
};

/* Rows drawn at most (a livelock's trace keeps 2000). */
enum { RL_PICTURE_ROWS = 400, RL_PICTURE_THREADS = 64 };

void rl_picture_model_build(const struct rl_finding *f,
                            struct rl_picture_model *m);
void rl_picture_model_free(struct rl_picture_model *m);

/* The page: one section per finding (and per passing trace of a replay);
 * each with its detail, its lanes, its wait-for graph, its progress
 * graph where they apply.  Every program-supplied text is escaped. */
void rl_picture_html(FILE *out, const char *program,
                     const struct rl_findings *found,
                     const struct rl_findings *passing);

/* {"traceEvents": [...], "displayTimeUnit": "ns"}: one pid per trace, one
 * tid per thread, one step every 10 us of made-up time. */
json_t *rl_picture_trace_events(const struct rl_findings *found,
                                const struct rl_findings *passing);

/* Writes --html and --trace-json (either path may be NULL). */
int rl_picture_files(const char *html_path, const char *json_path,
                     const char *program, const struct rl_findings *found,
                     const struct rl_findings *passing, char *err,
                     size_t errlen);

#endif
