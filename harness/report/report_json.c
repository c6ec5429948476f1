/* report_json.c: the findings as a JSON document for graders and scripts. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "engine/failure_modes.h"
#include "report/report.h"
#include "lib/xalloc.h"

/*
 * A JSON string, or null for NULL.  jansson refuses bytes that are not
 * UTF-8 (a file name or a tool's output may hold some): those bytes become
 * '?' rather than losing the whole report.
 */
json_t *rl_report_json_string(const char *s)
{
    if (s == NULL)
        return json_null();
    json_t *v = json_string(s);
    if (v)
        return v;
    char *copy = xstrdup(s);
    for (char *p = copy; *p; p++)
        if ((unsigned char)*p >= 0x80)
            *p = '?';
    v = json_string(copy);
    free(copy);
    return v;
}

static json_t *jstr(const char *s)
{
    return rl_report_json_string(s);
}

/* Sets key (stealing val); returns -1 when val or the insertion failed. */
static int put(json_t *obj, const char *key, json_t *val)
{
    if (val == NULL)
        return -1;
    return json_object_set_new(obj, key, val);
}

static int append(json_t *arr, json_t *val)
{
    if (val == NULL)
        return -1;
    return json_array_append_new(arr, val);
}

static json_t *location_json(const struct rl_location *l)
{
    json_t *o = json_object();
    int bad = o == NULL;

    bad |= put(o, "file", jstr(l->file ? l->file : "")) < 0;
    bad |= put(o, "line", json_integer(l->line)) < 0;
    bad |= put(o, "function", jstr(l->function)) < 0;
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *tools_json(const struct rl_finding *f)
{
    json_t *a = json_array();
    int bad = a == NULL;

    for (size_t i = 0; !bad && i < f->ntools; i++)
        bad |= append(a, jstr(f->tools[i])) < 0;
    if (bad) {
        json_decref(a);
        return NULL;
    }
    return a;
}

static json_t *locations_json(const struct rl_finding *f)
{
    json_t *a = json_array();
    int bad = a == NULL;

    for (size_t i = 0; !bad && i < f->nlocs; i++)
        bad |= append(a, location_json(&f->locs[i])) < 0;
    if (bad) {
        json_decref(a);
        return NULL;
    }
    return a;
}

/* A seeded schedule's steps: [{"thread", "op", "file", "line", "detail",
 * "losing"}]. */
static json_t *trace_json(const struct rl_finding *f)
{
    json_t *a = json_array();
    int bad = a == NULL;

    for (size_t i = 0; !bad && i < f->ntrace; i++) {
        const struct rl_trace_step *s = &f->trace[i];
        json_t *o = json_object();
        bad |= o == NULL;
        bad |= bad || put(o, "thread", json_integer(s->thread)) < 0;
        bad |= bad || put(o, "op", jstr(s->op)) < 0;
        bad |= bad || put(o, "file", jstr(s->file)) < 0;
        bad |= bad || put(o, "line", json_integer(s->line)) < 0;
        bad |= bad || put(o, "detail", jstr(s->detail)) < 0;
        bad |= bad || put(o, "losing", json_boolean(s->losing)) < 0;
        bad |= append(a, o) < 0;
    }
    if (bad) {
        json_decref(a);
        return NULL;
    }
    return a;
}

/* The finding with its table text; NULL for an ID the table lacks. */
static json_t *finding_json(const struct rl_finding *f, char *err,
                            size_t errlen)
{
    const char *case_name;
    const struct rl_failure_mode *m =
        rl_failure_mode_explain(f->id, f->flags, &case_name);
    if (m == NULL) {
        snprintf(err, errlen, "unknown failure mode '%s'", f->id);
        return NULL;
    }
    json_t *o = json_object();
    int bad = o == NULL;

    bad |= put(o, "id", jstr(m->id)) < 0;
    bad |= put(o, "title", jstr(m->title)) < 0;
    bad |= put(o, "tools", tools_json(f)) < 0;
    bad |= put(o, "locations", locations_json(f)) < 0;
    bad |= put(o, "explanation", jstr(m->explanation)) < 0;
    bad |= put(o, "fix", jstr(m->fix)) < 0;
    bad |= put(o, "detail", jstr(f->detail)) < 0;
    if (case_name) /* which case of the id the text explains */
        bad |= put(o, "case", jstr(case_name)) < 0;
    if (f->has_seed) {
        bad |= put(o, "seed", json_integer(f->seed)) < 0;
        bad |= put(o, "trace", trace_json(f)) < 0;
    }
    if (bad) {
        snprintf(err, errlen, "cannot build the json of finding '%s'", f->id);
        json_decref(o);
        return NULL;
    }
    return o;
}

/* A NULL-terminated list of strings as a JSON array, or null. */
static json_t *strings_json(char *const *v)
{
    if (!v)
        return json_null();
    json_t *a = json_array();
    for (size_t i = 0; a && v[i]; i++)
        if (append(a, jstr(v[i])) < 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

static json_t *build_json(const struct rl_build_summary *b)
{
    json_t *o = json_object();
    int bad = o == NULL;
    bad |= put(o, "variant", jstr(b->variant)) < 0;
    bad |= put(o, "command", strings_json(b->command)) < 0;
    bad |= put(o, "wall_seconds",
               isfinite(b->wall_seconds) ? json_real(b->wall_seconds)
                                         : json_null()) < 0;
    bad |= put(o, "ok", json_boolean(b->ok)) < 0;
    /* An extension, as a run's: docs/isolation.md. */
    bad |= put(o, "isolation", jstr(b->isolation)) < 0;
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *run_json(const struct rl_run_summary *run)
{
    json_t *o = json_object();
    int bad = o == NULL;
    /* JSON has no NaN or infinity: an unmeasured time is null. */
    json_t *wall = isfinite(run->wall_seconds) ? json_real(run->wall_seconds)
                                               : json_null();

    bad |= put(o, "tool", jstr(run->tool ? run->tool : "")) < 0;
    bad |= put(o, "exit_status", json_integer(run->exit_status)) < 0;
    bad |= put(o, "wall_seconds", wall) < 0;
    bad |= put(o, "timed_out", json_boolean(run->timed_out)) < 0;
    bad |= put(o, "note", jstr(run->note)) < 0;
    bad |= put(o, "command", strings_json(run->command)) < 0;
    bad |= put(o, "environment", strings_json(run->environment)) < 0;
    /* An extension: how the run was confined (docs/isolation.md). */
    bad |= put(o, "isolation", jstr(run->isolation)) < 0;
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *rl_report_json_diagnostics(const struct rl_diagnostics *d)
{
    json_t *a = json_array();
    for (size_t i = 0; a && d && i < d->n; i++) {
        json_t *o = json_object();
        int bad = o == NULL;
        bad |= put(o, "level", jstr(rl_diag_level_name(d->v[i].level))) < 0;
        bad |= put(o, "tool", jstr(d->v[i].tool)) < 0;
        bad |= put(o, "message", jstr(d->v[i].message)) < 0;
        if (bad || append(a, o) < 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

static json_t *report_json(const struct rl_report *r, char *err, size_t errlen)
{
    json_t *doc = json_object(), *findings = json_array(), *runs = json_array();
    json_t *builds = json_array();
    int bad = doc == NULL || findings == NULL || runs == NULL || !builds;

    for (size_t i = 0; !bad && r->findings && i < r->findings->n; i++) {
        json_t *f = finding_json(&r->findings->v[i], err, errlen);
        if (f == NULL) {
            json_decref(findings);
            json_decref(runs);
            json_decref(builds);
            json_decref(doc);
            return NULL; /* finding_json said why */
        }
        bad |= append(findings, f) < 0;
    }
    for (size_t i = 0; !bad && i < r->nruns; i++)
        bad |= append(runs, run_json(&r->runs[i])) < 0;
    for (size_t i = 0; !bad && r->builds && i < r->nbuilds; i++)
        bad |= append(builds, build_json(&r->builds[i])) < 0;
    if (!bad) {
        bad |= put(doc, "program", jstr(r->program ? r->program : "")) < 0;
        bad |= json_object_set(doc, "findings", findings) < 0;
        bad |= json_object_set(doc, "runs", runs) < 0;
        bad |= json_object_set(doc, "builds", builds) < 0;
        bad |= put(doc, "diagnostics", rl_report_json_diagnostics(r->diag)) < 0;
    }
    json_decref(findings);
    json_decref(runs);
    json_decref(builds);
    if (bad) {
        snprintf(err, errlen, "out of memory building the json report");
        json_decref(doc);
        return NULL;
    }
    return doc;
}

/* Dumps doc to an open stream, reporting where it failed. */
static int dump(json_t *doc, FILE *f, const char *name, char *err,
                size_t errlen)
{
    if (json_dumpf(doc, f, JSON_INDENT(2)) < 0 || fputc('\n', f) == EOF ||
        fflush(f) == EOF) {
        snprintf(err, errlen, "cannot write '%s': %s", name, strerror(errno));
        return -1;
    }
    return 0;
}

/*
 * Writes to a temporary file beside path and renames it over path, so a
 * reader never sees half a report and an old report survives a failure.
 */
static int write_atomically(json_t *doc, const char *path, char *err,
                            size_t errlen)
{
    char *tmp = xasprintf("%s.XXXXXX", path);
    int fd = mkstemp(tmp);

    if (fd < 0) {
        snprintf(err, errlen, "cannot create '%s': %s", tmp, strerror(errno));
        free(tmp);
        return -1;
    }
    fchmod(fd, 0644); /* mkstemp makes 0600; a report is not secret */
    FILE *f = fdopen(fd, "w");
    int rc = f ? dump(doc, f, tmp, err, errlen) : -1;

    if (f == NULL) {
        snprintf(err, errlen, "cannot open '%s': %s", tmp, strerror(errno));
        close(fd);
    } else if (fclose(f) == EOF && rc == 0) {
        snprintf(err, errlen, "cannot write '%s': %s", tmp, strerror(errno));
        rc = -1;
    }
    if (rc == 0 && rename(tmp, path) < 0) {
        snprintf(err, errlen, "cannot rename '%s' to '%s': %s", tmp, path,
                 strerror(errno));
        rc = -1;
    }
    if (rc < 0)
        unlink(tmp);
    free(tmp);
    return rc;
}

int rl_report_json(const char *path, const struct rl_report *r, char *err,
                   size_t errlen)
{
    json_t *doc = report_json(r, err, errlen);
    if (doc == NULL)
        return -1;
    /* "-" is standard output, for piping into jq. */
    int rc = strcmp(path, "-") == 0
                 ? dump(doc, stdout, "standard output", err, errlen)
                 : write_atomically(doc, path, err, errlen);
    json_decref(doc);
    return rc;
}

json_t *rl_report_json_finding(const struct rl_finding *f, char *err,
                               size_t errlen)
{
    return finding_json(f, err, errlen);
}

int rl_report_json_write(json_t *doc, const char *path, char *err,
                         size_t errlen)
{
    return strcmp(path, "-") == 0
               ? dump(doc, stdout, "standard output", err, errlen)
               : write_atomically(doc, path, err, errlen);
}
