/* format_validate.c: JUnit XML (expat), SARIF (jansson) and GitHub
 * workflow commands read back and checked as their consumers read them. */
#include <check.h>
#include <ctype.h>
#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/failure_modes.h"
#include "format_validate.h"
#include "test_files.h"

/* --- JUnit ------------------------------------------------------------ */

/* Each element JUnit readers know, its parent, and its attributes
 * (GitLab's and GitHub's readers, docs/platforms.md). */
static const struct junit_element {
    const char *name, *parent;
    const char *attributes[10];
} junit_elements[] = {
    {"testsuites", NULL, {"name", "tests", "failures", "errors", "time"}},
    {"testsuite",
     "testsuites",
     {"name", "tests", "failures", "errors", "skipped", "time"}},
    {"properties", "testsuite", {NULL}},
    {"property", "properties", {"name", "value"}},
    {"testcase", "testsuite", {"classname", "name", "file", "line", "time"}},
    {"failure", "testcase", {"message", "type"}},
    {"error", "testcase", {"message", "type"}},
    {"system-out", "testcase", {NULL}},
};

struct junit_parse {
    struct junit_doc *d;
    const char *stack[16];
    size_t depth;
    char **text; /* where character data goes, or NULL */
    size_t text_len;
    char error[512];
};

static const struct junit_element *junit_element(const char *name)
{
    for (size_t i = 0; i < sizeof junit_elements / sizeof *junit_elements; i++)
        if (strcmp(junit_elements[i].name, name) == 0)
            return &junit_elements[i];
    return NULL;
}

static const char *attr(const char **atts, const char *name)
{
    for (size_t i = 0; atts[i]; i += 2)
        if (strcmp(atts[i], name) == 0)
            return atts[i + 1];
    return NULL;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void XMLCALL junit_start(void *data, const char *name, const char **atts)
{
    struct junit_parse *p = data;
    const struct junit_element *e = junit_element(name);
    const char *parent = p->depth ? p->stack[p->depth - 1] : NULL;
    if (p->error[0])
        return;
    if (!e || (parent == NULL) != (e->parent == NULL) ||
        (parent && strcmp(parent, e->parent) != 0)) {
        snprintf(p->error, sizeof p->error, "<%s> under <%s>", name,
                 parent ? parent : "(root)");
        return;
    }
    for (size_t i = 0; atts[i]; i += 2) {
        int known = 0;
        for (size_t k = 0; e->attributes[k]; k++)
            known |= strcmp(e->attributes[k], atts[i]) == 0;
        if (!known)
            snprintf(p->error, sizeof p->error, "<%s %s=...>", name, atts[i]);
    }
    if (p->depth < 16)
        p->stack[p->depth++] = e->name;
    struct junit_doc *d = p->d;
    if (strcmp(name, "testsuite") == 0) {
        d->suite_name = dup_or_null(attr(atts, "name"));
        d->tests = atol(attr(atts, "tests") ? attr(atts, "tests") : "-1");
        d->failures =
            atol(attr(atts, "failures") ? attr(atts, "failures") : "-1");
        d->errors = atol(attr(atts, "errors") ? attr(atts, "errors") : "-1");
    } else if (strcmp(name, "property") == 0) {
        const char *n = attr(atts, "name"), *v = attr(atts, "value");
        if (n && strcmp(n, "score") == 0)
            d->score = dup_or_null(v);
        if (n && strcmp(n, "max_score") == 0)
            d->max_score = dup_or_null(v);
    } else if (strcmp(name, "testcase") == 0) {
        if (d->ncases == JUNIT_MAX_CASES) {
            snprintf(p->error, sizeof p->error, "too many testcases");
            return;
        }
        struct junit_case *c = &d->cases[d->ncases++];
        const char *time = attr(atts, "time"), *line = attr(atts, "line");
        char *end = NULL;
        c->classname = dup_or_null(attr(atts, "classname"));
        c->name = dup_or_null(attr(atts, "name"));
        c->file = dup_or_null(attr(atts, "file"));
        c->line = line ? atoi(line) : 0;
        c->time = time ? strtod(time, &end) : -1;
        if (!c->classname || !c->name || !time || *end || c->time < 0 ||
            (line && c->line < 1))
            snprintf(p->error, sizeof p->error,
                     "testcase without classname, name or time, or a bad "
                     "time or line");
    } else if (strcmp(name, "failure") == 0 || strcmp(name, "error") == 0) {
        struct junit_case *c = &d->cases[d->ncases - 1];
        if (c->outcome)
            snprintf(p->error, sizeof p->error, "two outcomes in a testcase");
        c->outcome = strdup(name);
        c->message = dup_or_null(attr(atts, "message"));
        c->type = dup_or_null(attr(atts, "type"));
        if (!c->message || !c->type)
            snprintf(p->error, sizeof p->error, "<%s> without message or type",
                     name);
        c->body = strdup("");
        p->text = &c->body;
    } else if (strcmp(name, "system-out") == 0) {
        struct junit_case *c = &d->cases[d->ncases - 1];
        c->system_out = strdup("");
        p->text = &c->system_out;
    }
}

static void XMLCALL junit_end(void *data, const char *name)
{
    struct junit_parse *p = data;
    if (p->depth)
        p->depth--;
    p->text = NULL;
}

static void XMLCALL junit_chars(void *data, const char *s, int len)
{
    struct junit_parse *p = data;
    if (!p->text)
        return;
    size_t had = strlen(*p->text);
    *p->text = realloc(*p->text, had + (size_t)len + 1);
    memcpy(*p->text + had, s, (size_t)len);
    (*p->text)[had + (size_t)len] = '\0';
}

void junit_read(const char *path, struct junit_doc *d)
{
    memset(d, 0, sizeof *d);
    char *xml = test_read_all(path);
    ck_assert_msg(xml != NULL, "no JUnit file %s", path);
    ck_assert_msg(
        strncmp(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>", 38) == 0,
        "%s: no XML declaration", path);
    struct junit_parse p = {.d = d};
    XML_Parser parser = XML_ParserCreate("UTF-8");
    XML_SetUserData(parser, &p);
    XML_SetElementHandler(parser, junit_start, junit_end);
    XML_SetCharacterDataHandler(parser, junit_chars);
    int ok = XML_Parse(parser, xml, (int)strlen(xml), 1) == XML_STATUS_OK;
    ck_assert_msg(ok, "%s: not XML: %s at line %lu", path,
                  XML_ErrorString(XML_GetErrorCode(parser)),
                  (unsigned long)XML_GetCurrentLineNumber(parser));
    XML_ParserFree(parser);
    free(xml);
    ck_assert_msg(!p.error[0], "%s: %s", path, p.error);
    ck_assert_msg(d->suite_name != NULL, "%s: no testsuite", path);
    long failures = 0, errors = 0;
    for (size_t i = 0; i < d->ncases; i++) {
        failures +=
            d->cases[i].outcome && strcmp(d->cases[i].outcome, "failure") == 0;
        errors +=
            d->cases[i].outcome && strcmp(d->cases[i].outcome, "error") == 0;
    }
    ck_assert_int_eq(d->tests, (long)d->ncases);
    ck_assert_int_eq(d->failures, failures);
    ck_assert_int_eq(d->errors, errors);
}

void junit_free(struct junit_doc *d)
{
    free(d->suite_name);
    free(d->score);
    free(d->max_score);
    for (size_t i = 0; i < d->ncases; i++) {
        struct junit_case *c = &d->cases[i];
        free(c->classname);
        free(c->name);
        free(c->file);
        free(c->outcome);
        free(c->message);
        free(c->type);
        free(c->body);
        free(c->system_out);
    }
}

/* --- SARIF ------------------------------------------------------------ */

static json_t *get(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    ck_assert_msg(v != NULL, "SARIF: no \"%s\"", key);
    return v;
}

static const char *get_text(json_t *o, const char *key)
{
    json_t *v = json_object_get(get(o, key), "text");
    ck_assert_msg(json_is_string(v), "SARIF: no \"%s\".text", key);
    return json_string_value(v);
}

json_t *sarif_run(json_t *doc)
{
    json_t *run = json_array_get(get(doc, "runs"), 0);
    ck_assert_ptr_nonnull(run);
    return run;
}

/* A location as code scanning needs it: a URI and, if any, a line >= 1. */
static void sarif_location(json_t *loc)
{
    json_t *phys = get(loc, "physicalLocation");
    json_t *uri = json_object_get(get(phys, "artifactLocation"), "uri");
    ck_assert(json_is_string(uri) && json_string_length(uri) > 0);
    for (const char *u = json_string_value(uri); *u; u++)
        ck_assert_msg(!isspace((unsigned char)*u), "SARIF: a blank in a URI");
    json_t *region = json_object_get(phys, "region");
    if (region)
        ck_assert(json_integer_value(get(region, "startLine")) >= 1);
}

void sarif_check(json_t *doc)
{
    ck_assert_msg(doc != NULL, "no SARIF file, or not JSON");
    ck_assert_str_eq(json_string_value(get(doc, "version")), "2.1.0");
    const char *schema = json_string_value(get(doc, "$schema"));
    ck_assert_msg(schema && strstr(schema, "sarif") && strstr(schema, "2.1.0"),
                  "SARIF: $schema %s", schema ? schema : "?");
    ck_assert_int_eq(json_array_size(get(doc, "runs")), 1);
    json_t *run = sarif_run(doc);
    json_t *driver = get(get(run, "tool"), "driver");
    ck_assert_str_eq(json_string_value(get(driver, "name")), "racelab");
    json_t *rules = get(driver, "rules");
    ck_assert(json_is_array(rules));
    size_t i;
    json_t *rule;
    json_array_foreach (rules, i, rule) {
        const char *id = json_string_value(get(rule, "id"));
        const struct rl_failure_mode *m = rl_failure_mode_find(id);
        ck_assert_msg(m != NULL, "SARIF: rule %s is no failure-mode ID", id);
        /* The ID table's words, whole when they fit GitHub's 1,024. */
        const char *shortd = get_text(rule, "shortDescription");
        const char *full = get_text(rule, "fullDescription");
        ck_assert_str_eq(shortd, m->title);
        ck_assert(strlen(full) <= 1024);
        if (strlen(m->explanation) <= 1000)
            ck_assert_str_eq(full, m->explanation);
        else
            ck_assert(strncmp(full, m->explanation, 900) == 0);
        ck_assert_str_eq(get_text(rule, "help"), m->fix);
        const char *level =
            json_string_value(get(get(rule, "defaultConfiguration"), "level"));
        ck_assert(level && (strcmp(level, "note") == 0 ||
                            strcmp(level, "warning") == 0 ||
                            strcmp(level, "error") == 0));
        for (size_t k = 0; k < i; k++)
            ck_assert_str_ne(
                json_string_value(get(json_array_get(rules, k), "id")), id);
    }
    json_t *result;
    json_array_foreach (get(run, "results"), i, result) {
        const char *id = json_string_value(get(result, "ruleId"));
        json_t *index = get(result, "ruleIndex");
        json_t *its = json_array_get(rules, json_integer_value(index));
        ck_assert_msg(its && strcmp(json_string_value(get(its, "id")), id) == 0,
                      "SARIF: ruleIndex of %s", id);
        ck_assert(strlen(get_text(result, "message")) > 0);
        json_t *locs = get(result, "locations");
        ck_assert(json_array_size(locs) >= 1);
        size_t k;
        json_t *loc;
        json_array_foreach (locs, k, loc)
            sarif_location(loc);
        json_t *flows = json_object_get(result, "codeFlows"), *flow;
        json_array_foreach (flows, k, flow) {
            json_t *threads = get(flow, "threadFlows"), *thread;
            size_t t;
            ck_assert(json_array_size(threads) >= 2);
            json_array_foreach (threads, t, thread) {
                json_t *steps = get(thread, "locations"), *step;
                size_t s;
                ck_assert(json_array_size(steps) >= 1);
                json_array_foreach (steps, s, step)
                    sarif_location(get(step, "location"));
            }
        }
    }
    json_t *inv = json_array_get(get(run, "invocations"), 0);
    ck_assert(json_is_boolean(get(inv, "executionSuccessful")));
}

/* --- GitHub workflow commands ----------------------------------------- */

/* Undoes the runner's escapes: %25 %0D %0A, and in a property %3A %2C. */
static void unescape(char *out, size_t outlen, const char *s, size_t n,
                     int property)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < outlen; i++) {
        const char *codes = property ? "%25%0D%0A%3A%2C" : "%25%0D%0A";
        const char *plain = property ? "%\r\n:," : "%\r\n";
        char c = s[i];
        if (c == '%' && i + 2 < n + 1) {
            for (size_t k = 0; codes[3 * k]; k++)
                if (strncmp(s + i, codes + 3 * k, 3) == 0) {
                    c = plain[k];
                    i += 2;
                    break;
                }
        }
        out[o++] = c;
    }
    out[o] = '\0';
}

/* "error file=F,line=L,title=T::message": racelab's annotation, or a
 * failed assertion.  The properties' values must not hold a raw ':' or
 * ',' and every '%' must start an escape. */
static void gh_parse(const char *line, struct gh_command *c)
{
    memset(c, 0, sizeof *c);
    const char *sep = strstr(line, "::");
    ck_assert_msg(sep != NULL, "no '::' ending the command: %s", line);
    size_t head = (size_t)(sep - line);
    size_t kind = strcspn(line, " :");
    ck_assert(kind < sizeof c->kind);
    memcpy(c->kind, line, kind);
    ck_assert_msg(strcmp(c->kind, "error") == 0 ||
                      strcmp(c->kind, "warning") == 0 ||
                      strcmp(c->kind, "notice") == 0,
                  "a command racelab does not give: %s", line);
    const char *p = line + kind;
    if (*p == ' ')
        p++;
    while (p < sep) {
        const char *eq = memchr(p, '=', (size_t)(sep - p));
        ck_assert_msg(eq != NULL, "a property without '=': %s", line);
        const char *end = memchr(eq, ',', (size_t)(sep - eq));
        if (!end)
            end = sep;
        char key[32] = "";
        snprintf(key, sizeof key, "%.*s", (int)(eq - p), p);
        const char *value = eq + 1;
        size_t vlen = (size_t)(end - value);
        for (size_t i = 0; i < vlen; i++)
            if (value[i] == '%')
                ck_assert_msg(i + 2 < vlen + 1 &&
                                  (strncmp(value + i, "%25", 3) == 0 ||
                                   strncmp(value + i, "%0D", 3) == 0 ||
                                   strncmp(value + i, "%0A", 3) == 0 ||
                                   strncmp(value + i, "%3A", 3) == 0 ||
                                   strncmp(value + i, "%2C", 3) == 0),
                              "a stray '%%' in %s", line);
        if (strcmp(key, "file") == 0)
            unescape(c->file, sizeof c->file, value, vlen, 1);
        else if (strcmp(key, "title") == 0)
            unescape(c->title, sizeof c->title, value, vlen, 1);
        else if (strcmp(key, "line") == 0) {
            char *e;
            c->line = (int)strtol(value, &e, 10);
            ck_assert(e == end && c->line >= 1);
        } else
            ck_abort_msg("an undocumented property '%s': %s", key, line);
        p = end < sep ? end + 1 : sep;
    }
    (void)head;
    /* racelab titles every annotation: a bare "::error::text" is not its. */
    ck_assert_msg(c->title[0], "a command without a title: %s", line);
    const char *msg = sep + 2;
    for (const char *q = msg; *q; q++)
        if (*q == '%')
            ck_assert_msg(strncmp(q, "%25", 3) == 0 ||
                              strncmp(q, "%0D", 3) == 0 ||
                              strncmp(q, "%0A", 3) == 0,
                          "a stray '%%' in a message: %s", line);
    size_t n = strlen(msg);
    c->message = malloc(n + 1);
    unescape(c->message, n + 1, msg, n, 0);
}

void gh_read(const char *log, struct gh_log *g)
{
    memset(g, 0, sizeof *g);
    ck_assert_ptr_nonnull(log);
    char token[128] = "";
    int stopped = 0, fences = 0;
    const char *resume_at = NULL;
    for (const char *p = log; *p;) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char *line = strndup(p, len);
        ck_assert_msg(!strchr(line, '\r'), "a raw CR in the log: %s", line);
        const char *t = line;
        while (*t == ' ' || *t == '\t')
            t++;
        if (p == log) {
            /* Before anything else: the fence. */
            ck_assert_msg(strncmp(line, "::stop-commands::", 17) == 0,
                          "the log does not start with the fence: %s", line);
            snprintf(token, sizeof token, "%s", line + 17);
            ck_assert_int_eq(strlen(token), 32);
            ck_assert_int_eq(strspn(token, "0123456789abcdef"), 32);
            stopped = 1;
            fences = 1;
        } else if (stopped) {
            char resume[140];
            snprintf(resume, sizeof resume, "::%s::", token);
            if (strcmp(t, resume) == 0) {
                ck_assert_msg(t == line, "the resume line is indented");
                stopped = 0;
                resume_at = p;
            } else {
                ck_assert_msg(!strstr(line, token),
                              "the token leaked before the resume: %s", line);
            }
        } else if (strncmp(t, "::", 2) == 0 || strncmp(t, "##[", 3) == 0) {
            ck_assert_msg(strncmp(t, "::", 2) == 0 && t == line,
                          "a command racelab does not give: %s", line);
            ck_assert(g->n < GH_MAX_COMMANDS);
            gh_parse(t + 2, &g->commands[g->n++]);
        } else {
            /* After the resume only racelab's annotations, and Autolab's
             * line that must stay last. */
            ck_assert_msg(resume_at == NULL || t[0] == '{',
                          "text among the annotations: %s", line);
        }
        free(line);
        p += len + (end ? 1 : 0);
    }
    ck_assert_msg(fences == 1 && !stopped && resume_at,
                  "the commands were never resumed");
}

void gh_free(struct gh_log *g)
{
    for (size_t i = 0; i < g->n; i++)
        free(g->commands[i].message);
}
