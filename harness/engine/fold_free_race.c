/* fold_free_race.c: TSan's race with a free folded into the
 * use-after-free the memory tools report on the same lines. */
#include <stdlib.h>
#include <string.h>

#include "engine/fold_free_race.h"
#include "lib/xalloc.h"

static int shares_line(const struct rl_finding *a, const struct rl_finding *b)
{
    for (size_t i = 0; i < b->nlocs; i++)
        if (rl_finding_has_location(a, b->locs[i].file, b->locs[i].line))
            return 1;
    return 0;
}

/* The use-after-free finding d confirms, or NULL. */
static struct rl_finding *confirmed(struct rl_findings *raw,
                                    const struct rl_finding *d)
{
    for (size_t i = 0; i < raw->n; i++)
        if (strcmp(raw->v[i].id, "use-after-free") == 0 &&
            shares_line(&raw->v[i], d))
            return &raw->v[i];
    return NULL;
}

/* u takes d's tools, lines and evidence (each line once, named by tool). */
static void fold(struct rl_finding *u, const struct rl_finding *d)
{
    for (size_t t = 0; t < d->ntools; t++)
        rl_finding_add_tool(u, d->tools[t]);
    for (size_t i = 0; i < d->nlocs; i++)
        rl_finding_add_location(u, d->locs[i].file, d->locs[i].line,
                                d->locs[i].function);
    if (!d->detail)
        return;
    char *copy = xstrdup(d->detail), *save = NULL;
    for (char *l = strtok_r(copy, "\n", &save); l;
         l = strtok_r(NULL, "\n", &save)) {
        char *line = xasprintf("%s: %s", d->tools[0] ? d->tools[0] : "?", l);
        if (!u->detail || !strstr(u->detail, line))
            rl_finding_append_detail(u, line);
        free(line);
    }
    free(copy);
}

void rl_fold_free_races(struct rl_findings *raw)
{
    for (size_t j = 0; j < raw->n;) {
        struct rl_finding *d = &raw->v[j];
        struct rl_finding *u = NULL;
        if (strcmp(d->id, "data-race") == 0 &&
            (d->flags & RL_FINDING_FREE_ACCESS))
            u = confirmed(raw, d);
        if (!u) {
            j++;
            continue;
        }
        fold(u, d);
        rl_finding_merge_facts(u, d);
        u->flags &= ~RL_FINDING_FREE_ACCESS;
        rl_findings_remove(raw, j);
    }
}
