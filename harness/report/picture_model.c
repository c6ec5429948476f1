/* picture_model.c: the lock-held bars and blocked stretches of a trace,
 * shared by the HTML page and the trace JSON. */
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "report/picture.h"

static struct rl_picture_span *push(struct rl_picture_span **v, size_t *n)
{
    *v = xrealloc(*v, (*n + 1) * sizeof **v);
    memset(&(*v)[*n], 0, sizeof **v);
    return &(*v)[(*n)++];
}

static int is(const struct rl_trace_step *s, const char *op)
{
    return strcmp(s->op, op) == 0;
}

/* The innermost lock thread t holds at this point, or NULL. */
static struct rl_picture_span *innermost(struct rl_picture_model *m, int t)
{
    struct rl_picture_span *best = NULL;
    for (size_t i = 0; i < m->nholds; i++)
        if (m->holds[i].thread == t && m->holds[i].open &&
            (!best || m->holds[i].depth > best->depth))
            best = &m->holds[i];
    return best;
}

static void open_hold(struct rl_picture_model *m, int t, size_t row,
                      const char *object)
{
    struct rl_picture_span *in = innermost(m, t);
    int depth = in ? in->depth + 1 : 0;
    struct rl_picture_span *h = push(&m->holds, &m->nholds);
    h->thread = t;
    h->from = h->to = row;
    h->object = object;
    h->depth = depth;
    h->open = 1;
}

static void close_hold(struct rl_picture_model *m, int t, size_t row,
                       const char *object)
{
    for (size_t i = m->nholds; i-- > 0;) {
        struct rl_picture_span *h = &m->holds[i];
        if (h->thread == t && h->open &&
            (!object || (h->object && strcmp(h->object, object) == 0))) {
            h->to = row;
            h->open = 0;
            return;
        }
    }
}

void rl_picture_model_build(const struct rl_finding *f,
                            struct rl_picture_model *m)
{
    memset(m, 0, sizeof *m);
    m->first = f->ntrace > RL_PICTURE_ROWS ? f->ntrace - RL_PICTURE_ROWS : 0;
    /* A condition wait gives its mutex back and takes it again on waking:
     * the bar stops and starts again (the mutex is the one held). */
    const char **cond_mutex = xcalloc(RL_PICTURE_THREADS, sizeof *cond_mutex);
    for (size_t i = m->first; i < f->ntrace; i++) {
        const struct rl_trace_step *s = &f->trace[i];
        int t = s->thread;
        if (t < 0 || t >= RL_PICTURE_THREADS)
            continue;
        if (t + 1 > m->nthreads)
            m->nthreads = t + 1;
        /* A thread that blocked waits until its next step. */
        for (size_t w = 0; w < m->nwaits; w++)
            if (m->waits[w].thread == t && m->waits[w].open) {
                m->waits[w].to = i;
                m->waits[w].open = 0;
            }
        if (is(s, "lock") || is(s, "rdlock")) {
            open_hold(m, t, i, s->object);
        } else if (is(s, "unlock")) {
            close_hold(m, t, i, s->object);
        } else if (is(s, "cond-wait")) {
            struct rl_picture_span *in = innermost(m, t);
            cond_mutex[t] = in ? in->object : NULL;
            if (in)
                close_hold(m, t, i, in->object);
        } else if (is(s, "cond-wake") && cond_mutex[t]) {
            open_hold(m, t, i, cond_mutex[t]);
            cond_mutex[t] = NULL;
        } else if (is(s, "block")) {
            struct rl_picture_span *w = push(&m->waits, &m->nwaits);
            w->thread = t;
            w->from = i;
            w->to = f->ntrace - 1;
            w->object = s->object;
            w->open = 1;
        }
    }
    for (size_t i = 0; i < m->nholds; i++)
        if (m->holds[i].open)
            m->holds[i].to = f->ntrace ? f->ntrace - 1 : 0;
    free(cond_mutex);
}

void rl_picture_model_free(struct rl_picture_model *m)
{
    free(m->holds);
    free(m->waits);
    memset(m, 0, sizeof *m);
}
