/* grade_platforms.c: the grade as course platforms read it: Gradescope's
 * and PrairieLearn's results.json and Autolab's scores line
 * (docs/platforms.md).  Each test's output is the check's block exactly as
 * the text report prints it (grade_text.c), already escaped there. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/grade_formats.h"
#include "report/report.h"

/* PrairieLearn refuses results over 1 MB (PL_LIMIT): each test's
 * message and output, all of them together and the whole report are cut
 * well below it, and written_size() makes sure. */
enum {
    PL_LIMIT = 1000 * 1000,
    PL_MESSAGE_CAP = 1024,
    PL_TEST_CAP = 16 * 1024,
    PL_TESTS_CAP = 320 * 1024,
    PL_OUTPUT_CAP = 256 * 1024, /* also Gradescope's, which states none */
};

static double execution_time(const struct rl_grade_result *r)
{
    double t = 0;
    for (size_t i = 0; i < r->nruns; i++)
        for (size_t j = 0; j < r->runs[i].ntools; j++)
            t += r->runs[i].tools[j].wall_seconds;
    return t;
}

/* Why the check failed in one line: its message or its first finding. */
static const char *check_reason(const struct rl_grade_check_result *c)
{
    if (c->message)
        return c->message;
    if (c->nfindings)
        return c->findings[0]->id;
    return rl_grade_check_passed(c) ? "passed" : "failed";
}

static json_t *capped_string(const char *s, size_t cap)
{
    size_t n = strlen(s);
    if (n <= cap)
        return rl_report_json_string(s);
    /* cut on a UTF-8 boundary */
    while (cap > 0 && ((unsigned char)s[cap] & 0xC0) == 0x80)
        cap--;
    char *cut = malloc(cap + 64);
    if (!cut)
        return json_string("");
    memcpy(cut, s, cap);
    snprintf(cut + cap, 64, "\n... (%zu more bytes dropped)\n", n - cap);
    json_t *j = rl_report_json_string(cut);
    free(cut);
    return j;
}

int rl_grade_gradescope(const struct rl_grade_result *r, const char *path,
                        char *err, size_t errlen)
{
    json_t *doc = json_object(), *tests = json_array();
    for (size_t i = 0; i < r->nchecks; i++) {
        const struct rl_grade_check_result *c = &r->checks[i];
        json_t *t = json_object();
        char number[32];
        snprintf(number, sizeof number, "%zu", i + 1);
        json_object_set_new(t, "name", rl_report_json_string(c->name));
        json_object_set_new(t, "number", json_string(number));
        /* report_only: informational, no score, status only */
        if (c->status != RL_GRADE_INFO) {
            json_object_set_new(t, "score", json_integer(c->points));
            json_object_set_new(t, "max_score", json_integer(c->max_points));
        }
        json_object_set_new(
            t, "status",
            json_string(rl_grade_check_passed(c) ? "passed" : "failed"));
        char *out = rl_grade_text_check(r, i);
        json_object_set_new(t, "output", capped_string(out, PL_OUTPUT_CAP));
        free(out);
        json_object_set_new(t, "output_format", json_string("text"));
        json_object_set_new(t, "visibility", json_string("visible"));
        json_array_append_new(tests, t);
    }
    char *all = rl_grade_text_string(r);
    json_object_set_new(doc, "score", json_integer(r->score));
    json_object_set_new(doc, "execution_time",
                        json_real((double)(long)(execution_time(r) * 10) / 10));
    json_object_set_new(doc, "output", capped_string(all, PL_OUTPUT_CAP));
    json_object_set_new(doc, "output_format", json_string("text"));
    json_object_set_new(doc, "visibility", json_string("visible"));
    json_object_set_new(doc, "tests", tests);
    free(all);
    int failed = rl_report_json_write(doc, path, err, errlen) != 0;
    json_decref(doc);
    return failed ? -1 : 0;
}

/* The whole document as rl_report_json_write writes it, in bytes. */
static size_t written_size(json_t *doc)
{
    return json_dumpb(doc, NULL, 0, JSON_INDENT(2)) + 1;
}

/* Past the budgets (a class of many checks, text that JSON escaping
 * doubles), the outputs go: the scores and messages stay. */
static void drop_outputs(json_t *doc)
{
    static const char note[] = "(output dropped: the results were over "
                               "PrairieLearn's 1 MB limit)";
    size_t i;
    json_t *t;
    json_object_set_new(doc, "output", json_string(note));
    json_array_foreach (json_object_get(doc, "tests"), i, t)
        json_object_set_new(t, "output", json_string(""));
}

int rl_grade_prairielearn(const struct rl_grade_result *r, const char *path,
                          char *err, size_t errlen)
{
    json_t *doc = json_object(), *tests = json_array();
    /* All tests' messages and outputs together share one budget. */
    size_t room = PL_TESTS_CAP;
    for (size_t i = 0; i < r->nchecks; i++) {
        const struct rl_grade_check_result *c = &r->checks[i];
        json_t *t = json_object();
        json_object_set_new(t, "name", rl_report_json_string(c->name));
        json_object_set_new(t, "description",
                            json_string(c->status == RL_GRADE_INFO
                                            ? "report only, not scored"
                                            : "rubric check"));
        json_object_set_new(t, "points", json_integer(c->points));
        json_object_set_new(
            t, "max_points",
            json_integer(c->status == RL_GRADE_INFO ? 0 : c->max_points));
        const char *reason = check_reason(c);
        size_t cap = room < PL_MESSAGE_CAP ? room : PL_MESSAGE_CAP;
        json_object_set_new(t, "message", capped_string(reason, cap));
        room -= strlen(reason) < cap ? strlen(reason) : cap;
        char *out = rl_grade_text_check(r, i);
        cap = room < PL_TEST_CAP ? room : PL_TEST_CAP;
        json_object_set_new(t, "output", capped_string(out, cap));
        room -= strlen(out) < cap ? strlen(out) : cap;
        free(out);
        json_array_append_new(tests, t);
    }
    char *all = rl_grade_text_string(r);
    char message[192];
    snprintf(message, sizeof message, "racelab grade %s: %d/%d%s%s", r->lab,
             r->score, r->max_score,
             r->npending ? " (GRADING DID NOT FINISH: a partial result)" : "",
             r->nenvironment ? " (ENVIRONMENT FAULT: this machine could not "
                               "run every tool, see the output)"
                             : "");
    json_object_set_new(doc, "gradable", json_true());
    json_object_set_new(
        doc, "score",
        json_real(r->max_score > 0 ? (double)r->score / r->max_score : 0.0));
    json_object_set_new(doc, "message", json_string(message));
    json_object_set_new(doc, "output", capped_string(all, PL_OUTPUT_CAP));
    json_object_set_new(doc, "tests", tests);
    free(all);
    if (written_size(doc) >= PL_LIMIT)
        drop_outputs(doc);
    int failed = rl_report_json_write(doc, path, err, errlen) != 0;
    json_decref(doc);
    return failed ? -1 : 0;
}

/* Autolab parses the last line of stdout: it is printed by cmd_grade after
 * everything else (stderr included), and every earlier line the report
 * prints is escaped text indented by the text report, so none of it
 * begins with '{'. */
int rl_grade_autolab(const struct rl_grade_result *r, const char *path,
                     char *err, size_t errlen)
{
    json_t *doc = json_object(), *scores = json_object(), *board = json_array();
    for (size_t i = 0; i < r->nchecks; i++)
        if (r->checks[i].status != RL_GRADE_INFO)
            json_object_set_new(scores, r->checks[i].name,
                                json_integer(r->checks[i].points));
    json_array_append_new(board, json_integer(r->score));
    json_object_set_new(doc, "scores", scores);
    json_object_set_new(doc, "scoreboard", board);
    char *line = json_dumps(doc, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(doc);
    int to_stdout = strcmp(path, "-") == 0;
    FILE *out = to_stdout ? stdout : fopen(path, "w");
    int failed = !out || !line;
    if (!failed) {
        fflush(stderr);
        failed = fprintf(out, "%s\n", line) < 0 || fflush(out) != 0;
        if (!to_stdout)
            failed |= fclose(out) != 0;
    }
    if (failed)
        snprintf(err, errlen, "cannot write the Autolab line to '%s'", path);
    free(line);
    return failed ? -1 : 0;
}
