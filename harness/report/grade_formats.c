/* grade_formats.c: the table of `racelab grade`'s output formats; a new
 * format is a file with its emitter and a row here. */
#include <string.h>

#include "report/grade_formats.h"

const struct rl_grade_format rl_grade_formats[] = {
    {"text", rl_grade_text, NULL, NULL},
    {"json", rl_grade_json, "json",
     "also write the grade as JSON (\"-\": standard output)"},
    {"gradescope", rl_grade_gradescope, "gradescope",
     "also write Gradescope's results.json to FILE"},
    {"prairielearn", rl_grade_prairielearn, "prairielearn",
     "also write PrairieLearn's results.json to FILE"},
    /* Last on stdout, after stderr's diagnostics: Autolab reads the last
     * line of the job's output. */
    {"autolab", rl_grade_autolab, "autolab",
     "print Autolab's scores line last (FILE \"-\": stdout)", 1},
    {NULL, NULL, NULL, NULL, 0},
};

const struct rl_grade_format *rl_grade_format_find(const char *name)
{
    for (const struct rl_grade_format *f = rl_grade_formats; f->name; f++)
        if (strcmp(f->name, name) == 0)
            return f;
    return NULL;
}
