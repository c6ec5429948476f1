/* tool_drd.c: valgrind's drd: data races (conflicting accesses). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/tool.h"
#include "tools/valgrind_xml.h"

/* drd has no lock-order checker; its other kinds (MutexErr, CondErr, ...)
 * are misuses of the pthreads API with no failure-mode ID yet. */
static const char *const drd_opts[] = {
    "--show-confl-seg=yes", /* the other thread's segment, as evidence */
    /* Off by default in drd, but students share locals through pointers
     * to their threads (helgrind checks stacks anyway). */
    "--check-stack-var=yes",
    NULL,
};

static int drd_prepare(struct rl_run *run, char *err, size_t errlen)
{
    return rl_vg_prepare(run, drd_opts, err, errlen);
}

/* drd's "other segment" stacks are where the other thread's unordered
 * stretch of code starts and ends, not its access: they go in the detail,
 * and only the conflicting access is a location. */
static void add_segment_detail(struct rl_finding *f,
                               const struct rl_vg_error *e,
                               const struct rl_sources *src)
{
    for (size_t i = 1; i < e->nstacks; i++) {
        const char *given, *label = e->stacks[i].label;
        const struct rl_vg_frame *fr =
            rl_vg_user_frame(&e->stacks[i], src, &given);
        if (!fr || !label || strncmp(label, "other_segment_", 14) != 0)
            continue;
        char line[512];
        snprintf(line, sizeof line, "other thread's segment %s: %s (%s:%d)",
                 label + 14, fr->fn ? fr->fn : "??", given, fr->line);
        rl_finding_append_detail(f, line);
    }
}

static void map_error(const struct rl_vg_error *e, const struct rl_run *run,
                      struct rl_findings *out)
{
    if (strcmp(e->kind, "ConflictingAccess") != 0 || e->nstacks == 0)
        return;
    const struct rl_vg_stack *access = &e->stacks[0];
    size_t before = out->n;
    struct rl_finding *f = rl_vg_add_finding(out, "data-race", "drd",
                                             run->sources, &access, 1, NULL);
    if (!f || out->n == before)
        return;
    if (e->what)
        rl_finding_append_detail(f, e->what);
    for (size_t i = 0; i < e->naux; i++)
        rl_finding_append_detail(f, e->aux[i]);
    add_segment_detail(f, e, run->sources);
}

static int drd_parse(struct rl_run *run, struct rl_findings *out, char *err,
                     size_t errlen)
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

const struct rl_tool rl_tool_drd = {
    .name = "drd",
    .variant = RL_VARIANT_PLAIN,
    .needs = RL_NEEDS_VALGRIND,
    .prepare = drd_prepare,
    .parse = drd_parse,
};
