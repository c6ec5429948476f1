/* grade_formats.h: the output formats of `racelab grade` (and those of
 * `racelab check` beyond its text and --json), one file each (grade_text.c,
 * grade_json.c, grade_junit.c, ...) and one row each in grade_formats.c. */
#ifndef RACELAB_GRADE_FORMATS_H
#define RACELAB_GRADE_FORMATS_H

#include <stddef.h>

#include "grade/grade_judge.h"
#include "report/report.h"

/* Writes the grade to path ("-": standard output); 0, or -1 with err
 * filled (the file may then hold what could be written). */
typedef int rl_grade_emit_fn(const struct rl_grade_result *r, const char *path,
                             char *err, size_t errlen);

/* The same format for `racelab check`: its findings, one testcase or
 * result or annotation each; a check that could not run (the program
 * did not compile) still gets its file, saying why from r->diag. */
typedef int rl_check_emit_fn(const struct rl_report *r, const char *path,
                             char *err, size_t errlen);

/* Called once before racelab prints anything, for a format asked for
 * (path as given): what it must say ahead of all other output. */
typedef void rl_format_begin_fn(const char *path);

struct rl_grade_format {
    const char *name; /* e.g. "json" */
    rl_grade_emit_fn *emit;
    /* Its option of `racelab grade`: "--json FILE" writes this format to
     * FILE; NULL for the report always printed on standard output. */
    const char *option;
    const char *help; /* the option's line in the usage text */
    /* 1: written after racelab's diagnostics on stderr, as the very last
     * output (Autolab's scores line). */
    int last;
    /* 1: the option takes no FILE ("--github"); the format goes to
     * standard output. */
    int no_file;
    /* 1: also written, as a partial grade, after each run but the last
     * (a platform that kills racelab late still finds results); its file
     * must be replaced atomically (rl_report_json_write is). */
    int partial;
    rl_format_begin_fn *begin;    /* or NULL */
    rl_check_emit_fn *check_emit; /* racelab check's, or NULL: not there */
};

/* Every format, ended by a row of NULLs; at most RL_MAX_FORMATS rows. */
enum { RL_MAX_FORMATS = 16 };
extern const struct rl_grade_format rl_grade_formats[];

/* The format of that name, or NULL. */
const struct rl_grade_format *rl_grade_format_find(const char *name);

/* The report a student reads: a line per check, the runs, the score. */
rl_grade_emit_fn rl_grade_text;
/* {"lab", "score", "max_score", "checks": [{"name", "points",
 * "max_points", "passed", "findings", "message", "report_only"}]}, the
 * findings as in `racelab check --json` (docs/rubric.md). */
rl_grade_emit_fn rl_grade_json;

/* One check's block as rl_grade_text prints it (free it). */
char *rl_grade_text_check(const struct rl_grade_result *r, size_t i);
/* The whole text report as a string (free it). */
char *rl_grade_text_string(const struct rl_grade_result *r);
/* Gradescope's results.json, PrairieLearn's results.json, Autolab's
 * scores line (docs/platforms.md). */
rl_grade_emit_fn rl_grade_gradescope;
rl_grade_emit_fn rl_grade_prairielearn;
rl_grade_emit_fn rl_grade_autolab;

/* JUnit XML (grade_junit.c): one testcase per check; for check, one per
 * finding. */
rl_grade_emit_fn rl_grade_junit;
rl_check_emit_fn rl_check_junit;
/* SARIF 2.1.0 (grade_sarif.c): a rule per failure-mode ID found, a result
 * per finding. */
rl_grade_emit_fn rl_grade_sarif;
rl_check_emit_fn rl_check_sarif;
/* GitHub Actions workflow commands (grade_github.c): what racelab prints
 * before them is fenced off by ::stop-commands::, then an ::error per
 * finding (and per failed check with none). */
rl_format_begin_fn rl_github_begin;
rl_grade_emit_fn rl_grade_github;
rl_check_emit_fn rl_check_github;

#endif
