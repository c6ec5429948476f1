/* picture_html.c: --html FILE: a check's interleavings as one page that
 * opens from a USB stick (inline SVG and CSS, no script, no network).
 * The page is well-formed XML, so that tests can parse its structure. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/failure_modes.h"
#include "report/escape.h"
#include "report/xml_escape.h"
#include "report/picture.h"

/* Lanes: one column per thread, one row per step (time goes down, as in
 * the text trace and on the stepping screen). */
/* LABEL_CHARS: what fits in a lane at 14px monospace. */
enum { LABEL_CHARS = 25 };
enum { LEFT = 56, TOP = 44, LANE_W = 262, ROW_H = 24, MARK_W = 250 };
/* The progress graph: one unit per step of each thread. */
enum { PG_MARGIN = 70, PG_UNIT = 56, PG_MAX_STEPS = 40 };

/* Text of the program's (names, values, messages) made safe for HTML:
 * terminal escapes and invalid bytes first, then the markup characters
 * (xml_escape.h). */
static void put_text(FILE *out, const char *s)
{
    rl_xml_write_capped(out, s ? s : "", 0, RL_ESCAPE_CAP);
}

static void thread_name(char *b, size_t len, int t)
{
    rl_trace_thread_name(b, len, t);
}

/* A colour per lock, in the order the trace first takes them: distinct
 * for the few locks a lecture's program has. */
static const char *const PALETTE[] = {"#d53e4f", "#3288bd", "#66a61e",
                                      "#984ea3", "#ff7f00", "#a65628",
                                      "#e7298a", "#666666"};

static const char *lock_colour(const struct rl_picture_model *m,
                               const char *object)
{
    size_t distinct = 0;
    for (size_t i = 0; i < m->nholds; i++) {
        const char *o = m->holds[i].object ? m->holds[i].object : "";
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(m->holds[j].object ? m->holds[j].object : "", o) == 0;
        if (seen)
            continue;
        if (strcmp(o, object ? object : "") == 0)
            return PALETTE[distinct % (sizeof PALETTE / sizeof *PALETTE)];
        distinct++;
    }
    return PALETTE[0];
}

static double row_y(const struct rl_picture_model *m, size_t row)
{
    return TOP + (double)(row - m->first) * ROW_H;
}

static double lane_x(int t)
{
    return LEFT + (double)t * LANE_W;
}

static const char *op_class(const char *op)
{
    if (strcmp(op, "read") == 0 || strcmp(op, "atomic-load") == 0)
        return "read";
    if (strcmp(op, "write") == 0 || strcmp(op, "atomic-store") == 0 ||
        strcmp(op, "atomic-rmw") == 0)
        return "write";
    if (strcmp(op, "start") == 0 || strcmp(op, "exit") == 0 ||
        strcmp(op, "create") == 0 || strcmp(op, "join") == 0)
        return "thread";
    if (strcmp(op, "block") == 0)
        return "block";
    return "sync";
}

static const char *losing_text(int losing)
{
    switch (losing) {
    case RL_LOSING_STALE:
        return "lost update: stale store";
    case RL_LOSING_RACE:
        return "unsynchronized access";
    case RL_LOSING_FAILED:
        return "fails after this step";
    default:
        return NULL;
    }
}

/* Characters of a step's label (as step_label writes it). */
static size_t label_chars(const struct rl_trace_step *s)
{
    char line[16] = "";
    if (s->line > 0)
        snprintf(line, sizeof line, "%d ", s->line);
    size_t n = strlen(line) + strlen(s->op);
    if (s->object && s->value)
        n += 1 + strlen(s->object) + 3 + strlen(s->value);
    else if (s->detail)
        n += 1 + strlen(s->detail);
    return n;
}

static void step_label(FILE *out, const struct rl_trace_step *s)
{
    if (s->line > 0)
        fprintf(out, "<tspan class=\"line\">%d</tspan> ", s->line);
    put_text(out, s->op);
    if (s->object && s->value) {
        fputs(" ", out);
        put_text(out, s->object);
        fputs(" = <tspan class=\"value\">", out);
        put_text(out, s->value);
        fputs("</tspan>", out);
    } else if (s->detail) {
        fputs(" ", out);
        put_text(out, s->detail);
    }
}

static void draw_lanes(FILE *out, const struct rl_finding *f,
                       const struct rl_picture_model *m)
{
    size_t rows = f->ntrace - m->first;
    double width = LEFT + m->nthreads * LANE_W + MARK_W;
    double height = TOP + rows * ROW_H + 2 * ROW_H;
    char name[16];
    fprintf(out,
            "<svg class=\"lanes\" data-threads=\"%d\" data-steps=\"%zu\" "
            "xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
            "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">\n",
            m->nthreads, rows, width, height, width, height);
    fputs("<defs><pattern id=\"hatch\" width=\"8\" height=\"8\" "
          "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
          "<rect width=\"3\" height=\"8\" fill=\"#c9a227\"/></pattern>"
          "</defs>\n",
          out);
    for (int t = 0; t < m->nthreads; t++)
        fprintf(out,
                "<rect class=\"lane-bg%s\" x=\"%.0f\" y=\"%d\" "
                "width=\"%d\" height=\"%.0f\"/>\n",
                t % 2 ? " odd" : "", lane_x(t), TOP - 30, LANE_W - 6,
                (rows + 1) * ROW_H + 34.0);
    /* The losing step's row across the lanes, under the steps. */
    for (size_t i = m->first; i < f->ntrace; i++)
        if (f->trace[i].losing)
            fprintf(out,
                    "<rect class=\"losing-row\" x=\"4\" y=\"%.0f\" "
                    "width=\"%.0f\" height=\"%d\"/>\n",
                    row_y(m, i), width - 8, ROW_H);
    for (int t = 0; t < m->nthreads; t++) {
        thread_name(name, sizeof name, t);
        double x = lane_x(t);
        fprintf(out, "<g class=\"lane\" data-thread=\"%s\">\n", name);
        fprintf(out,
                "<text class=\"lane-name\" x=\"%.0f\" y=\"%d\">%s</text>\n",
                x + 12, TOP - 10, name);
        for (size_t w = 0; w < m->nwaits; w++) {
            const struct rl_picture_span *s = &m->waits[w];
            if (s->thread != t)
                continue;
            double y0 = row_y(m, s->from) + ROW_H;
            double y1 = s->open ? row_y(m, s->to) + 2 * ROW_H : row_y(m, s->to);
            if (y1 < y0 + 4)
                y1 = y0 + 4;
            fprintf(out, "<g class=\"blocked\" data-object=\"");
            put_text(out, s->object);
            fprintf(out,
                    "\"><rect x=\"%.0f\" y=\"%.0f\" width=\"%d\" "
                    "height=\"%.0f\" fill=\"url(#hatch)\"/>"
                    "<title>blocked on ",
                    x + 16, y0, LANE_W - 40, y1 - y0);
            put_text(out, s->object);
            fputs("</title></g>\n", out);
        }
        for (size_t h = 0; h < m->nholds; h++) {
            const struct rl_picture_span *s = &m->holds[h];
            if (s->thread != t)
                continue;
            double y0 = row_y(m, s->from) + 3;
            double y1 = row_y(m, s->to) + ROW_H - 3;
            fprintf(out, "<g class=\"lock-held\" data-lock=\"");
            put_text(out, s->object);
            fprintf(out,
                    "\"><rect x=\"%.0f\" y=\"%.0f\" width=\"6\" "
                    "height=\"%.0f\" rx=\"2\" fill=\"%s\"/><title>",
                    x + 3 + s->depth * 8.0, y0, y1 - y0,
                    lock_colour(m, s->object));
            put_text(out, s->object);
            fprintf(out, " held by %s%s</title></g>\n", name,
                    s->open ? " (never released)" : "");
        }
        for (size_t i = m->first; i < f->ntrace; i++) {
            const struct rl_trace_step *s = &f->trace[i];
            if (s->thread != t)
                continue;
            double y = row_y(m, i) + ROW_H / 2.0;
            fprintf(out, "<g class=\"step %s%s\" data-step=\"%zu\" data-op=\"",
                    op_class(s->op), s->losing ? " losing" : "", i + 1);
            put_text(out, s->op);
            fputs("\"", out);
            if (s->object) {
                fputs(" data-object=\"", out);
                put_text(out, s->object);
                fputs("\"", out);
            }
            if (s->value) {
                fputs(" data-value=\"", out);
                put_text(out, s->value);
                fputs("\"", out);
            }
            fprintf(out,
                    "><circle cx=\"%.0f\" cy=\"%.1f\" r=\"5\"/>"
                    "<text x=\"%.0f\" y=\"%.1f\"",
                    x + 28, y, x + 40, y + 5);
            /* A label wider than the lane is squeezed into it. */
            size_t chars = label_chars(s);
            if (chars > LABEL_CHARS)
                fprintf(out,
                        " textLength=\"%d\" lengthAdjust=\"spacingAndGlyphs\"",
                        LANE_W - 50);
            fputs(">", out);
            step_label(out, s);
            fputs("</text></g>\n", out);
        }
        fputs("</g>\n", out);
    }
    for (size_t i = m->first; i < f->ntrace; i++) {
        const struct rl_trace_step *s = &f->trace[i];
        double y = row_y(m, i) + ROW_H / 2.0 + 5;
        fprintf(out,
                "<text class=\"step-number\" x=\"%d\" y=\"%.1f\">%zu</text>\n",
                LEFT - 10, y, i + 1);
        const char *mark = losing_text(s->losing);
        if (!mark && i + 1 == f->ntrace && strcmp(f->id, "deadlock") == 0)
            mark = "no thread can run: deadlock";
        if (mark)
            fprintf(out,
                    "<text class=\"losing-mark\" x=\"%.0f\" y=\"%.1f\">"
                    "&#9664; %s</text>\n",
                    lane_x(m->nthreads) + 4, y, mark);
    }
    fputs("</svg>\n", out);
}

/* ---- the wait-for graph of a deadlock ---- */

struct nodes {
    const char *name[32];
    int n;
};

static int node_of(struct nodes *v, const char *name)
{
    for (int i = 0; i < v->n; i++)
        if (strcmp(v->name[i], name) == 0)
            return i;
    if (v->n == 32)
        return -1;
    v->name[v->n] = name;
    return v->n++;
}

/* 1 when the node is on the wait-for cycle. */
static int on_cycle(const struct rl_finding *f, const char *name)
{
    for (size_t i = 0; i < f->nwaits; i++)
        if (f->waits[i].in_cycle && strcmp(f->waits[i].waiter, name) == 0)
            return 1;
    return 0;
}

/* The cycle's threads on a circle (two of them side by side), every other
 * node in a row below; each edge bends away from the middle, with its
 * label on the outside of the bend. */
static void draw_wait_for(FILE *out, const struct rl_finding *f)
{
    struct nodes v = {0};
    for (size_t i = 0; i < f->nwaits; i++) {
        node_of(&v, f->waits[i].waiter);
        node_of(&v,
                f->waits[i].holder ? f->waits[i].holder : f->waits[i].object);
    }
    int ncycle = 0;
    for (int i = 0; i < v.n; i++)
        ncycle += on_cycle(f, v.name[i]);
    /* A pair of threads side by side needs no height of its own; a longer
     * cycle goes round an ellipse, wider than high (names are wide). */
    const double cx = 380, cy = ncycle == 2 ? 90 : 190;
    const double rx = ncycle == 2 ? 170 : 230, ry = ncycle == 2 ? 0 : 140;
    const double below = ncycle == 2 ? 290 : 420, hh = 26;
    double height = (v.n > ncycle ? below : cy + ry) + 70;
    fprintf(out,
            "<svg class=\"wait-for\" data-nodes=\"%d\" data-edges=\"%zu\" "
            "xmlns=\"http://www.w3.org/2000/svg\" width=\"760\" "
            "height=\"%.0f\" viewBox=\"0 0 760 %.0f\">\n",
            v.n, f->nwaits, height, height);
    fputs("<defs>", out);
    for (int c = 0; c < 2; c++)
        fprintf(out,
                "<marker id=\"arrow%s\" viewBox=\"0 0 10 10\" refX=\"10\" "
                "refY=\"5\" markerWidth=\"14\" markerHeight=\"14\" "
                "markerUnits=\"userSpaceOnUse\" orient=\"auto\">"
                "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"%s\"/></marker>",
                c ? "-cycle" : "", c ? "#c53030" : "#555");
    fputs("</defs>\n", out);
    double px[32], py[32], hw[32];
    int k = 0, nr = 0, others = v.n - ncycle;
    for (int i = 0; i < v.n; i++) {
        /* Half the width of the name in the monospace font, and room. */
        hw[i] = 4.3 * (double)strlen(v.name[i]) + 18;
        if (hw[i] < 40)
            hw[i] = 40;
        if (on_cycle(f, v.name[i])) {
            double a = ncycle == 2 ? M_PI + M_PI * k
                                   : -M_PI / 2 + 2 * M_PI * k / ncycle;
            px[i] = cx + (ncycle > 1 ? rx : 0) * cos(a);
            py[i] = cy + ry * sin(a);
            k++;
        } else {
            px[i] = others == 1 ? cx : 110 + nr * (540.0 / (others - 1));
            py[i] = ncycle ? below : cy;
            nr++;
        }
    }
    for (size_t i = 0; i < f->nwaits; i++) {
        const struct rl_wait_edge *w = &f->waits[i];
        int a = node_of(&v, w->waiter);
        int b = node_of(&v, w->holder ? w->holder : w->object);
        if (a < 0 || b < 0 || a == b)
            continue;
        double dx = px[b] - px[a], dy = py[b] - py[a];
        double len = sqrt(dx * dx + dy * dy);
        double ux = dx / len, uy = dy / len;
        /* Where the line leaves each node's oval. */
        double ta = 1 / sqrt(ux * ux / (hw[a] * hw[a]) + uy * uy / (hh * hh));
        double tb = 1 / sqrt(ux * ux / (hw[b] * hw[b]) + uy * uy / (hh * hh));
        double nx = -uy, ny = ux, bend = 44;
        double x0 = px[a] + ux * ta, y0 = py[a] + uy * ta;
        double x1 = px[b] - ux * (tb + 2), y1 = py[b] - uy * (tb + 2);
        double hx = (x0 + x1) / 2, hy = (y0 + y1) / 2;
        /* Away from the middle; on a tie (the two edges of a pair of
         * threads) the normal's own side keeps the pair apart. */
        double out1 = hypot(hx + nx * bend - cx, hy + ny * bend - cy);
        double out2 = hypot(hx - nx * bend - cx, hy - ny * bend - cy);
        if (out2 > out1 + 1) {
            nx = -nx;
            ny = -ny;
        }
        double mx = hx + nx * bend, my = hy + ny * bend;
        /* The curve's middle, and the label just outside it. */
        double lx = hx / 2 + mx / 2 + nx * 10, ly = hy / 2 + my / 2 + ny * 10;
        const char *anchor = nx > 0.3 ? "start" : nx < -0.3 ? "end" : "middle";
        ly += ny > 0.3 ? 14 : ny < -0.3 ? -2 : 5;
        fprintf(out, "<g class=\"edge%s\" data-from=\"",
                w->in_cycle ? " cycle" : "");
        put_text(out, w->waiter);
        fputs("\" data-to=\"", out);
        put_text(out, w->holder ? w->holder : w->object);
        fputs("\"><title>", out);
        put_text(out, w->waiter);
        fputs(" waits for ", out);
        put_text(out, w->object);
        if (w->holder) {
            fputs(", which ", out);
            put_text(out, w->holder);
            fputs(" holds", out);
        }
        fprintf(out,
                "</title><path d=\"M%.1f,%.1f Q%.1f,%.1f %.1f,%.1f\" "
                "marker-end=\"url(#arrow%s)\"/><text x=\"%.1f\" y=\"%.1f\" "
                "text-anchor=\"%s\">",
                x0, y0, mx, my, x1, y1, w->in_cycle ? "-cycle" : "", lx, ly,
                anchor);
        /* A join waits for the thread itself: say so, not its name. */
        if (w->holder && strcmp(w->object, w->holder) == 0)
            fputs("join", out);
        else
            put_text(out, w->object);
        fputs("</text></g>\n", out);
    }
    for (int i = 0; i < v.n; i++) {
        fprintf(out, "<g class=\"node%s\" data-name=\"",
                on_cycle(f, v.name[i]) ? " cycle" : "");
        put_text(out, v.name[i]);
        fprintf(out,
                "\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                "height=\"%.0f\" rx=\"%.0f\"/><text x=\"%.1f\" y=\"%.1f\">",
                px[i] - hw[i], py[i] - hh, 2 * hw[i], 2 * hh, hh, px[i],
                py[i] + 5);
        put_text(out, v.name[i]);
        fputs("</text></g>\n", out);
    }
    fputs("</svg>\n", out);
    fputs("<p class=\"legend\">An arrow: the thread waits for what the "
          "other holds (a lock) or must do (end, post); red: the cycle, "
          "in which no thread can ever go on.</p>\n",
          out);
}

/* ---- the progress graph (CS:APP 12.5.3) of a two-thread counter ---- */

struct progress {
    const char *var;
    int ta, tb;      /* thread on x, thread on y */
    size_t *rows[2]; /* each thread's rows of the trace, in order */
    size_t n[2];
};

/* The variable that most accesses of threads other than main are to,
 * when exactly two threads touch it: a counter two threads update. */
static int find_counter(const struct rl_finding *f, struct progress *pg)
{
    const char *best = NULL;
    size_t best_n = 0;
    for (size_t i = 0; i < f->ntrace; i++) {
        const struct rl_trace_step *s = &f->trace[i];
        if (s->thread == 0 || !s->value || !s->object ||
            strcmp(op_class(s->op), "sync") == 0)
            continue;
        size_t n = 0;
        for (size_t j = 0; j < f->ntrace; j++)
            n += f->trace[j].thread != 0 && f->trace[j].object &&
                 f->trace[j].value &&
                 strcmp(f->trace[j].object, s->object) == 0;
        if (n > best_n) {
            best_n = n;
            best = s->object;
        }
    }
    if (!best)
        return 0;
    int who[2] = {-1, -1};
    for (size_t i = 0; i < f->ntrace; i++) {
        const struct rl_trace_step *s = &f->trace[i];
        if (s->thread == 0 || !s->object || strcmp(s->object, best) != 0)
            continue;
        if (who[0] < 0 || who[0] == s->thread)
            who[0] = s->thread;
        else if (who[1] < 0 || who[1] == s->thread)
            who[1] = s->thread;
        else
            return 0; /* three threads: no plane to draw it in */
    }
    if (who[1] < 0)
        return 0;
    pg->var = best;
    pg->ta = who[0] < who[1] ? who[0] : who[1];
    pg->tb = who[0] < who[1] ? who[1] : who[0];
    for (int k = 0; k < 2; k++) {
        int t = k ? pg->tb : pg->ta;
        pg->rows[k] = calloc(f->ntrace + 1, sizeof *pg->rows[k]);
        for (size_t i = 0; i < f->ntrace; i++)
            if (f->trace[i].thread == t)
                pg->rows[k][pg->n[k]++] = i;
    }
    return pg->n[0] <= PG_MAX_STEPS && pg->n[1] <= PG_MAX_STEPS;
}

/* A thread's critical sections on the counter: from its read to its next
 * write, as positions in its own steps. */
static size_t sections(const struct rl_finding *f, const struct progress *pg,
                       int k, size_t (*cs)[2], size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < pg->n[k] && n < max; i++) {
        const struct rl_trace_step *s = &f->trace[pg->rows[k][i]];
        if (strcmp(s->op, "read") != 0 || !s->object ||
            strcmp(s->object, pg->var) != 0)
            continue;
        for (size_t j = i + 1; j < pg->n[k]; j++) {
            const struct rl_trace_step *w = &f->trace[pg->rows[k][j]];
            if (w->object && strcmp(w->object, pg->var) == 0 &&
                strcmp(w->op, "write") == 0) {
                cs[n][0] = i;
                cs[n++][1] = j;
                break;
            }
        }
    }
    return n;
}

/* A thread's stretches holding a lock, as positions in its own steps:
 * from its lock step to its unlock step of the same lock. */
static size_t lock_sections(const struct rl_finding *f,
                            const struct progress *pg, int k, const char **lock,
                            size_t (*hs)[2], size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < pg->n[k] && n < max; i++) {
        const struct rl_trace_step *s = &f->trace[pg->rows[k][i]];
        if (strcmp(s->op, "lock") != 0 || !s->object)
            continue;
        for (size_t j = i + 1; j < pg->n[k]; j++) {
            const struct rl_trace_step *u = &f->trace[pg->rows[k][j]];
            if (strcmp(u->op, "unlock") == 0 && u->object &&
                strcmp(u->object, s->object) == 0) {
                lock[n] = s->object;
                hs[n][0] = i;
                hs[n++][1] = j;
                break;
            }
        }
    }
    return n;
}

/* One or two letters under each step (CS:APP's H, L, S, T; P and V for
 * taking and giving back a lock), spelled out in the legend. */
static const struct {
    const char *op, *letter;
} TICKS[] = {
    {"start", "H"},     {"exit", "T"},        {"lock", "P"},
    {"rdlock", "P"},    {"unlock", "V"},      {"sem-wait", "P"},
    {"sem-post", "V"},  {"block", "b"},       {"cond-wait", "w"},
    {"cond-wake", "k"}, {"cond-signal", "s"}, {"cond-broadcast", "s"},
    {"create", "c"},    {"join", "j"},        {"yield", "y"},
};

static const char *tick_label(const struct rl_trace_step *s, const char *var)
{
    int on_var = s->object && strcmp(s->object, var) == 0;
    if (strcmp(s->op, "read") == 0)
        return on_var ? "L" : "r";
    if (strcmp(s->op, "write") == 0)
        return on_var ? "S" : "W";
    for (size_t i = 0; i < sizeof TICKS / sizeof *TICKS; i++)
        if (strcmp(s->op, TICKS[i].op) == 0)
            return TICKS[i].letter;
    return "?";
}

/* Drawn only when each thread has a critical section on the counter
 * (a load, then a store): otherwise there is no unsafe region to show. */
static int draw_progress(FILE *out, const struct rl_finding *f,
                         struct progress *pg)
{
    size_t cs[2][64][2];
    size_t ncs[2] = {sections(f, pg, 0, cs[0], 64),
                     sections(f, pg, 1, cs[1], 64)};
    if (!ncs[0] || !ncs[1])
        return 0;
    fputs("<h3>Progress graph</h3>\n", out);
    double W = PG_MARGIN * 2 + pg->n[0] * (double)PG_UNIT;
    double H = PG_MARGIN * 2 + pg->n[1] * (double)PG_UNIT;
    char na[16], nb[16];
    thread_name(na, sizeof na, pg->ta);
    thread_name(nb, sizeof nb, pg->tb);
#define PX(x) (PG_MARGIN + (double)(x)*PG_UNIT)
#define PY(y) (H - PG_MARGIN - (double)(y)*PG_UNIT)
    fprintf(out,
            "<svg class=\"progress-graph\" data-x=\"%s\" data-y=\"%s\" "
            "data-unsafe=\"%zu\" xmlns=\"http://www.w3.org/2000/svg\" "
            "width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">\n",
            na, nb, ncs[0] * ncs[1], W, H, W, H);
    /* CS:APP's forbidden region: both threads holding the same lock,
     * which no trajectory can enter (it encloses the unsafe region of a
     * counter that is locked right). */
    const char *locks[2][64];
    size_t hs[2][64][2];
    size_t nhs[2] = {lock_sections(f, pg, 0, locks[0], hs[0], 64),
                     lock_sections(f, pg, 1, locks[1], hs[1], 64)};
    for (size_t a = 0; a < nhs[0]; a++)
        for (size_t b = 0; b < nhs[1]; b++) {
            if (strcmp(locks[0][a], locks[1][b]) != 0)
                continue;
            fprintf(out,
                    "<rect class=\"forbidden\" x=\"%.0f\" y=\"%.0f\" "
                    "width=\"%.0f\" height=\"%.0f\"><title>both hold ",
                    PX(hs[0][a][0]), PY(hs[1][b][1] + 1),
                    PX(hs[0][a][1] + 1) - PX(hs[0][a][0]),
                    PY(hs[1][b][0]) - PY(hs[1][b][1] + 1));
            put_text(out, locks[0][a]);
            fputs(": forbidden</title></rect>\n", out);
        }
    for (size_t a = 0; a < ncs[0]; a++)
        for (size_t b = 0; b < ncs[1]; b++)
            fprintf(out,
                    "<rect class=\"unsafe\" x=\"%.0f\" y=\"%.0f\" "
                    "width=\"%.0f\" height=\"%.0f\"/>\n",
                    PX(cs[0][a][0]), PY(cs[1][b][1] + 1),
                    PX(cs[0][a][1] + 1) - PX(cs[0][a][0]),
                    PY(cs[1][b][0]) - PY(cs[1][b][1] + 1));
    /* The grid of states, and the axes with each step's letter. */
    for (size_t x = 0; x <= pg->n[0]; x++)
        fprintf(out,
                "<line class=\"grid\" x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" "
                "y2=\"%.0f\"/>\n",
                PX(x), PY(0), PX(x), PY(pg->n[1]));
    for (size_t y = 0; y <= pg->n[1]; y++)
        fprintf(out,
                "<line class=\"grid\" x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" "
                "y2=\"%.0f\"/>\n",
                PX(0), PY(y), PX(pg->n[0]), PY(y));
    for (size_t x = 0; x < pg->n[0]; x++) {
        fprintf(out, "<text class=\"tick\" x=\"%.0f\" y=\"%.0f\">",
                PX(x) + PG_UNIT / 2.0, PY(0) + 20);
        put_text(out, tick_label(&f->trace[pg->rows[0][x]], pg->var));
        fputs("</text>\n", out);
    }
    for (size_t y = 0; y < pg->n[1]; y++) {
        fprintf(out, "<text class=\"tick\" x=\"%.0f\" y=\"%.0f\">", PX(0) - 18,
                PY(y) - PG_UNIT / 2.0 + 5);
        put_text(out, tick_label(&f->trace[pg->rows[1][y]], pg->var));
        fputs("</text>\n", out);
    }
    fprintf(out,
            "<text class=\"axis\" x=\"%.0f\" y=\"%.0f\">%s: its steps "
            "&#8594;</text>\n",
            PX(pg->n[0] / 2.0), H - 18, na);
    fprintf(out,
            "<text class=\"axis\" x=\"22\" y=\"%.0f\" transform=\"rotate(-90 "
            "22 %.0f)\">%s: its steps &#8594;</text>\n",
            PY(pg->n[1] / 2.0), PY(pg->n[1] / 2.0), nb);
    /* The seed's trajectory: right for a step of the x thread, up for
     * one of the y thread; main's steps do not move it. */
    fputs("<polyline class=\"trajectory\" points=\"", out);
    size_t x = 0, y = 0;
    fprintf(out, "%.0f,%.0f", PX(0), PY(0));
    for (size_t i = 0; i < f->ntrace; i++) {
        int t = f->trace[i].thread;
        if (t != pg->ta && t != pg->tb)
            continue;
        x += t == pg->ta;
        y += t == pg->tb;
        fprintf(out, " %.0f,%.0f", PX(x), PY(y));
    }
    fputs("\"/>\n", out);
    /* The states inside an unsafe region, and the losing step's end. */
    x = y = 0;
    for (size_t i = 0; i < f->ntrace; i++) {
        int t = f->trace[i].thread;
        if (t != pg->ta && t != pg->tb)
            continue;
        x += t == pg->ta;
        y += t == pg->tb;
        int unsafe = 0;
        for (size_t a = 0; a < ncs[0]; a++)
            for (size_t b = 0; b < ncs[1]; b++)
                unsafe |= x > cs[0][a][0] && x <= cs[0][a][1] &&
                          y > cs[1][b][0] && y <= cs[1][b][1];
        if (unsafe)
            fprintf(out,
                    "<circle class=\"unsafe-state\" cx=\"%.0f\" cy=\"%.0f\" "
                    "r=\"6\"/>\n",
                    PX(x), PY(y));
        if (f->trace[i].losing)
            fprintf(out,
                    "<g class=\"losing\" data-step=\"%zu\"><circle "
                    "cx=\"%.0f\" cy=\"%.0f\" r=\"11\"/><text x=\"%.0f\" "
                    "y=\"%.0f\">step %zu</text></g>\n",
                    i + 1, PX(x), PY(y), PX(x) + 14, PY(y) - 10, i + 1);
    }
    fputs("</svg>\n", out);
    fputs("<p class=\"legend\">H: thread starts, L: load ", out);
    put_text(out, pg->var);
    fputs(", S: store ", out);
    put_text(out, pg->var);
    fputs(", T: thread ends; P/V: lock/unlock (or semaphore wait/post), "
          "b: blocks, w/k: condition wait/wake, r/W: other reads/writes. "
          "Shaded red: the unsafe region (both threads "
          "between their load and their store); grey, dashed: a forbidden "
          "region (both would hold the same lock: no trajectory enters "
          "it); red dots: states of the trajectory inside the unsafe "
          "region.</p>\n",
          out);
#undef PX
#undef PY
    return 1;
}

/* ---- the page ---- */

static const char STYLE[] =
    "body{font-family:'DejaVu Sans',Arial,sans-serif;margin:24px;"
    "color:#222;background:#fff}"
    "h1{font-size:26px}h2{font-size:22px;margin-top:32px}"
    "pre.detail{background:#f4f4f4;padding:10px;font-size:14px;"
    "white-space:pre-wrap}"
    "svg text{font-family:'DejaVu Sans Mono',monospace;font-size:14px}"
    ".lane-bg{fill:#f3f6fb}.lane-bg.odd{fill:#eef6ee}"
    ".lane-name{font-weight:bold;font-size:17px}"
    ".step circle{fill:#777}.step.read circle{fill:#2b6cb0}"
    ".step.write circle{fill:#c05621}.step.block circle{fill:#b7791f}"
    ".step.thread circle{fill:#999}"
    ".value{font-weight:bold}.line{fill:#888}"
    ".losing-row{fill:#fed7d7}.losing-mark{fill:#c53030;font-weight:bold}"
    ".step.losing circle{fill:#c53030;r:7px}"
    ".step-number{text-anchor:end;fill:#888}"
    ".blocked rect{opacity:.45}"
    ".wait-for .node rect{fill:#ebf4ff;stroke:#2b6cb0;stroke-width:2}"
    ".wait-for .node text{text-anchor:middle;font-weight:bold}"
    ".wait-for .edge path{fill:none;stroke:#555;stroke-width:2}"
    ".wait-for .edge.cycle path{stroke:#c53030;stroke-width:3}"
    ".wait-for .edge.cycle text{fill:#c53030}"
    ".wait-for .edge text{font-size:14px}"
    ".wait-for .node.cycle rect{stroke:#c53030;stroke-width:3}"
    ".progress-graph .unsafe{fill:#fbb;opacity:.7}"
    ".progress-graph .forbidden{fill:#ddd;stroke:#999;stroke-dasharray:4 3}"
    ".progress-graph .grid{stroke:#ddd}"
    ".progress-graph .tick{text-anchor:middle;font-weight:bold}"
    ".progress-graph .axis{text-anchor:middle;font-size:15px}"
    ".progress-graph .trajectory{fill:none;stroke:#2b6cb0;stroke-width:3}"
    ".progress-graph .unsafe-state{fill:#c53030}"
    ".progress-graph .losing circle{fill:none;stroke:#c53030;"
    "stroke-width:3}"
    ".progress-graph .losing text{fill:#c53030;font-weight:bold}"
    ".legend{font-size:14px;color:#444;max-width:60em}"
    ".swatch{display:inline-block;width:10px;height:14px;"
    "vertical-align:middle}";

static void section(FILE *out, const struct rl_finding *f, int passing)
{
    const struct rl_failure_mode *mode = rl_failure_mode_find(f->id);
    fprintf(out, "<section class=\"finding\" data-id=\"%s\"", f->id);
    if (f->has_seed)
        fprintf(out, " data-seed=\"%lld\"", f->seed);
    fputs(">\n<h2>", out);
    if (passing)
        fprintf(out, "seed %lld: no failure; its interleaving", f->seed);
    else {
        put_text(out, f->id);
        if (mode) {
            fputs(": ", out);
            put_text(out, mode->title);
        }
    }
    fputs("</h2>\n", out);
    if (f->detail) {
        fputs("<pre class=\"detail\">", out);
        put_text(out, f->detail);
        fputs("</pre>\n", out);
    }
    if (f->nwaits) {
        fputs("<h3>Who waits for whom</h3>\n", out);
        draw_wait_for(out, f);
    }
    if (f->ntrace) {
        struct rl_picture_model m;
        rl_picture_model_build(f, &m);
        fputs("<h3>The interleaving, one lane per thread</h3>\n", out);
        if (m.first)
            fprintf(out, "<p>(%zu earlier steps not drawn)</p>\n", m.first);
        draw_lanes(out, f, &m);
        fputs("<p class=\"legend\">Time goes down. Coloured bars: a lock "
              "held",
              out);
        for (size_t h = 0; h < m.nholds; h++) {
            int first = 1;
            for (size_t j = 0; j < h && first; j++)
                first = strcmp(m.holds[j].object ? m.holds[j].object : "",
                               m.holds[h].object ? m.holds[h].object : "");
            if (!first)
                continue;
            fprintf(out,
                    " <span class=\"swatch\" style=\"background:%s\">"
                    "</span> ",
                    lock_colour(&m, m.holds[h].object));
            put_text(out, m.holds[h].object);
        }
        fputs("; hatched: a thread blocked; blue dots read, orange dots "
              "write the value shown in bold.</p>\n",
              out);
        rl_picture_model_free(&m);
        struct progress pg = {0};
        if (find_counter(f, &pg))
            draw_progress(out, f, &pg);
        free(pg.rows[0]);
        free(pg.rows[1]);
    }
    fputs("</section>\n", out);
}

void rl_picture_html(FILE *out, const char *program,
                     const struct rl_findings *found,
                     const struct rl_findings *passing)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
          "<meta charset=\"utf-8\"/>\n<title>racelab: ",
          out);
    put_text(out, program);
    fprintf(out,
            "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>racelab "
            "check ",
            STYLE);
    put_text(out, program);
    fputs("</h1>\n", out);
    size_t drawn = 0;
    for (size_t i = 0; found && i < found->n; i++) {
        section(out, &found->v[i], 0);
        drawn += found->v[i].ntrace || found->v[i].nwaits;
    }
    for (size_t i = 0; passing && i < passing->n; i++) {
        section(out, &passing->v[i], 1);
        drawn += passing->v[i].ntrace > 0;
    }
    if (!drawn)
        fputs("<p class=\"nothing\">Nothing to draw: no finding here "
              "carries an interleaving or a wait-for graph (run with "
              "--schedules N or --seed S to get one).</p>\n",
              out);
    fputs("</body>\n</html>\n", out);
}
