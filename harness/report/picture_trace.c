/* picture_trace.c: --trace-json FILE: the pictures' events as Chrome Trace
 * Event JSON (opens in Perfetto or chrome://tracing for zooming): each
 * step an "X" slice on its thread, each lock held a "B"/"E" pair, each
 * wait an "X" slice, the losing step an "i" instant.  Time is made up: one
 * step every STEP_US microseconds, in the order the scheduler ran them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "report/picture.h"
#include "report/report.h"

enum { STEP_US = 10 };

static json_t *event(const char *ph, int pid, int tid, long long ts,
                     const char *name)
{
    json_t *e = json_object();
    json_object_set_new(e, "ph", json_string(ph));
    json_object_set_new(e, "pid", json_integer(pid));
    json_object_set_new(e, "tid", json_integer(tid));
    json_object_set_new(e, "ts", json_integer(ts));
    json_object_set_new(e, "name", rl_report_json_string(name));
    return e;
}

static json_t *meta(const char *what, int pid, int tid, const char *name)
{
    json_t *e = event("M", pid, tid, 0, what);
    json_t *args = json_object();
    json_object_set_new(args, "name", rl_report_json_string(name));
    json_object_set_new(e, "args", args);
    return e;
}

static char *step_name(const struct rl_trace_step *s)
{
    if (s->object && s->value)
        return xasprintf("%s %s = %s", s->op, s->object, s->value);
    if (s->detail)
        return xasprintf("%s %s", s->op, s->detail);
    return xstrdup(s->op);
}

static void add_trace(json_t *events, const struct rl_finding *f, int pid,
                      int passing)
{
    struct rl_picture_model m;
    rl_picture_model_build(f, &m);
    char *process = passing       ? xasprintf("seed %lld (no failure)", f->seed)
                    : f->has_seed ? xasprintf("%s, seed %lld", f->id, f->seed)
                                  : xstrdup(f->id);
    json_array_append_new(events, meta("process_name", pid, 0, process));
    free(process);
    for (int t = 0; t < m.nthreads; t++) {
        char name[16];
        rl_trace_thread_name(name, sizeof name, t);
        json_array_append_new(events, meta("thread_name", pid, t, name));
    }
    /* Sorted by time, the B of a lock before the step that took it and
     * the E after the step that gave it back. */
    for (size_t i = m.first; i < f->ntrace; i++) {
        const struct rl_trace_step *s = &f->trace[i];
        long long ts = (long long)(i - m.first) * STEP_US;
        for (size_t h = 0; h < m.nholds; h++)
            if (m.holds[h].from == i) {
                char *n = xasprintf(
                    "holds %s", m.holds[h].object ? m.holds[h].object : "?");
                json_array_append_new(
                    events, event("B", pid, m.holds[h].thread, ts, n));
                free(n);
            }
        char *name = step_name(s);
        json_t *e = event("X", pid, s->thread, ts, name);
        free(name);
        json_object_set_new(e, "dur", json_integer(STEP_US - 1));
        json_object_set_new(e, "cat", json_string(s->op));
        json_t *args = json_object();
        json_object_set_new(args, "step", json_integer((long long)i + 1));
        if (s->raw >= 0)
            json_object_set_new(args, "raw", json_integer(s->raw));
        if (s->file)
            json_object_set_new(args, "file", rl_report_json_string(s->file));
        if (s->line > 0)
            json_object_set_new(args, "line", json_integer(s->line));
        if (s->object)
            json_object_set_new(args, "object",
                                rl_report_json_string(s->object));
        if (s->value)
            json_object_set_new(args, "value", rl_report_json_string(s->value));
        json_object_set_new(e, "args", args);
        json_array_append_new(events, e);
        for (size_t w = 0; w < m.nwaits; w++)
            if (m.waits[w].from == i) {
                const struct rl_picture_span *sp = &m.waits[w];
                char *n =
                    xasprintf("blocked on %s", sp->object ? sp->object : "?");
                long long end = (long long)(sp->to - m.first) * STEP_US;
                json_t *b = event("X", pid, sp->thread, ts + STEP_US, n);
                free(n);
                json_object_set_new(b, "dur",
                                    json_integer(end > ts + STEP_US
                                                     ? end - ts - STEP_US
                                                     : STEP_US));
                json_object_set_new(b, "cat", json_string("blocked"));
                json_array_append_new(events, b);
            }
        if (s->losing) {
            json_t *l =
                event("i", pid, s->thread, ts,
                      s->losing == RL_LOSING_STALE  ? "lost update"
                      : s->losing == RL_LOSING_RACE ? "unsynchronized access"
                                                    : "fails after this step");
            json_object_set_new(l, "s", json_string("t"));
            json_array_append_new(events, l);
        }
        for (size_t h = 0; h < m.nholds; h++)
            if (m.holds[h].to == i) {
                char *n = xasprintf(
                    "holds %s", m.holds[h].object ? m.holds[h].object : "?");
                json_array_append_new(events, event("E", pid, m.holds[h].thread,
                                                    ts + STEP_US - 1, n));
                free(n);
            }
    }
    rl_picture_model_free(&m);
}

json_t *rl_picture_trace_events(const struct rl_findings *found,
                                const struct rl_findings *passing)
{
    json_t *events = json_array();
    int pid = 1;
    for (size_t i = 0; found && i < found->n; i++)
        if (found->v[i].ntrace)
            add_trace(events, &found->v[i], pid++, 0);
    for (size_t i = 0; passing && i < passing->n; i++)
        if (passing->v[i].ntrace)
            add_trace(events, &passing->v[i], pid++, 1);
    json_t *doc = json_object();
    json_object_set_new(doc, "traceEvents", events);
    json_object_set_new(doc, "displayTimeUnit", json_string("ns"));
    return doc;
}

int rl_picture_files(const char *html_path, const char *json_path,
                     const char *program, const struct rl_findings *found,
                     const struct rl_findings *passing, char *err,
                     size_t errlen)
{
    if (html_path) {
        FILE *out = fopen(html_path, "w");
        if (!out) {
            snprintf(err, errlen, "cannot write %s", html_path);
            return -1;
        }
        rl_picture_html(out, program, found, passing);
        if (fclose(out) != 0) {
            snprintf(err, errlen, "cannot write %s", html_path);
            return -1;
        }
    }
    if (json_path) {
        json_t *doc = rl_picture_trace_events(found, passing);
        int rc = rl_report_json_write(doc, json_path, err, errlen);
        json_decref(doc);
        if (rc != 0)
            return -1;
    }
    return 0;
}
