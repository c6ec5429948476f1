/* grade_formats.c: the table of `racelab grade`'s output formats, and of
 * `racelab check`'s beyond its text and --json (a row's check_emit); a
 * new format is a file with its emitters and a row here, and both
 * commands take its option and usage line from the row. */
#include <string.h>

#include "report/grade_formats.h"

const struct rl_grade_format rl_grade_formats[] = {
    {"text", rl_grade_text, NULL, NULL},
    {"json", rl_grade_json, "json",
     "also write the grade as JSON (\"-\": standard output)"},
    {"gradescope", rl_grade_gradescope, "gradescope",
     "also write Gradescope's results.json to FILE (rewritten after each "
     "run: a late kill leaves partial results)",
     .partial = 1},
    {"prairielearn", rl_grade_prairielearn, "prairielearn",
     "also write PrairieLearn's results.json to FILE (rewritten after "
     "each run, as Gradescope's)",
     .partial = 1},
    {"junit", rl_grade_junit, "junit", "also write JUnit XML to FILE",
     .check_emit = rl_check_junit},
    {"sarif", rl_grade_sarif, "sarif", "also write SARIF 2.1.0 to FILE",
     .check_emit = rl_check_sarif},
    /* After stderr's diagnostics, which its fence covers, and before
     * Autolab's line, which must stay last. */
    {"github", rl_grade_github, "github",
     "print GitHub Actions annotations last on stdout", 1, .no_file = 1,
     .begin = rl_github_begin, .check_emit = rl_check_github},
    /* Last on stdout, after stderr's diagnostics: Autolab reads the last
     * line of the job's output. */
    {"autolab", rl_grade_autolab, "autolab",
     "print Autolab's scores line last (FILE \"-\": stdout)", 1},
    {NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL},
};

const struct rl_grade_format *rl_grade_format_find(const char *name)
{
    for (const struct rl_grade_format *f = rl_grade_formats; f->name; f++)
        if (strcmp(f->name, name) == 0)
            return f;
    return NULL;
}
