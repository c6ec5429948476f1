/* policy.c: which tool to believe for which bug, and merging their reports. */
#include <stdlib.h>
#include <string.h>

#include "engine/failure_modes.h"
#include "engine/policy.h"

/*
 * Authoritative tools per id come from the failure-mode table
 * (failure_modes.c), whose comments say why tools are trusted: a
 * tool decides alone only where it does not report that id on correct
 * programs.  An id missing from the table has no authority, so its
 * findings are dropped; check_failure_modes.c makes sure every id has one.
 */
int rl_policy_is_authoritative(const char *id, const char *tool)
{
    return rl_failure_mode_trusts(id, tool);
}

static int shares_location(const struct rl_finding *a,
                           const struct rl_finding *b)
{
    for (size_t i = 0; i < b->nlocs; i++)
        if (rl_finding_has_location(a, b->locs[i].file, b->locs[i].line))
            return 1;
    return 0;
}

static int has_authority(const struct rl_finding *f)
{
    for (size_t t = 0; t < f->ntools; t++)
        if (rl_policy_is_authoritative(f->id, f->tools[t]))
            return 1;
    return 0;
}

/* Folds b into a.  The detail of an authoritative tool wins, since its
 * evidence (a lock cycle, a pair of accesses) is what the verdict rests on. */
static void absorb(struct rl_finding *a, struct rl_finding *b)
{
    for (size_t i = 0; i < b->nlocs; i++)
        rl_finding_add_location(a, b->locs[i].file, b->locs[i].line,
                                b->locs[i].function);
    int a_rules = has_authority(a);
    for (size_t t = 0; t < b->ntools; t++)
        rl_finding_add_tool(a, b->tools[t]);
    if (b->detail && (!a->detail || (!a_rules && has_authority(b))))
        rl_finding_set_detail(a, b->detail);
    /* The facts come along; the policy judges without them. */
    rl_finding_merge_facts(a, b);
}

/* Merges pairs with the same id and a common line until none is left. */
static void merge_same_bug(struct rl_findings *list)
{
    for (size_t i = 0; i < list->n; i++) {
        for (size_t j = i + 1; j < list->n; j++) {
            struct rl_finding *a = &list->v[i], *b = &list->v[j];
            if (strcmp(a->id, b->id) != 0 || !shares_location(a, b))
                continue;
            absorb(a, b);
            rl_findings_remove(list, j);
            j = i; /* a grew: look at every later finding again */
        }
    }
}

static int mode_rank(const char *id)
{
    int i = 0;
    for (; rl_failure_modes[i].id; i++)
        if (strcmp(rl_failure_modes[i].id, id) == 0)
            return i;
    return i;
}

static int compare_findings(const void *pa, const void *pb)
{
    const struct rl_finding *a = pa, *b = pb;
    int d = mode_rank(a->id) - mode_rank(b->id);
    if (d)
        return d;
    if (!a->nlocs || !b->nlocs)
        return (int)b->nlocs - (int)a->nlocs;
    d = strcmp(a->locs[0].file, b->locs[0].file);
    return d ? d : a->locs[0].line - b->locs[0].line;
}

/* Finding with the tool names in a fixed order, so reports do not vary
 * with which run happened to finish first. */
static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void rl_policy_drop_exit_fd_reports(struct rl_findings *raw)
{
    for (size_t i = raw->n; i-- > 0;) {
        const struct rl_finding *f = &raw->v[i];
        if (strcmp(f->id, "fd-leak") == 0 && (f->flags & RL_FINDING_AT_EXIT))
            rl_findings_remove(raw, i);
    }
}

void rl_policy_apply(struct rl_findings *raw, struct rl_findings *verdict)
{
    merge_same_bug(raw);
    int deadlocked = rl_findings_count_id(raw, "deadlock") > 0;
    for (size_t i = 0; i < raw->n;) {
        struct rl_finding *f = &raw->v[i];
        /* The run that hung proves more than the inversion predicts. */
        int hidden = deadlocked && strcmp(f->id, "lock-order-inversion") == 0;
        if (hidden || !has_authority(f) || f->nlocs == 0)
            rl_findings_remove(raw, i);
        else
            i++;
    }
    for (size_t i = 0; i < raw->n; i++)
        qsort(raw->v[i].tools, raw->v[i].ntools, sizeof(char *), compare_names);
    qsort(raw->v, raw->n, sizeof *raw->v, compare_findings);
    rl_findings_take(verdict, raw);
}
