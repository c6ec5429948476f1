/* grade_json.c: the grade as JSON, for gradebooks and scripts. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "report/grade_formats.h"
#include "report/report.h"

/* Every string goes through rl_report_json_string, so a compiler message
 * quoting a Latin-1 line is still a string, not a lost key. */
/* Every run's pipeline diagnostics, then racelab's faults that the judge
 * saw: {"level", "tool", "message"} as in racelab check --json. */
static json_t *diagnostics_json(const struct rl_grade_result *r)
{
    struct rl_diagnostics all = {0};
    for (size_t i = 0; i < r->nruns; i++) {
        if (!r->runs[i].check)
            continue;
        const struct rl_diagnostics *d = &r->runs[i].check->diag;
        for (size_t j = 0; j < d->n; j++)
            rl_diag_add(&all, d->v[j].level, d->v[j].tool, "%s",
                        d->v[j].message);
    }
    for (size_t i = 0; i < r->ndiagnostics; i++)
        rl_diag_add(&all, RL_DIAG_INTERNAL, NULL, "%s", r->diagnostics[i]);
    json_t *a = rl_report_json_diagnostics(&all);
    rl_diag_free(&all);
    return a ? a : json_array();
}

static json_t *check_json(const struct rl_grade_check_result *c, char *err,
                          size_t errlen)
{
    json_t *o = json_object(), *fs = json_array();
    json_object_set_new(o, "name", rl_report_json_string(c->name));
    json_object_set_new(o, "points", json_integer(c->points));
    json_object_set_new(o, "max_points", json_integer(c->max_points));
    json_object_set_new(o, "passed", json_boolean(rl_grade_check_passed(c)));
    for (size_t i = 0; i < c->nfindings; i++) {
        json_t *f = rl_report_json_finding(c->findings[i], err, errlen);
        if (!f) {
            json_decref(fs);
            json_decref(o);
            return NULL;
        }
        json_array_append_new(fs, f);
    }
    json_object_set_new(o, "findings", fs);
    json_object_set_new(o, "message", rl_report_json_string(c->message));
    json_object_set_new(o, "report_only",
                        json_boolean(c->status == RL_GRADE_INFO));
    json_object_set_new(o, "not_measured", json_boolean(c->not_measured));
    return o;
}

/* How the runs' programs were confined: each distinct description once,
 * as the text report's "isolation:" lines (a fallback must be seen). */
static json_t *isolation_json(const struct rl_grade_result *r)
{
    json_t *list = json_array();
    for (size_t i = 0; i < r->nruns; i++)
        for (size_t j = 0; j < r->runs[i].ntools; j++) {
            const char *iso = r->runs[i].tools[j].isolation;
            int said = 0;
            size_t k;
            json_t *v;
            json_array_foreach (list, k, v)
                said |= iso && strcmp(json_string_value(v), iso) == 0;
            if (iso && !said)
                json_array_append_new(list, rl_report_json_string(iso));
        }
    return list;
}

/* A check whose findings cannot be written is left out, the rest are
 * still written, and the emitter fails: racelab's fault, exit status 3. */
int rl_grade_json(const struct rl_grade_result *r, const char *path, char *err,
                  size_t errlen)
{
    int failed = 0;
    json_t *doc = json_object(), *checks = json_array();
    for (size_t i = 0; i < r->nchecks; i++) {
        json_t *c = check_json(&r->checks[i], err, errlen);
        failed |= c == NULL;
        if (c)
            json_array_append_new(checks, c);
    }
    json_object_set_new(doc, "lab", rl_report_json_string(r->lab));
    json_object_set_new(doc, "score", json_integer(r->score));
    json_object_set_new(doc, "max_score", json_integer(r->max_score));
    json_object_set_new(doc, "checks", checks);
    json_object_set_new(doc, "diagnostics", diagnostics_json(r));
    json_object_set_new(doc, "isolation", isolation_json(r));
    /* What this machine could not do: the score is then partial. */
    json_t *env = json_array();
    for (size_t i = 0; i < r->nenvironment; i++)
        json_array_append_new(env, rl_report_json_string(r->environment[i]));
    json_object_set_new(doc, "environment_faults", env);
    failed |= rl_report_json_write(doc, path, err, errlen) != 0;
    json_decref(doc);
    return failed ? -1 : 0;
}
