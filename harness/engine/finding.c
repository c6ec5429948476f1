/* finding.c: building, combining and freeing lists of findings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/finding.h"
#include "lib/xalloc.h"

struct rl_finding *rl_findings_add(struct rl_findings *list, const char *id,
                                   const char *tool)
{
    if (list->n == list->cap) {
        list->cap = list->cap ? 2 * list->cap : 8;
        list->v = xrealloc(list->v, list->cap * sizeof *list->v);
    }
    struct rl_finding *f = &list->v[list->n++];
    memset(f, 0, sizeof *f);
    snprintf(f->id, sizeof f->id, "%s", id);
    f->thread = -1;
    f->fd = -1;
    if (tool)
        rl_finding_add_tool(f, tool);
    return f;
}

int rl_finding_has_location(const struct rl_finding *f, const char *file,
                            int line)
{
    for (size_t i = 0; i < f->nlocs; i++)
        if (f->locs[i].line == line && strcmp(f->locs[i].file, file) == 0)
            return 1;
    return 0;
}

void rl_finding_add_location(struct rl_finding *f, const char *file, int line,
                             const char *function)
{
    if (!file || rl_finding_has_location(f, file, line))
        return;
    f->locs = xrealloc(f->locs, (f->nlocs + 1) * sizeof *f->locs);
    struct rl_location *loc = &f->locs[f->nlocs++];
    loc->file = xstrdup(file);
    loc->line = line;
    loc->function = function ? xstrdup(function) : NULL;
}

int rl_finding_has_tool(const struct rl_finding *f, const char *tool)
{
    for (size_t i = 0; i < f->ntools; i++)
        if (strcmp(f->tools[i], tool) == 0)
            return 1;
    return 0;
}

void rl_finding_add_tool(struct rl_finding *f, const char *tool)
{
    if (f->ntools < RL_MAX_TOOLS && !rl_finding_has_tool(f, tool))
        f->tools[f->ntools++] = xstrdup(tool);
}

void rl_finding_set_detail(struct rl_finding *f, const char *detail)
{
    free(f->detail);
    f->detail = detail ? xstrdup(detail) : NULL;
}

void rl_finding_append_detail(struct rl_finding *f, const char *line)
{
    if (!f->detail) {
        f->detail = xstrdup(line);
        return;
    }
    size_t old = strlen(f->detail), add = strlen(line);
    f->detail = xrealloc(f->detail, old + add + 2);
    f->detail[old] = '\n';
    memcpy(f->detail + old + 1, line, add + 1);
}

void rl_finding_add_step(struct rl_finding *f, int thread, const char *op,
                         const char *file, int line, const char *detail,
                         int losing)
{
    f->trace = xrealloc(f->trace, (f->ntrace + 1) * sizeof *f->trace);
    struct rl_trace_step *s = &f->trace[f->ntrace++];
    s->thread = thread;
    s->op = xstrdup(op);
    s->file = file ? xstrdup(file) : NULL;
    s->line = line;
    s->detail = detail ? xstrdup(detail) : NULL;
    s->losing = losing;
    s->raw = -1;
    s->runnable = 0;
    s->object = NULL;
    s->value = NULL;
}

void rl_finding_step_object(struct rl_finding *f, const char *object,
                            const char *value)
{
    if (f->ntrace == 0)
        return;
    struct rl_trace_step *s = &f->trace[f->ntrace - 1];
    free(s->object);
    free(s->value);
    s->object = object ? xstrdup(object) : NULL;
    s->value = value ? xstrdup(value) : NULL;
}

void rl_finding_add_wait(struct rl_finding *f, const char *waiter,
                         const char *holder, const char *object, int in_cycle)
{
    f->waits = xrealloc(f->waits, (f->nwaits + 1) * sizeof *f->waits);
    struct rl_wait_edge *w = &f->waits[f->nwaits++];
    w->waiter = xstrdup(waiter);
    w->holder = holder ? xstrdup(holder) : NULL;
    w->object = xstrdup(object ? object : "?");
    w->in_cycle = in_cycle;
}

void rl_finding_set_scenario(struct rl_finding *f, const char *scenario)
{
    free(f->scenario);
    f->scenario = scenario ? xstrdup(scenario) : NULL;
}

struct rl_side *rl_finding_add_side(struct rl_finding *f, const char *what)
{
    f->sides = xrealloc(f->sides, (f->nsides + 1) * sizeof *f->sides);
    struct rl_side *s = &f->sides[f->nsides++];
    *s = (struct rl_side){.what = xstrdup(what ? what : "")};
    return s;
}

void rl_side_add_frame(struct rl_side *s, const char *file, int line,
                       const char *function)
{
    s->frames = xrealloc(s->frames, (s->nframes + 1) * sizeof *s->frames);
    s->frames[s->nframes++] = (struct rl_location){
        xstrdup(file), line, function ? xstrdup(function) : NULL};
}

void rl_finding_merge_facts(struct rl_finding *a, const struct rl_finding *b)
{
    unsigned both = a->flags & b->flags & RL_FINDING_AT_EXIT;
    a->flags = ((a->flags | b->flags) & ~RL_FINDING_AT_EXIT) | both;
    if (a->thread < 0)
        a->thread = b->thread;
    if (a->fd < 0)
        a->fd = b->fd;
    if (a->location_kind == RL_LOCATION_UNKNOWN)
        a->location_kind = b->location_kind;
    if (!a->run && b->run)
        a->run = xstrdup(b->run);
    if (!a->scenario && b->scenario)
        a->scenario = xstrdup(b->scenario);
    size_t had = a->nsides; /* a's own sides, if any, stay */
    for (size_t i = 0; !had && i < b->nsides; i++) {
        struct rl_side *s = rl_finding_add_side(a, b->sides[i].what);
        for (size_t j = 0; j < b->sides[i].nframes; j++)
            rl_side_add_frame(s, b->sides[i].frames[j].file,
                              b->sides[i].frames[j].line,
                              b->sides[i].frames[j].function);
    }
}

void rl_findings_set_run(struct rl_findings *list, size_t from, const char *run)
{
    for (size_t i = from; i < list->n; i++)
        if (!list->v[i].run)
            list->v[i].run = xstrdup(run);
}

static void finding_free(struct rl_finding *f)
{
    for (size_t i = 0; i < f->nsides; i++) {
        for (size_t j = 0; j < f->sides[i].nframes; j++) {
            free(f->sides[i].frames[j].file);
            free(f->sides[i].frames[j].function);
        }
        free(f->sides[i].frames);
        free(f->sides[i].what);
    }
    free(f->sides);
    free(f->run);
    free(f->scenario);
    for (size_t i = 0; i < f->ntrace; i++) {
        free(f->trace[i].op);
        free(f->trace[i].file);
        free(f->trace[i].detail);
        free(f->trace[i].object);
        free(f->trace[i].value);
    }
    free(f->trace);
    for (size_t i = 0; i < f->nwaits; i++) {
        free(f->waits[i].waiter);
        free(f->waits[i].holder);
        free(f->waits[i].object);
    }
    free(f->waits);
    for (size_t i = 0; i < f->nlocs; i++) {
        free(f->locs[i].file);
        free(f->locs[i].function);
    }
    free(f->locs);
    for (size_t i = 0; i < f->ntools; i++)
        free(f->tools[i]);
    free(f->detail);
}

void rl_findings_take(struct rl_findings *dst, struct rl_findings *src)
{
    for (size_t i = 0; i < src->n; i++) {
        struct rl_finding *f = rl_findings_add(dst, src->v[i].id, NULL);
        *f = src->v[i]; /* ownership of every pointer moves to dst */
    }
    free(src->v);
    memset(src, 0, sizeof *src);
}

void rl_findings_remove(struct rl_findings *list, size_t i)
{
    finding_free(&list->v[i]);
    memmove(&list->v[i], &list->v[i + 1], (list->n - i - 1) * sizeof *list->v);
    list->n--;
}

int rl_findings_count_id(const struct rl_findings *list, const char *id)
{
    int count = 0;
    for (size_t i = 0; i < list->n; i++)
        count += strcmp(list->v[i].id, id) == 0;
    return count;
}

void rl_findings_free(struct rl_findings *list)
{
    for (size_t i = 0; i < list->n; i++)
        finding_free(&list->v[i]);
    free(list->v);
    memset(list, 0, sizeof *list);
}

void rl_trace_thread_name(char *buf, size_t len, int t)
{
    if (t == 0)
        snprintf(buf, len, "main");
    else
        snprintf(buf, len, "T%d", t);
}
