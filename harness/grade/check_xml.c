/* check_xml.c: Check's XML log read with expat, tolerant of a cut end.
 * The log is written by the process under test, so it is read as hostile
 * input: a size cap, no document type (Check never writes one, and it is
 * where entity bombs live), and a cap on each text field. */
#include <errno.h>
#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grade/check_xml.h"
#include "lib/result_file.h"
#include "lib/xalloc.h"

/* Check's log of a lab's few dozen tests is a few KiB. */
#define LOG_MAX_BYTES (4u << 20)
/* What is kept of one <message> or <id>: reports show less. */
#define FIELD_MAX_BYTES (16u << 10)

/* Check writes its elements in the namespace below; expat is told to
 * join namespace and local name with '|', so we compare local names. */
#define CHECK_NS_SEP '|'

struct parse_state {
    struct rl_ck_results *r;
    char *suite;
    struct rl_ck_test *test; /* the <test> being read, or NULL */
    char **field;            /* the text element being read, or NULL */
    int saw_root;
    int saw_doctype; /* parsing was stopped: the log is not Check's */
    XML_Parser parser;
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
    size_t have = strlen(*s->field);
    if (have >= FIELD_MAX_BYTES)
        return;
    if ((size_t)len > FIELD_MAX_BYTES - have)
        len = (int)(FIELD_MAX_BYTES - have);
    char *joined = xasprintf("%s%.*s", *s->field, len, text);
    free(*s->field);
    *s->field = joined;
}

/* Check writes no <!DOCTYPE>; one in its log was written by someone
 * else, and may declare entities that expand a few bytes into gigabytes
 * ("billion laughs"): stop before any of it is read. */
static void XMLCALL on_doctype(void *data, const XML_Char *name,
                               const XML_Char *sysid, const XML_Char *pubid,
                               int has_internal_subset)
{
    struct parse_state *s = data;
    s->saw_doctype = 1;
    XML_StopParser(s->parser, XML_FALSE);
}

static void XMLCALL on_entity(void *data, const XML_Char *name, int is_param,
                              const XML_Char *value, int value_length,
                              const XML_Char *base, const XML_Char *sysid,
                              const XML_Char *pubid, const XML_Char *notation)
{
    on_doctype(data, name, sysid, pubid, 1);
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
    size_t got, total = 0;
    int final = 0;
    while (!final) {
        got = fread(buf, 1, sizeof buf, f);
        final = got < sizeof buf;
        if ((total += got) > LOG_MAX_BYTES) {
            snprintf(err, errlen,
                     "the test log is too large: the program "
                     "wrote into it");
            return -1;
        }
        if (XML_Parse(p, buf, (int)got, final) == XML_STATUS_ERROR) {
            if (s->saw_doctype) {
                snprintf(err, errlen,
                         "the test log holds an XML document type, which "
                         "Check never writes: the program wrote into it");
                return -1;
            }
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
    int too_big;
    char why[256];
    FILE *f =
        rl_result_file_open(path, LOG_MAX_BYTES, &too_big, why, sizeof why);
    if (!f) {
        if (too_big)
            snprintf(err, errlen,
                     "the test log is too large: the program "
                     "wrote into it");
        else
            snprintf(err, errlen,
                     "the test log cannot be read (%s): the "
                     "program replaced it",
                     why);
        return -1;
    }
    XML_Parser p = XML_ParserCreateNS(NULL, CHECK_NS_SEP);
    if (!p) {
        fclose(f);
        snprintf(err, errlen, "cannot create an XML parser");
        return -1;
    }
    struct parse_state s = {r, NULL, NULL, NULL, 0, 0, p};
    XML_SetUserData(p, &s);
    XML_SetStartDoctypeDeclHandler(p, on_doctype);
    XML_SetEntityDeclHandler(p, on_entity);
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
