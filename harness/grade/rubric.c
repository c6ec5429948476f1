/* rubric.c: read a lab's rubric.json with jansson and check every field,
 * so that an instructor's typo is an error with its place, not a surprise
 * in a student's grade. */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/failure_modes.h"
#include "grade/rubric.h"
#include "tools/tool.h"
#include "lib/xalloc.h"

static const double DEFAULT_TIMEOUT = 20.0;

struct reader {
    const char *path;
    char *err;
    size_t errlen;
};

static int fail(struct reader *rd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int fail(struct reader *rd, const char *fmt, ...)
{
    int n = snprintf(rd->err, rd->errlen, "%s: ", rd->path);
    va_list ap;
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < rd->errlen)
        vsnprintf(rd->err + n, rd->errlen - n, fmt, ap);
    va_end(ap);
    return -1;
}

/* Every key of obj must be one of `allowed` (NULL-terminated). */
static int only_keys(struct reader *rd, json_t *obj, const char *where,
                     const char *const allowed[])
{
    const char *key;
    json_t *val;
    json_object_foreach (obj, key, val) {
        size_t i = 0;
        while (allowed[i] && strcmp(allowed[i], key) != 0)
            i++;
        if (!allowed[i])
            return fail(rd, "%s: unknown key '%s'", where, key);
    }
    return 0;
}

static int get_string(struct reader *rd, json_t *obj, const char *key,
                      const char *where, int required, char **out)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v)
        return required ? fail(rd, "%s: '%s' is missing", where, key) : 0;
    if (!json_is_string(v) || json_string_length(v) == 0)
        return fail(rd, "%s: '%s' must be a non-empty string", where, key);
    *out = xstrdup(json_string_value(v));
    return 0;
}

static int get_bool(struct reader *rd, json_t *obj, const char *key,
                    const char *where, int *out)
{
    json_t *v = json_object_get(obj, key);
    *out = 0;
    if (!v)
        return 0;
    if (!json_is_boolean(v))
        return fail(rd, "%s: '%s' must be true or false", where, key);
    *out = json_is_true(v);
    return 0;
}

/* A list of non-empty strings as a NULL-terminated array (n counted). */
static int get_strings(struct reader *rd, json_t *obj, const char *key,
                       const char *where, int required, char ***out, size_t *n)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (n)
        *n = 0;
    if (!v)
        return required ? fail(rd, "%s: '%s' is missing", where, key) : 0;
    if (!json_is_array(v) || (required && json_array_size(v) == 0))
        return fail(rd, "%s: '%s' must be a list of strings", where, key);
    size_t count = json_array_size(v);
    char **list = xcalloc(count + 1, sizeof *list);
    *out = list;
    for (size_t i = 0; i < count; i++) {
        json_t *item = json_array_get(v, i);
        if (!json_is_string(item) || json_string_length(item) == 0)
            return fail(rd, "%s: '%s'[%zu] must be a non-empty string", where,
                        key, i);
        list[i] = xstrdup(json_string_value(item));
        if (n)
            (*n)++;
    }
    return 0;
}

static void free_strings(char **list)
{
    for (size_t i = 0; list && list[i]; i++)
        free(list[i]);
    free(list);
}

/* "env": {"NAME": "value"} as "NAME=value" strings. */
static int get_env(struct reader *rd, json_t *obj, const char *where,
                   char ***out)
{
    json_t *v = json_object_get(obj, "env");
    size_t n = v ? json_object_size(v) : 0;
    *out = xcalloc(n + 1, sizeof **out);
    if (!v)
        return 0;
    if (!json_is_object(v))
        return fail(rd, "%s: 'env' must be an object of strings", where);
    const char *key;
    json_t *val;
    size_t i = 0;
    json_object_foreach (v, key, val) {
        if (!json_is_string(val) || !key[0] || strchr(key, '='))
            return fail(rd, "%s: env '%s' must be a string", where, key);
        (*out)[i++] = xasprintf("%s=%s", key, json_string_value(val));
    }
    return 0;
}

/* Sources and student files stay inside the lab's folders. */
static int safe_path(struct reader *rd, const char *where, const char *path)
{
    if (path[0] == '/')
        return fail(rd, "%s: '%s' must be relative to the lab folder", where,
                    path);
    return 0;
}

static int read_run(struct reader *rd, const char *name, json_t *obj,
                    struct rl_rubric_run *run)
{
    static const char *const keys[] = {"sources", "server",    "check_tests",
                                       "args",    "env",       "tools",
                                       "timeout", "schedules", NULL};
    char *where = xasprintf("runs.%s", name);
    int rc = -1;
    run->name = xstrdup(name);
    if (!json_is_object(obj)) {
        fail(rd, "%s: must be an object", where);
        goto out;
    }
    if (only_keys(rd, obj, where, keys) ||
        get_strings(rd, obj, "sources", where, 1, &run->sources,
                    &run->nsources) ||
        get_bool(rd, obj, "server", where, &run->server) ||
        get_bool(rd, obj, "check_tests", where, &run->check_tests) ||
        get_strings(rd, obj, "args", where, 0, &run->args, NULL) ||
        get_env(rd, obj, where, &run->env) ||
        get_strings(rd, obj, "tools", where, 0, &run->tools, NULL))
        goto out;
    if (!run->args)
        run->args = xcalloc(1, sizeof *run->args);
    for (size_t i = 0; i < run->nsources; i++)
        if (safe_path(rd, where, run->sources[i]))
            goto out;
    for (size_t i = 0; run->tools && run->tools[i]; i++)
        if (!rl_tool_find(run->tools[i])) {
            fail(rd, "%s: unknown tool '%s'", where, run->tools[i]);
            goto out;
        }
    if (run->server && run->check_tests) {
        fail(rd, "%s: a run is a server or Check tests, not both", where);
        goto out;
    }
    json_t *t = json_object_get(obj, "timeout");
    run->timeout = DEFAULT_TIMEOUT;
    if (t && (!json_is_number(t) || json_number_value(t) <= 0)) {
        fail(rd, "%s: 'timeout' must be a positive number of seconds", where);
        goto out;
    }
    if (t)
        run->timeout = json_number_value(t);
    json_t *sc = json_object_get(obj, "schedules");
    if (sc && (!json_is_integer(sc) || json_integer_value(sc) < 1 ||
               json_integer_value(sc) > 100000)) {
        fail(rd, "%s: 'schedules' must be a whole number from 1 to 100000",
             where);
        goto out;
    }
    if (sc && run->server) {
        fail(rd, "%s: the scheduler does not drive servers", where);
        goto out;
    }
    run->schedules = sc ? (int)json_integer_value(sc) : 0;
    rc = 0;
out:
    free(where);
    return rc;
}

static int read_runs(struct reader *rd, json_t *root, struct rl_rubric *r)
{
    json_t *runs = json_object_get(root, "runs");
    if (!json_is_object(runs) || json_object_size(runs) == 0)
        return fail(rd, "'runs' must be an object with at least one run");
    r->runs = xcalloc(json_object_size(runs), sizeof *r->runs);
    const char *name;
    json_t *val;
    json_object_foreach (runs, name, val) {
        if (read_run(rd, name, val, &r->runs[r->nruns++]) != 0)
            return -1;
    }
    return 0;
}

static int find_run(const struct rl_rubric *r, const char *name, size_t *i)
{
    for (*i = 0; *i < r->nruns; (*i)++)
        if (strcmp(r->runs[*i].name, name) == 0)
            return 0;
    return -1;
}

static int read_expect(struct reader *rd, json_t *obj, const char *where,
                       struct rl_rubric_check *c)
{
    json_t *expect = json_object_get(obj, "expect");
    json_t *forbid = json_object_get(obj, "forbid");
    if (!expect == !forbid)
        return fail(rd, "%s: give exactly one of 'expect' and 'forbid'", where);
    if (forbid) {
        c->expect = RL_EXPECT_FORBID;
        if (get_strings(rd, obj, "forbid", where, 1, &c->ids, NULL))
            return -1;
        for (size_t i = 0; c->ids[i]; i++)
            if (!rl_failure_mode_find(c->ids[i]))
                return fail(rd, "%s: unknown failure-mode ID '%s'", where,
                            c->ids[i]);
        return 0;
    }
    const char *e = json_is_string(expect) ? json_string_value(expect) : "";
    if (strcmp(e, "compiles") == 0)
        c->expect = RL_EXPECT_COMPILES;
    else if (strcmp(e, "echo") == 0)
        c->expect = RL_EXPECT_ECHO;
    else if (strcmp(e, "tests-pass") == 0)
        c->expect = RL_EXPECT_TESTS_PASS;
    else
        return fail(rd,
                    "%s: 'expect' must be \"compiles\", \"echo\" or "
                    "\"tests-pass\"",
                    where);
    return 0;
}

/* What only makes sense for some checks or runs. */
static int consistent(struct reader *rd, const struct rl_rubric *r,
                      const char *where, const struct rl_rubric_check *c)
{
    const struct rl_rubric_run *run = &r->runs[c->run];
    if (c->expect == RL_EXPECT_ECHO && !run->server)
        return fail(rd, "%s: \"echo\" needs a server run", where);
    if (c->expect == RL_EXPECT_TESTS_PASS && !run->check_tests)
        return fail(rd, "%s: \"tests-pass\" needs a check_tests run", where);
    if (c->tests && c->expect != RL_EXPECT_TESTS_PASS)
        return fail(rd, "%s: 'tests' goes with \"tests-pass\"", where);
    if (c->report_only && c->points != 0)
        return fail(rd, "%s: a report_only check has 0 points", where);
    return 0;
}

static int read_check(struct reader *rd, size_t index, json_t *obj,
                      struct rl_rubric *r, struct rl_rubric_check *c)
{
    static const char *const keys[] = {"name",        "points", "run",
                                       "expect",      "forbid", "tests",
                                       "report_only", NULL};
    char *where = xasprintf("checks[%zu]", index);
    char *run = NULL;
    int rc = -1;
    if (!json_is_object(obj)) {
        fail(rd, "%s: must be an object", where);
        goto out;
    }
    if (get_string(rd, obj, "name", where, 1, &c->name))
        goto out;
    free(where);
    where = xasprintf("checks[%zu] ('%s')", index, c->name);
    if (only_keys(rd, obj, where, keys))
        goto out;
    json_t *points = json_object_get(obj, "points");
    if (!json_is_integer(points) || json_integer_value(points) < 0 ||
        json_integer_value(points) > 1000) {
        fail(rd, "%s: 'points' must be a whole number from 0 to 1000", where);
        goto out;
    }
    c->points = (int)json_integer_value(points);
    if (get_string(rd, obj, "run", where, 1, &run))
        goto out;
    if (find_run(r, run, &c->run) != 0) {
        fail(rd, "%s: no run named '%s'", where, run);
        goto out;
    }
    if (read_expect(rd, obj, where, c) ||
        get_strings(rd, obj, "tests", where, 0, &c->tests, NULL) ||
        get_bool(rd, obj, "report_only", where, &c->report_only) ||
        consistent(rd, r, where, c))
        goto out;
    for (size_t i = 0; i < index; i++)
        if (strcmp(r->checks[i].name, c->name) == 0) {
            fail(rd, "%s: two checks have this name", where);
            goto out;
        }
    rc = 0;
out:
    free(run);
    free(where);
    return rc;
}

static int read_checks(struct reader *rd, json_t *root, struct rl_rubric *r)
{
    json_t *checks = json_object_get(root, "checks");
    if (!json_is_array(checks) || json_array_size(checks) == 0)
        return fail(rd, "'checks' must be a list with at least one check");
    r->checks = xcalloc(json_array_size(checks), sizeof *r->checks);
    for (size_t i = 0; i < json_array_size(checks); i++) {
        r->nchecks++;
        if (read_check(rd, i, json_array_get(checks, i), r, &r->checks[i]) != 0)
            return -1;
    }
    return 0;
}

static int read_rubric(struct reader *rd, json_t *root, struct rl_rubric *r)
{
    static const char *const keys[] = {"lab",  "title",  "student_files",
                                       "runs", "checks", NULL};
    if (!json_is_object(root))
        return fail(rd, "the rubric must be a JSON object");
    if (only_keys(rd, root, "the rubric", keys) ||
        get_string(rd, root, "lab", "the rubric", 1, &r->lab) ||
        get_string(rd, root, "title", "the rubric", 0, &r->title) ||
        get_strings(rd, root, "student_files", "the rubric", 1,
                    &r->student_files, NULL))
        return -1;
    for (size_t i = 0; r->student_files[i]; i++)
        if (safe_path(rd, "student_files", r->student_files[i]))
            return -1;
    if (!r->title)
        r->title = xstrdup(r->lab);
    return read_runs(rd, root, r) || read_checks(rd, root, r) ? -1 : 0;
}

int rl_rubric_load(const char *path, struct rl_rubric *r, char *err,
                   size_t errlen)
{
    struct reader rd = {path, err, errlen};
    memset(r, 0, sizeof *r);
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        if (jerr.line > 0)
            snprintf(err, errlen, "%s:%d: %s", path, jerr.line, jerr.text);
        else
            snprintf(err, errlen, "%s: %s", path, jerr.text);
        return -1;
    }
    int rc = read_rubric(&rd, root, r);
    json_decref(root);
    if (rc != 0)
        rl_rubric_free(r);
    return rc;
}

int rl_rubric_is_student_file(const struct rl_rubric *r, const char *path)
{
    for (size_t i = 0; r->student_files && r->student_files[i]; i++)
        if (strcmp(r->student_files[i], path) == 0)
            return 1;
    return 0;
}

int rl_rubric_max_score(const struct rl_rubric *r)
{
    int total = 0;
    for (size_t i = 0; i < r->nchecks; i++)
        total += r->checks[i].points;
    return total;
}

void rl_rubric_free(struct rl_rubric *r)
{
    for (size_t i = 0; i < r->nruns; i++) {
        struct rl_rubric_run *run = &r->runs[i];
        free(run->name);
        free_strings(run->sources);
        free_strings(run->args);
        free_strings(run->env);
        free_strings(run->tools);
    }
    for (size_t i = 0; i < r->nchecks; i++) {
        free(r->checks[i].name);
        free_strings(r->checks[i].ids);
        free_strings(r->checks[i].tests);
    }
    free(r->runs);
    free(r->checks);
    free(r->lab);
    free(r->title);
    free_strings(r->student_files);
    memset(r, 0, sizeof *r);
}
