/* report.h: print findings for people (text) and for programs (JSON). */
#ifndef RACELAB_REPORT_H
#define RACELAB_REPORT_H

#include <jansson.h>
#include <stdio.h>
#include "engine/diagnostics.h"
#include "engine/finding.h"
#include "engine/runner.h"
#include "engine/sources.h"

/* One compilation of the user's program. */
struct rl_build_summary {
    const char *variant;  /* "plain", "tsan", "asan" */
    char *const *command; /* the compiler's argv, NULL-terminated */
    double wall_seconds;
    int ok; /* 1 when it compiled */
    /* How its compiler was confined (its own uid, or as root and why),
     * or NULL if unknown. */
    const char *isolation;
};

struct rl_report {
    const char *program;                /* e.g. "counter.c" or "a.c b.c" */
    const struct rl_sources *sources;   /* to quote the user's lines */
    const struct rl_findings *findings; /* already merged and filtered */
    const struct rl_run_summary *runs;
    size_t nruns;
    const struct rl_build_summary *builds; /* may be NULL */
    size_t nbuilds;
    /* Added for the seeded scheduler and the pipeline's diagnostics;
     * zero or NULL leaves them out. */
    int trace_all; /* show every step of a trace, not only the last
                      RL_TRACE_ROWS_DEFAULT (a replay, --trace) */
    const struct rl_findings *passing; /* --trace: passing seeds' steps */
    const struct rl_diagnostics *diag; /* what went wrong, or NULL */
};

/* One block per finding: ID and title, locations with the code on each
 * line, tools, detail, explanation, fix; then a one-line summary. */
void rl_report_text(FILE *out, const struct rl_report *r);

/* Writes the --json document:
 * {"program", "findings": [{"id", "title", "tools", "locations":
 *  [{"file", "line", "function"}], "explanation", "fix", "detail"}],
 *  "runs": [{"tool", "exit_status", "wall_seconds", "timed_out", "note",
 *  "command", "environment"}], "builds": [{"variant", "command",
 *  "wall_seconds", "ok"}], "diagnostics": [{"level", "tool",
 *  "message"}]}; "command" and "environment" let anyone rerun a tool by
 *  hand, as scripts/bench.sh does to time the bare tools. */
int rl_report_json(const char *path, const struct rl_report *r, char *err,
                   size_t errlen);

/* The diagnostics as racelab has always said them on stderr, one
 * "racelab: ..." line (or block, for a compiler's output) each. */
void rl_report_diagnostics(FILE *out, const struct rl_diagnostics *d);

/* One finding block exactly as rl_report_text prints it (racelab grade
 * shows the blocks under the check they fail); r gives the sources. */
void rl_report_text_finding(FILE *out, const struct rl_report *r,
                            const struct rl_finding *f);

/* The JSON object of one finding, as in the --json "findings" list; NULL
 * with err filled for an ID the failure-mode table lacks. */
json_t *rl_report_json_finding(const struct rl_finding *f, char *err,
                               size_t errlen);

/* The "diagnostics" list: [{"level", "tool", "message"}]. */
json_t *rl_report_json_diagnostics(const struct rl_diagnostics *d);

/* A JSON string, or null for NULL; bytes that are not UTF-8 (a compiler's
 * message may quote a Latin-1 source line) become '?' instead of the
 * string being refused. */
json_t *rl_report_json_string(const char *s);

/* Writes any JSON document to path ("-": standard output) so that a
 * reader never sees half of it. */
int rl_report_json_write(json_t *doc, const char *path, char *err,
                         size_t errlen);

#endif
