/* check_xml.c: Check's XML log read with expat, tolerant of a cut end. */
#include <errno.h>
#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grade/check_xml.h"
#include "lib/xalloc.h"

/* Check writes its elements in the namespace below; expat is told to
 * join namespace and local name with '|', so we compare local names. */
#define CHECK_NS_SEP '|'

struct parse_state {
    struct rl_ck_results *r;
    char *suite;
    struct rl_ck_test *test; /* the <test> being read, or NULL */
    char **field;            /* the text element being read, or NULL */
    int saw_root;
};

static const char *local_name(const char *name)
{
    const char *sep = strrchr(name, CHECK_NS_SEP);
    return sep ? sep + 1 : name;
}

static const char *attr(const char **attrs, const char *want)
{
    for (size_t i = 0; attrs[i]; i += 2)
        if (strcmp(local_name(attrs[i]), want) == 0)
            return attrs[i + 1];
    return NULL;
}

static void start_test(struct parse_state *s, const char **attrs)
{
    struct rl_ck_results *r = s->r;
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 16;
        r->v = xrealloc(r->v, r->cap * sizeof *r->v);
    }
    s->test = &r->v[r->n];
    memset(s->test, 0, sizeof *s->test);
    const char *result = attr(attrs, "result");
    s->test->result = xstrdup(result ? result : "");
    s->test->suite = xstrdup(s->suite ? s->suite : "");
}

/* The text-holding element this name stands for, inside <test> or
 * directly inside <suite>. */
static char **text_field(struct parse_state *s, const char *name)
{
    if (!s->test)
        return strcmp(name, "title") == 0 ? &s->suite : NULL;
    if (strcmp(name, "id") == 0)
        return &s->test->name;
    if (strcmp(name, "fn") == 0)
        return &s->test->fn;
    if (strcmp(name, "description") == 0)
        return &s->test->tcase;
    if (strcmp(name, "message") == 0)
        return &s->test->message;
    return NULL;
}

static void XMLCALL on_start(void *data, const char *name, const char **attrs)
{
    struct parse_state *s = data;
    const char *local = local_name(name);
    if (strcmp(local, "testsuites") == 0)
        s->saw_root = 1;
    else if (strcmp(local, "suite") == 0) {
        free(s->suite);
        s->suite = NULL;
    } else if (strcmp(local, "test") == 0)
        start_test(s, attrs);
    else if ((s->field = text_field(s, local)) != NULL) {
        free(*s->field);
        *s->field = xstrdup("");
    }
}

static void XMLCALL on_end(void *data, const char *name)
{
    struct parse_state *s = data;
    const char *local = local_name(name);
    s->field = NULL;
    if (strcmp(local, "test") == 0 && s->test) {
        s->r->n++; /* only a whole <test> counts as a result */
        s->test = NULL;
    } else if (strcmp(local, "testsuites") == 0)
        s->r->complete = 1;
}

static void XMLCALL on_text(void *data, const char *text, int len)
{
    struct parse_state *s = data;
    if (!s->field)
        return;
    char *joined = xasprintf("%s%.*s", *s->field, len, text);
    free(*s->field);
    *s->field = joined;
}

static void free_test(struct rl_ck_test *t)
{
    free(t->suite);
    free(t->tcase);
    free(t->name);
    free(t->result);
    free(t->fn);
    free(t->message);
}

/* Feeds the whole file; a parse error after the root opened is a log cut
 * short, which keeps what was read. */
static int parse_file(XML_Parser p, FILE *f, struct parse_state *s,
                      const char *path, char *err, size_t errlen)
{
    char buf[8192];
    size_t got;
    int final = 0;
    while (!final) {
        got = fread(buf, 1, sizeof buf, f);
        final = got < sizeof buf;
        if (XML_Parse(p, buf, (int)got, final) == XML_STATUS_ERROR) {
            if (s->saw_root)
                return 0;
            snprintf(err, errlen, "'%s' is not a Check XML log: %s", path,
                     XML_ErrorString(XML_GetErrorCode(p)));
            return -1;
        }
    }
    if (!s->saw_root) {
        snprintf(err, errlen, "'%s' is not a Check XML log", path);
        return -1;
    }
    return 0;
}

int rl_ck_results_read(const char *path, struct rl_ck_results *r, char *err,
                       size_t errlen)
{
    memset(r, 0, sizeof *r);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
        return -1;
    }
    XML_Parser p = XML_ParserCreateNS(NULL, CHECK_NS_SEP);
    if (!p) {
        fclose(f);
        snprintf(err, errlen, "cannot create an XML parser");
        return -1;
    }
    struct parse_state s = {r, NULL, NULL, NULL, 0};
    XML_SetUserData(p, &s);
    XML_SetElementHandler(p, on_start, on_end);
    XML_SetCharacterDataHandler(p, on_text);
    int rc = parse_file(p, f, &s, path, err, errlen);
    if (s.test) /* a <test> cut short is no result */
        free_test(s.test);
    free(s.suite);
    XML_ParserFree(p);
    fclose(f);
    if (rc != 0)
        rl_ck_results_free(r);
    return rc;
}

const struct rl_ck_test *rl_ck_results_find(const struct rl_ck_results *r,
                                            const char *name)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->v[i].name && strcmp(r->v[i].name, name) == 0)
            return &r->v[i];
    return NULL;
}

void rl_ck_results_free(struct rl_ck_results *r)
{
    for (size_t i = 0; i < r->n; i++)
        free_test(&r->v[i]);
    free(r->v);
    memset(r, 0, sizeof *r);
}
