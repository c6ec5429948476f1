/* grade_formats.c: the table of `racelab grade`'s output formats; a new
 * format is a file with its emitter and a row here. */
#include <string.h>

#include "report/grade_formats.h"

const struct rl_grade_format rl_grade_formats[] = {
    {"text", rl_grade_text, NULL, NULL},
    {"json", rl_grade_json, "json",
     "also write the grade as JSON (\"-\": standard output)"},
    {NULL, NULL, NULL, NULL},
};

const struct rl_grade_format *rl_grade_format_find(const char *name)
{
    for (const struct rl_grade_format *f = rl_grade_formats; f->name; f++)
        if (strcmp(f->name, name) == 0)
            return f;
    return NULL;
}
