/* report.h: print findings for people (text) and for programs (JSON). */
#ifndef RACELAB_REPORT_H
#define RACELAB_REPORT_H

#include <jansson.h>
#include <stdio.h>
#include "engine/finding.h"
#include "engine/sources.h"

/* One run of one tool, as the report lists it. */
struct rl_run_summary {
    const char *tool;
    int exit_status; /* exit status, or 128+signal, or -1 if none */
    double wall_seconds;
    int timed_out;
    const char *note;         /* e.g. "stopped: deadlock seen", or NULL */
    char *const *command;     /* what ran, NULL-terminated, or NULL */
    char *const *environment; /* "NAME=value" added for it, or NULL */
};

/* One compilation of the user's program. */
struct rl_build_summary {
    const char *variant;  /* "plain", "tsan", "asan" */
    char *const *command; /* the compiler's argv, NULL-terminated */
    double wall_seconds;
    int ok; /* 1 when it compiled */
};

struct rl_report {
    const char *program;                /* e.g. "counter.c" or "a.c b.c" */
    const struct rl_sources *sources;   /* to quote the user's lines */
    const struct rl_findings *findings; /* already merged and filtered */
    const struct rl_run_summary *runs;
    size_t nruns;
    const struct rl_build_summary *builds; /* may be NULL */
    size_t nbuilds;
};

/* One block per finding: ID and title, locations with the code on each
 * line, tools, detail, explanation, fix; then a one-line summary. */
void rl_report_text(FILE *out, const struct rl_report *r);

/* Writes the --json document:
 * {"program", "findings": [{"id", "title", "tools", "locations":
 *  [{"file", "line", "function"}], "explanation", "fix", "detail"}],
 *  "runs": [{"tool", "exit_status", "wall_seconds", "timed_out", "note",
 *  "command", "environment"}], "builds": [{"variant", "command",
 *  "wall_seconds", "ok"}]}; "command" and "environment" let anyone rerun
 *  a tool by hand, as scripts/bench.sh does to time the bare tools. */
int rl_report_json(const char *path, const struct rl_report *r, char *err,
                   size_t errlen);

/* One finding block exactly as rl_report_text prints it (racelab grade
 * shows the blocks under the check they fail); r gives the sources. */
void rl_report_text_finding(FILE *out, const struct rl_report *r,
                            const struct rl_finding *f);

/* The JSON object of one finding, as in the --json "findings" list; NULL
 * with err filled for an ID the failure-mode table lacks. */
json_t *rl_report_json_finding(const struct rl_finding *f, char *err,
                               size_t errlen);

/* A JSON string, or null for NULL; bytes that are not UTF-8 (a compiler's
 * message may quote a Latin-1 source line) become '?' instead of the
 * string being refused. */
json_t *rl_report_json_string(const char *s);

/* Writes any JSON document to path ("-": standard output) so that a
 * reader never sees half of it. */
int rl_report_json_write(json_t *doc, const char *path, char *err,
                         size_t errlen);

#endif
