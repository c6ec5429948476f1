/* tool_memcheck.c: valgrind's memcheck: leaks, use-after-free, open fds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/tool.h"
#include "tools/valgrind_xml.h"

static const char *const memcheck_opts[] = {
    "--leak-check=full",
    /* "possibly lost" and "still reachable" are not bugs we name. */
    "--show-leak-kinds=definite",
    "--errors-for-leak-kinds=definite",
    /* Descriptors open at exit; their stacks land in the XML file. */
    "--track-fds=yes",
    NULL,
};

static int memcheck_prepare(struct rl_run *run, char *err, size_t errlen)
{
    return rl_vg_prepare(run, memcheck_opts, err, errlen);
}

/* "allocated in f (x.c:3), called from main (x.c:9)": the user's frames of
 * the allocation, innermost first; the finding's location is the first. */
static void add_alloc_detail(struct rl_finding *f, const struct rl_vg_stack *st,
                             const struct rl_sources *src)
{
    char line[1024];
    size_t len = 0;
    for (size_t i = 0; i < st->n && len < sizeof line - 1; i++) {
        const char *given = rl_vg_frame_source(&st->v[i], src);
        if (!given || st->v[i].line <= 0)
            continue;
        len += snprintf(line + len, sizeof line - len, "%s %s (%s:%d)",
                        len ? ", called from" : "allocated in",
                        st->v[i].fn ? st->v[i].fn : "??", given, st->v[i].line);
    }
    if (len)
        rl_finding_append_detail(f, line);
}

static void map_leak(const struct rl_vg_error *e, const struct rl_run *run,
                     struct rl_findings *out)
{
    if (e->nstacks == 0)
        return;
    const struct rl_vg_stack *alloc = &e->stacks[0];
    size_t before = out->n;
    struct rl_finding *f = rl_vg_add_finding(out, "memory-leak", "memcheck",
                                             run->sources, &alloc, 1, e->what);
    if (f)
        f->flags |= RL_FINDING_AT_EXIT; /* memcheck's leak check at exit */
    if (f && out->n > before)
        add_alloc_detail(f, alloc, run->sources);
}

/* The stack after an auxwhat saying the block was free'd, or NULL. */
static const struct rl_vg_stack *free_stack(const struct rl_vg_error *e)
{
    for (size_t i = 0; i < e->nstacks; i++)
        if (e->stacks[i].label && strstr(e->stacks[i].label, " free'd"))
            return &e->stacks[i];
    return NULL;
}

static void map_use_after_free(const struct rl_vg_error *e,
                               const struct rl_run *run,
                               struct rl_findings *out)
{
    const struct rl_vg_stack *st[2] = {&e->stacks[0], free_stack(e)};
    if (!st[1])
        return; /* an invalid access, but not to a freed block */
    size_t before = out->n;
    struct rl_finding *f = rl_vg_add_finding(out, "use-after-free", "memcheck",
                                             run->sources, st, 2, e->what);
    if (f && out->n > before)
        rl_finding_append_detail(f, st[1]->label);
}

static int is_invalid_access(const char *kind)
{
    return strcmp(kind, "InvalidRead") == 0 ||
           strcmp(kind, "InvalidWrite") == 0 ||
           strcmp(kind, "InvalidFree") == 0 ||
           strcmp(kind, "SyscallParam") == 0;
}

/*
 * Each descriptor the program itself opened (not inherited) has, in this
 * order, a line in the log and a stack in the XML after the final status.
 * When the two counts differ the pairing is unsafe and nothing is said.
 */
static void map_open_fds(const struct rl_vg_report *r,
                         const struct rl_vg_fd_list *fds,
                         const struct rl_run *run, struct rl_findings *out)
{
    size_t own = 0;
    for (size_t i = 0; i < fds->n; i++)
        own += !fds->v[i].inherited;
    if (own != r->nexit_stacks)
        return;
    size_t k = 0;
    for (size_t i = 0; i < fds->n; i++) {
        if (fds->v[i].inherited)
            continue;
        const struct rl_vg_stack *st = &r->exit_stacks[k++];
        if (fds->v[i].fd <= 2)
            continue; /* stdin, stdout, stderr reopened: not a leak */
        char detail[512];
        snprintf(detail, sizeof detail, "still open at exit: %s",
                 fds->v[i].desc);
        struct rl_finding *f = rl_vg_add_finding(out, "fd-leak", "memcheck",
                                                 run->sources, &st, 1, detail);
        if (f) {
            f->flags |= RL_FINDING_AT_EXIT; /* listed as the run ended */
            if (f->fd < 0)
                f->fd = fds->v[i].fd;
        }
    }
}

static int parse_fds(const struct rl_vg_report *r, const struct rl_run *run,
                     struct rl_findings *out, char *err, size_t errlen)
{
    struct rl_vg_fd_list fds;
    char *log = rl_vg_log_path(run);
    int rc = rl_vg_parse_fd_log(log, &fds, err, errlen);
    free(log);
    if (rc == 0)
        map_open_fds(r, &fds, run, out);
    rl_vg_fd_list_free(&fds);
    return rc;
}

static int memcheck_parse(struct rl_run *run, struct rl_findings *out,
                          char *err, size_t errlen)
{
    struct rl_vg_report r;
    char *xml = rl_vg_xml_path(run);
    int rc = rl_vg_parse_file(xml, &r, err, errlen);
    free(xml);
    if (rc < 0)
        return rl_vg_report_lost(run, err);
    /* A killed process still holds memory and descriptors in frames that
     * never returned: memcheck calls them leaks, but they are not. */
    int trust_exit = run->result.exited;
    for (size_t i = 0; i < r.nerrors; i++) {
        const struct rl_vg_error *e = &r.errors[i];
        if (!e->kind || e->nstacks == 0)
            continue;
        if (strcmp(e->kind, "Leak_DefinitelyLost") == 0 && trust_exit)
            map_leak(e, run, out);
        else if (is_invalid_access(e->kind))
            map_use_after_free(e, run, out);
    }
    if (trust_exit)
        rc = parse_fds(&r, run, out, err, errlen);
    rl_vg_report_free(&r);
    return rc < 0 ? rl_vg_report_lost(run, err) : 0;
}

const struct rl_tool rl_tool_memcheck = {
    .name = "memcheck",
    .variant = RL_VARIANT_PLAIN,
    .needs = RL_NEEDS_VALGRIND,
    .prepare = memcheck_prepare,
    .parse = memcheck_parse,
};
