/* grade_sarif.c: SARIF 2.1.0, as GitHub code scanning reads it
 * (docs/platforms.md): runs[0].tool.driver.rules holds one rule per
 * failure-mode ID found, with the ID table's title, explanation and fix
 * (engine/failure_modes.c); runs[0].results one result per finding with
 * every location; a finding seen from two stacks (a data race's two
 * accesses, a lock cycle's acquisitions) or a seeded schedule's trace
 * also as a codeFlow with one threadFlow per thread.  What stopped the
 * check (no compile) is in invocations[0], with executionSuccessful
 * false. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/failure_modes.h"
#include "lib/xalloc.h"
#include "report/escape.h"
#include "report/grade_formats.h"
#include "report/report.h"

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"

/* GitHub's limits: 1,000 locations a result, 10,000 thread-flow
 * locations; a description of 1,024 characters. */
enum {
    MAX_LOCATIONS = 1000,
    MAX_FLOW_LOCATIONS = 10000,
    DESCRIPTION_CAP = 1000,
    MESSAGE_CAP = 4096,
};

/* Text for a message: escaped for a reader's screen, as every report. */
static json_t *text(const char *s, size_t cap)
{
    char *safe = rl_escape_text(s ? s : "", cap);
    json_t *j = rl_report_json_string(safe);
    free(safe);
    return j;
}

static json_t *message(const char *s)
{
    return json_pack("{s:o}", "text", text(s, MESSAGE_CAP));
}

/* A file name as a URI reference: relative stays relative (to the
 * repository, as code scanning wants it), absolute becomes file://; every
 * byte outside RFC 3986's unreserved set and '/' is %-encoded. */
static json_t *uri(const char *path)
{
    size_t n = strlen(path);
    char *u = xcalloc(3 * n + 8, 1), *p = u;
    if (path[0] == '/')
        p += sprintf(p, "file://");
    for (const unsigned char *s = (const unsigned char *)path; *s; s++) {
        if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
            (*s >= '0' && *s <= '9') || strchr("-._~/", *s))
            *p++ = (char)*s;
        else
            p += sprintf(p, "%%%02X", *s);
    }
    *p = '\0';
    json_t *j = json_string(u);
    free(u);
    return j;
}

static json_t *location(const char *file, int line, const char *function,
                        const char *what)
{
    json_t *phys = json_pack("{s:{s:o}}", "artifactLocation", "uri", uri(file));
    if (line > 0)
        json_object_set_new(phys, "region",
                            json_pack("{s:i}", "startLine", line));
    json_t *loc = json_pack("{s:o}", "physicalLocation", phys);
    if (function)
        json_object_set_new(loc, "logicalLocations",
                            json_pack("[{s:o,s:s}]", "name",
                                      rl_report_json_string(function), "kind",
                                      "function"));
    if (what)
        json_object_set_new(loc, "message", message(what));
    return loc;
}

/* One threadFlow per side, its stack from the outermost caller down to
 * the access, in the order the report lists the sides. */
static json_t *flows_from_sides(const struct rl_finding *f)
{
    json_t *threads = json_array();
    int order = 0;
    for (size_t i = 0; i < f->nsides; i++) {
        const struct rl_side *s = &f->sides[i];
        json_t *steps = json_array();
        for (size_t k = s->nframes; k-- > 0 && order < MAX_FLOW_LOCATIONS;) {
            const struct rl_location *l = &s->frames[k];
            json_array_append_new(
                steps, json_pack("{s:o,s:i,s:i}", "location",
                                 location(l->file, l->line, l->function,
                                          k == 0 ? s->what : NULL),
                                 "nestingLevel", (int)(s->nframes - 1 - k),
                                 "executionOrder", ++order));
        }
        if (json_array_size(steps) == 0) {
            json_decref(steps);
            continue;
        }
        json_array_append_new(threads,
                              json_pack("{s:o,s:o}", "message",
                                        message(s->what), "locations", steps));
    }
    return threads;
}

/* One threadFlow per thread of a seeded schedule's trace, each step in
 * the user's code at its place in the schedule. */
static json_t *flows_from_trace(const struct rl_finding *f)
{
    json_t *threads = json_array();
    int max_thread = -1;
    for (size_t i = 0; i < f->ntrace; i++)
        if (f->trace[i].thread > max_thread)
            max_thread = f->trace[i].thread;
    for (int t = 0; t <= max_thread; t++) {
        json_t *steps = json_array();
        for (size_t i = 0; i < f->ntrace && i < MAX_FLOW_LOCATIONS; i++) {
            const struct rl_trace_step *s = &f->trace[i];
            if (s->thread != t || !s->file || s->line <= 0)
                continue;
            char what[512];
            snprintf(what, sizeof what, "%s%s%s%s", s->op, s->detail ? " " : "",
                     s->detail ? s->detail : "",
                     s->losing ? " (the step that lost)" : "");
            json_t *step = json_pack("{s:o,s:i}", "location",
                                     location(s->file, s->line, NULL, what),
                                     "executionOrder", (int)i + 1);
            if (s->losing)
                json_object_set_new(step, "importance",
                                    json_string("essential"));
            json_array_append_new(steps, step);
        }
        if (json_array_size(steps) == 0) {
            json_decref(steps);
            continue;
        }
        char name[32];
        rl_trace_thread_name(name, sizeof name, t);
        json_array_append_new(threads,
                              json_pack("{s:s,s:o,s:o}", "id", name, "message",
                                        message(name), "locations", steps));
    }
    return threads;
}

/* The codeFlows of a finding with two threads or more to show, or NULL. */
static json_t *code_flows(const struct rl_finding *f)
{
    json_t *threads = f->nsides >= 2 ? flows_from_sides(f) : NULL;
    const char *what = "the two threads' stacks";
    if ((!threads || json_array_size(threads) < 2) && f->ntrace) {
        json_decref(threads);
        threads = flows_from_trace(f);
        what = "the schedule that broke the program, one flow a thread";
    }
    if (!threads || json_array_size(threads) < 2) {
        json_decref(threads);
        return NULL;
    }
    return json_pack("[{s:o,s:o}]", "message", message(what), "threadFlows",
                     threads);
}

/* The rules: one per failure-mode ID among the findings, in the ID
 * table's order; an ID the table lacks (never expected) gets a bare
 * rule, so that every result still has its rule. */
struct rules {
    json_t *array;
    const char *ids[64]; /* the ID table has fewer; more are left out */
    size_t n;
};

static void rules_add(struct rules *rs, const char *id)
{
    for (size_t i = 0; i < rs->n; i++)
        if (strcmp(rs->ids[i], id) == 0)
            return;
    if (rs->n == sizeof rs->ids / sizeof *rs->ids)
        return;
    rs->ids[rs->n++] = id;
}

static json_t *rule(const char *id)
{
    const struct rl_failure_mode *m = rl_failure_mode_find(id);
    const char *title = m ? m->title : id;
    const char *why = m ? m->explanation : id;
    const char *fix = m ? m->fix : "see docs/failure-modes.md";
    char *markdown = NULL;
    if (asprintf(&markdown, "**What it means:** %s\n\n**How to fix:** %s", why,
                 fix) < 0)
        markdown = NULL;
    json_t *r = json_pack(
        "{s:s,s:s,s:{s:o},s:{s:o},s:{s:o,s:o},s:{s:s},s:{s:[s,s],s:s,s:s}}",
        "id", id, "name", id, "shortDescription", "text",
        text(title, DESCRIPTION_CAP), "fullDescription", "text",
        text(why, DESCRIPTION_CAP), "help", "text", text(fix, MESSAGE_CAP),
        "markdown", text(markdown ? markdown : fix, MESSAGE_CAP),
        "defaultConfiguration", "level", "error", "properties", "tags",
        "concurrency", "racelab", "precision", "high", "problem.severity",
        "error");
    free(markdown);
    return r;
}

/* Orders the IDs as the table does, then builds the rules. */
static void rules_build(struct rules *rs)
{
    const char *sorted[64];
    size_t n = 0;
    for (const struct rl_failure_mode *m = rl_failure_modes; m->id; m++)
        for (size_t i = 0; i < rs->n; i++)
            if (strcmp(rs->ids[i], m->id) == 0)
                sorted[n++] = rs->ids[i];
    for (size_t i = 0; i < rs->n; i++)
        if (!rl_failure_mode_find(rs->ids[i]))
            sorted[n++] = rs->ids[i];
    memcpy(rs->ids, sorted, n * sizeof *sorted);
    rs->array = json_array();
    for (size_t i = 0; i < rs->n; i++)
        json_array_append_new(rs->array, rule(rs->ids[i]));
}

static size_t rules_index(const struct rules *rs, const char *id)
{
    for (size_t i = 0; i < rs->n; i++)
        if (strcmp(rs->ids[i], id) == 0)
            return i;
    return 0;
}

/* A finding's result; `failing` names the rubric checks it fails (grade),
 * or is NULL (check).  A finding that fails no check (a report_only
 * check's: the lab's lesson) is a note, not an error. */
static json_t *result(const struct rl_finding *f, const struct rules *rs,
                      json_t *failing)
{
    const struct rl_failure_mode *m = rl_failure_mode_find(f->id);
    char *msg = NULL;
    if (asprintf(&msg, "%s.%s%s", m ? m->title : f->id, f->detail ? "\n" : "",
                 f->detail ? f->detail : "") < 0)
        msg = NULL;
    json_t *locs = json_array();
    for (size_t i = 0; i < f->nlocs && i < MAX_LOCATIONS; i++)
        json_array_append_new(locs, location(f->locs[i].file, f->locs[i].line,
                                             f->locs[i].function, NULL));
    json_t *tools = json_array();
    for (size_t i = 0; i < f->ntools; i++)
        json_array_append_new(tools, json_string(f->tools[i]));
    const char *level =
        failing && json_array_size(failing) == 0 ? "note" : "error";
    json_t *res = json_pack("{s:s,s:i,s:s,s:o,s:o,s:{s:o}}", "ruleId", f->id,
                            "ruleIndex", (int)rules_index(rs, f->id), "level",
                            level, "message", message(msg ? msg : f->id),
                            "locations", locs, "properties", "tools", tools);
    free(msg);
    json_t *flows = code_flows(f);
    if (flows)
        json_object_set_new(res, "codeFlows", flows);
    json_t *props = json_object_get(res, "properties");
    if (f->has_seed)
        json_object_set_new(props, "seed", json_integer(f->seed));
    if (failing)
        json_object_set_new(props, "failedChecks", failing);
    return res;
}

static json_t *document(json_t *rules, json_t *results, json_t *notes,
                        int successful, json_t *props)
{
    json_t *invocation =
        json_pack("{s:b,s:o}", "executionSuccessful", successful,
                  "toolExecutionNotifications", notes);
    json_t *run = json_pack("{s:{s:{s:s,s:o}},s:[o],s:o}", "tool", "driver",
                            "name", "racelab", "rules", rules, "invocations",
                            invocation, "results", results);
    if (props)
        json_object_set_new(run, "properties", props);
    return json_pack("{s:s,s:s,s:[o]}", "$schema", SARIF_SCHEMA, "version",
                     "2.1.0", "runs", run);
}

static json_t *notification(const char *what)
{
    return json_pack("{s:s,s:o}", "level", "error", "message", message(what));
}

int rl_grade_sarif(const struct rl_grade_result *r, const char *path, char *err,
                   size_t errlen)
{
    /* Each finding once, though several checks may fail on it. */
    const struct rl_finding **seen = xcalloc(1, sizeof *seen);
    size_t nseen = 0;
    struct rules rs = {0};
    for (size_t i = 0; i < r->nchecks; i++)
        for (size_t j = 0; j < r->checks[i].nfindings; j++) {
            const struct rl_finding *f = r->checks[i].findings[j];
            size_t k = 0;
            while (k < nseen && seen[k] != f)
                k++;
            if (k < nseen)
                continue;
            seen = xrealloc(seen, (nseen + 1) * sizeof *seen);
            seen[nseen++] = f;
            rules_add(&rs, f->id);
        }
    rules_build(&rs);
    json_t *results = json_array(), *notes = json_array();
    for (size_t k = 0; k < nseen; k++) {
        json_t *failing = json_array();
        for (size_t i = 0; i < r->nchecks; i++)
            for (size_t j = 0; j < r->checks[i].nfindings; j++)
                if (r->checks[i].findings[j] == seen[k] &&
                    !rl_grade_check_passed(&r->checks[i]))
                    json_array_append_new(
                        failing, rl_report_json_string(r->checks[i].name));
        json_array_append_new(results, result(seen[k], &rs, failing));
    }
    /* What kept a check from being judged (no compile, a missing file). */
    int successful = !r->internal_error;
    for (size_t i = 0; i < r->nchecks; i++) {
        const struct rl_grade_check_result *c = &r->checks[i];
        if (c->problem == RL_GRADE_PROBLEM_NONE || c->nfindings)
            continue;
        char *what = NULL;
        if (asprintf(&what, "%s: %s", c->name,
                     c->message ? c->message : "not judged") < 0)
            what = NULL;
        json_array_append_new(notes, notification(what ? what : c->name));
        free(what);
        successful = 0;
    }
    for (size_t i = 0; i < r->ndiagnostics; i++)
        json_array_append_new(notes, notification(r->diagnostics[i]));
    json_t *props =
        json_pack("{s:o,s:i,s:i}", "lab", rl_report_json_string(r->lab),
                  "score", r->score, "maxScore", r->max_score);
    json_t *doc = document(rs.array, results, notes, successful, props);
    free(seen);
    int failed = !doc || rl_report_json_write(doc, path, err, errlen) != 0;
    if (!doc)
        snprintf(err, errlen, "cannot build the SARIF log for '%s'", path);
    json_decref(doc);
    return failed ? -1 : 0;
}

int rl_check_sarif(const struct rl_report *r, const char *path, char *err,
                   size_t errlen)
{
    struct rules rs = {0};
    size_t n = r->findings ? r->findings->n : 0;
    for (size_t i = 0; i < n; i++)
        rules_add(&rs, r->findings->v[i].id);
    rules_build(&rs);
    json_t *results = json_array(), *notes = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(results, result(&r->findings->v[i], &rs, NULL));
    int successful = 1;
    for (size_t i = 0; r->diag && i < r->diag->n; i++) {
        const struct rl_diagnostic *d = &r->diag->v[i];
        if (d->level != RL_DIAG_USER && d->level != RL_DIAG_INTERNAL)
            continue;
        json_array_append_new(notes, notification(d->message));
        successful = 0;
    }
    json_t *props =
        json_pack("{s:o}", "program", rl_report_json_string(r->program));
    json_t *doc = document(rs.array, results, notes, successful, props);
    int failed = !doc || rl_report_json_write(doc, path, err, errlen) != 0;
    if (!doc)
        snprintf(err, errlen, "cannot build the SARIF log for '%s'", path);
    json_decref(doc);
    return failed ? -1 : 0;
}
