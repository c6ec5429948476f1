/* lab_tests.c: the tests a lab's Check sources register, and a test log
 * checked against them.
 *
 * Why from the sources: the rubric names only the tests some checks
 * need, and listing the tests by running the test binary would run code
 * linked with the student's; the lab's sources are racelab's own and are
 * read as text, in the one style the labs use (a name in quotes, a
 * variable, a test function). */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grade/lab_tests.h"
#include "lib/xalloc.h"

#define ID "([A-Za-z_][A-Za-z0-9_]*)"
#define SP "[[:space:]]*"

enum call { SUITE_CREATE, TCASE_CREATE, ADD_TCASE, ADD_TEST, NCALLS };

static const char *const patterns[NCALLS] = {
    [SUITE_CREATE] = ID SP "=" SP "suite_create" SP "\\(" SP "\"([^\"]*)\"",
    [TCASE_CREATE] = ID SP "=" SP "tcase_create" SP "\\(" SP "\"([^\"]*)\"",
    [ADD_TCASE] = "suite_add_tcase" SP "\\(" SP ID SP "," SP ID,
    [ADD_TEST] = "tcase_add_(loop_)?(test|test_raise_signal|exit_test)" SP
                 "\\(" SP ID SP "," SP ID,
};

/* A variable's latest value: a suite's name, or a test case instance. */
struct binding {
    char *var;
    char *name;
    size_t instance; /* test cases: which tcase_create */
};

struct parser {
    struct binding *suites, *tcases;
    size_t nsuites, ntcases;
    char **instance_suite; /* per tcase_create: its suite, once added */
    size_t ninstances;
    size_t *test_instance; /* per test found */
};

static char *group(const char *text, const regmatch_t *m)
{
    return xasprintf("%.*s", (int)(m->rm_eo - m->rm_so), text + m->rm_so);
}

static struct binding *find(struct binding *v, size_t n, const char *var)
{
    for (size_t i = n; i-- > 0;)
        if (strcmp(v[i].var, var) == 0)
            return &v[i];
    return NULL;
}

static void bind(struct binding **v, size_t *n, char *var, char *name,
                 size_t instance)
{
    *v = xrealloc(*v, (*n + 1) * sizeof **v);
    (*v)[(*n)++] = (struct binding){var, name, instance};
}

static void on_call(struct parser *p, struct rl_lab_tests *t, enum call c,
                    const char *text, const regmatch_t *m)
{
    if (c == SUITE_CREATE) {
        bind(&p->suites, &p->nsuites, group(text, &m[1]), group(text, &m[2]),
             0);
    } else if (c == TCASE_CREATE) {
        p->instance_suite =
            xrealloc(p->instance_suite, (p->ninstances + 1) * sizeof(char *));
        p->instance_suite[p->ninstances] = NULL;
        bind(&p->tcases, &p->ntcases, group(text, &m[1]), group(text, &m[2]),
             p->ninstances++);
    } else if (c == ADD_TCASE) {
        char *svar = group(text, &m[1]), *tvar = group(text, &m[2]);
        struct binding *s = find(p->suites, p->nsuites, svar);
        struct binding *tc = find(p->tcases, p->ntcases, tvar);
        if (s && tc && !p->instance_suite[tc->instance])
            p->instance_suite[tc->instance] = xstrdup(s->name);
        free(svar);
        free(tvar);
    } else {
        char *tvar = group(text, &m[3]);
        struct binding *tc = find(p->tcases, p->ntcases, tvar);
        free(tvar);
        if (!tc)
            return;
        t->v = xrealloc(t->v, (t->n + 1) * sizeof *t->v);
        p->test_instance =
            xrealloc(p->test_instance, (t->n + 1) * sizeof *p->test_instance);
        p->test_instance[t->n] = tc->instance;
        t->v[t->n++] = (struct rl_lab_test){
            NULL, xstrdup(tc->name), group(text, &m[4]), m[1].rm_so >= 0};
    }
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    size_t cap = 65536, n = 0;
    char *buf = xmalloc(cap + 1);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n, f)) > 0)
        if ((n += got) == cap)
            buf = xrealloc(buf, (cap *= 2) + 1);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void read_file(const char *path, regex_t *re, struct rl_lab_tests *t)
{
    char *text = slurp(path);
    if (!text)
        return;
    struct parser p = {0};
    size_t first = t->n;
    for (const char *at = text;;) {
        regmatch_t best[5] = {0}, m[5];
        int which = -1;
        for (int c = 0; c < NCALLS; c++)
            if (regexec(&re[c], at, 5, m, 0) == 0 &&
                (which < 0 || m[0].rm_so < best[0].rm_so)) {
                which = c;
                memcpy(best, m, sizeof best);
            }
        if (which < 0)
            break;
        on_call(&p, t, which, at, best);
        at += best[0].rm_eo;
    }
    for (size_t i = first; i < t->n; i++) {
        const char *s = p.instance_suite[p.test_instance[i - first]];
        t->v[i].suite = s ? xstrdup(s) : NULL;
    }
    for (size_t i = 0; i < p.nsuites; i++) {
        free(p.suites[i].var);
        free(p.suites[i].name);
    }
    for (size_t i = 0; i < p.ntcases; i++) {
        free(p.tcases[i].var);
        free(p.tcases[i].name);
    }
    for (size_t i = 0; i < p.ninstances; i++)
        free(p.instance_suite[i]);
    free(p.suites);
    free(p.tcases);
    free(p.instance_suite);
    free(p.test_instance);
    free(text);
}

void rl_lab_tests_read(char *const *paths, struct rl_lab_tests *t)
{
    memset(t, 0, sizeof *t);
    regex_t re[NCALLS];
    for (int c = 0; c < NCALLS; c++)
        if (regcomp(&re[c], patterns[c], REG_EXTENDED) != 0)
            abort(); /* the patterns are constants */
    for (size_t i = 0; paths && paths[i]; i++)
        read_file(paths[i], re, t);
    for (int c = 0; c < NCALLS; c++)
        regfree(&re[c]);
}

void rl_lab_tests_free(struct rl_lab_tests *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->v[i].suite);
        free(t->v[i].tcase);
        free(t->v[i].name);
    }
    free(t->v);
    memset(t, 0, sizeof *t);
}

static int same(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

static int selected(const struct rl_lab_test *lt, const char *run_suite,
                    const char *run_case)
{
    return (!run_suite || !lt->suite || strcmp(run_suite, lt->suite) == 0) &&
           (!run_case || strcmp(run_case, lt->tcase) == 0);
}

/* The lab's test that this logged test is, or NULL. */
static const struct rl_lab_test *lab_test_of(const struct rl_lab_tests *t,
                                             const struct rl_ck_test *ct)
{
    for (size_t i = 0; i < t->n; i++)
        if (same(t->v[i].name, ct->name) && same(t->v[i].tcase, ct->tcase) &&
            (!t->v[i].suite || same(t->v[i].suite, ct->suite)))
            return &t->v[i];
    return NULL;
}

char *rl_lab_tests_verify(const struct rl_lab_tests *t,
                          const struct rl_ck_results *r, const char *run_suite,
                          const char *run_case)
{
    if (t->n == 0)
        return NULL; /* nothing to compare with */
    size_t *seen = xcalloc(t->n + 1, sizeof *seen);
    char *why = NULL;
    for (size_t i = 0; !why && i < r->n; i++) {
        const struct rl_ck_test *ct = &r->v[i];
        const struct rl_lab_test *lt = lab_test_of(t, ct);
        if (!lt || !selected(lt, run_suite, run_case))
            why = xasprintf("the log names a test the lab does not run here "
                            "('%.80s')",
                            ct->name ? ct->name : "");
        else if (seen[lt - t->v]++ && !lt->loop)
            why = xasprintf("the log has test '%.80s' twice", lt->name);
    }
    for (size_t i = 0; !why && r->complete && i < t->n; i++)
        if (!seen[i] && selected(&t->v[i], run_suite, run_case))
            why = xasprintf("the log says the tests ended but lacks test "
                            "'%s'",
                            t->v[i].name);
    free(seen);
    return why;
}
