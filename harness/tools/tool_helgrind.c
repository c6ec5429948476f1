/* tool_helgrind.c: valgrind's helgrind: data races and lock-order cycles. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/tool.h"
#include "tools/valgrind_xml.h"

static const char *const helgrind_opts[] = {
    "--history-level=full",   /* keeps the other side of each race */
    "--track-lockorders=yes", /* the lock-order graph (the default) */
    NULL,
};

static int helgrind_prepare(struct rl_run *run, char *err, size_t errlen)
{
    return rl_vg_prepare(run, helgrind_opts, err, errlen);
}

/* The error's stacks whose label starts with one of prefixes (NULL-ended);
 * the error's own stack (no label) always comes first. */
static size_t pick_stacks(const struct rl_vg_error *e,
                          const char *const prefixes[],
                          const struct rl_vg_stack *out[], size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < e->nstacks && n < max; i++) {
        const char *label = e->stacks[i].label;
        int keep = !label;
        for (size_t k = 0; label && prefixes[k] && !keep; k++)
            keep = strncmp(label, prefixes[k], strlen(prefixes[k])) == 0;
        if (keep)
            out[n++] = &e->stacks[i];
    }
    return n;
}

/* The what line and the aux lines, except "first observed" ones (they
 * only say where valgrind first met each lock). */
static void add_detail(struct rl_finding *f, const struct rl_vg_error *e)
{
    if (e->what)
        rl_finding_append_detail(f, e->what);
    for (size_t i = 0; i < e->naux; i++)
        if (!strstr(e->aux[i], "was first observed"))
            rl_finding_append_detail(f, e->aux[i]);
}

static void map_error(const struct rl_vg_error *e, const struct rl_run *run,
                      struct rl_findings *out)
{
    static const char *const race_sides[] = {"This conflicts with", NULL};
    static const char *const order_sides[] = {"Required order", "followed by",
                                              NULL};
    const struct rl_vg_stack *st[8];
    const char *id;
    size_t n;
    if (strcmp(e->kind, "Race") == 0) {
        id = "data-race";
        n = pick_stacks(e, race_sides, st, 8);
    } else if (strcmp(e->kind, "LockOrder") == 0) {
        id = "lock-order-inversion";
        n = pick_stacks(e, order_sides, st, 8);
    } else {
        return; /* API misuse and the like have no failure-mode ID yet */
    }
    size_t before = out->n;
    struct rl_finding *f =
        rl_vg_add_finding(out, id, "helgrind", run->sources, st, n, NULL);
    if (f && out->n > before)
        add_detail(f, e);
}

static int helgrind_parse(struct rl_run *run, struct rl_findings *out,
                          char *err, size_t errlen)
{
    struct rl_vg_report r;
    char *xml = rl_vg_xml_path(run);
    int rc = rl_vg_parse_file(xml, &r, err, errlen);
    for (size_t i = 0; rc == 0 && i < r.nerrors; i++)
        if (r.errors[i].kind)
            map_error(&r.errors[i], run, out);
    rl_vg_report_free(&r);
    free(xml);
    return rc < 0 ? rl_vg_report_lost(run, err) : 0;
}

const struct rl_tool rl_tool_helgrind = {
    .name = "helgrind",
    .variant = RL_VARIANT_PLAIN,
    .needs = RL_NEEDS_VALGRIND,
    .prepare = helgrind_prepare,
    .parse = helgrind_parse,
};
