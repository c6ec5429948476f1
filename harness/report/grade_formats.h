/* grade_formats.h: the output formats of `racelab grade`, one file each
 * (grade_text.c, grade_json.c) and one row each in grade_formats.c. */
#ifndef RACELAB_GRADE_FORMATS_H
#define RACELAB_GRADE_FORMATS_H

#include <stddef.h>

#include "grade/grade_judge.h"

/* Writes the grade to path ("-": standard output); 0, or -1 with err
 * filled (the file may then hold what could be written). */
typedef int rl_grade_emit_fn(const struct rl_grade_result *r, const char *path,
                             char *err, size_t errlen);

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
};

/* Every format, ended by a row of NULLs. */
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
 * scores line (docs/formats.md). */
rl_grade_emit_fn rl_grade_gradescope;
rl_grade_emit_fn rl_grade_prairielearn;
rl_grade_emit_fn rl_grade_autolab;

#endif
