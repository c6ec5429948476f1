/* class_html.c: the class report as one self-contained HTML page (inline
 * CSS and SVG, nothing fetched): opens offline, from a mail attachment.
 * Names and source lines come from students: every byte is escaped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/class_report.h"
#include "report/escape.h"
#include "report/xml_escape.h"

/* Text as HTML character data or an attribute value: made visible for a
 * terminal first, then XML's markup characters as entities
 * (xml_escape.h); the page stays well-formed XML, which the tests parse
 * it as. */
static void esc(FILE *out, const char *text)
{
    rl_xml_write_capped(out, text, 0, RL_ESCAPE_CAP);
}

static const char style[] =
    "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;"
    "color:#222;padding:0 1em}"
    "h1{font-size:1.6em}h2{font-size:1.2em;margin-top:1.8em;"
    "border-bottom:1px solid #ccc}"
    "table{border-collapse:collapse;width:100%}"
    "td,th{padding:.3em .6em;border-bottom:1px solid #eee;text-align:left;"
    "vertical-align:top}th{background:#f4f4f4}"
    ".bar{background:#e8e8e8;width:220px;height:14px;display:inline-block}"
    ".bar span{display:block;height:14px;background:#3a7}"
    ".bad span{background:#c44}"
    "code{background:#f6f6f6;padding:.1em .3em;white-space:pre-wrap}"
    ".num{text-align:right;white-space:nowrap}.muted{color:#777}"
    "details{font-size:.85em;color:#555;white-space:normal;text-align:left}"
    ".summary{display:flex;gap:2em}.summary div{background:#f4f4f4;"
    "padding:.6em 1em}.summary b{font-size:1.5em;display:block}";

static void histogram(const struct rl_class *c, FILE *out)
{
    size_t *counts;
    char **labels;
    size_t nbins = rl_class_histogram(c, &counts, &labels);
    size_t top = 1;
    for (size_t b = 0; b < nbins; b++)
        if (counts[b] > top)
            top = counts[b];
    const int w = 900, h = 220, pad = 30;
    double bw = (double)(w - 2 * pad) / (double)nbins;
    fprintf(out,
            "<svg id=\"histogram\" xmlns=\"http://www.w3.org/2000/svg\" "
            "viewBox=\"0 0 %d %d\" "
            "width=\"100%%\" style=\"max-width:%dpx\" role=\"img\" "
            "aria-label=\"score histogram\">\n",
            w, h + 40, w);
    fprintf(out,
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>\n",
            pad, h, w - pad, h);
    for (size_t b = 0; b < nbins; b++) {
        double bh = (double)(h - 20) * (double)counts[b] / (double)top;
        double x = pad + (double)b * bw;
        fprintf(out,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                "fill=\"#47a\"><title>score %s: %zu</title></rect>\n",
                x + 2, h - bh, bw - 4, bh, labels[b], counts[b]);
        if (counts[b])
            fprintf(out,
                    "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" "
                    "text-anchor=\"middle\">%zu</text>\n",
                    x + bw / 2, h - bh - 4, counts[b]);
        fprintf(out,
                "<text x=\"%.1f\" y=\"%d\" font-size=\"12\" "
                "text-anchor=\"middle\">%s</text>\n",
                x + bw / 2, h + 16, labels[b]);
        free(labels[b]);
    }
    fprintf(out,
            "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\" "
            "fill=\"#555\">score (points)</text>\n</svg>\n",
            w / 2, h + 34);
    free(counts);
    free(labels);
}

static void checks(const struct rl_class *c, FILE *out, size_t graded)
{
    fputs("<h2>Each check: the share of the class that passed</h2>\n"
          "<table id=\"checks\"><tr><th>check</th><th class=\"num\">points</th>"
          "<th>passed</th><th class=\"num\">share</th></tr>\n",
          out);
    for (size_t i = 0; i < c->nchecks; i++) {
        size_t p = rl_class_passed(c, i);
        double share = graded ? 100.0 * (double)p / (double)graded : 0;
        fputs("<tr><td>", out);
        esc(out, c->checks[i]);
        fprintf(out,
                "</td><td class=\"num\">%d</td><td><span class=\"bar%s\">"
                "<span style=\"width:%.0f%%\"></span></span></td>"
                "<td class=\"num\">%zu/%zu (%.0f%%)</td></tr>\n",
                c->check_max[i], share < 50 ? " bad" : "", share, p, graded,
                share);
    }
    fputs("</table>\n", out);
}

static void modes(const struct rl_class *c, FILE *out, size_t graded)
{
    fputs("<h2>What went wrong: each failure mode</h2>\n", out);
    if (!c->nmodes) {
        fputs("<p>No submission has a finding.</p>\n", out);
        return;
    }
    fputs("<table id=\"modes\"><tr><th>failure mode</th><th "
          "class=\"num\">submissions"
          "</th><th>typical case</th><th>what it means</th></tr>\n",
          out);
    for (size_t i = 0; i < c->nmodes; i++) {
        const struct rl_class_mode *m = &c->modes[i];
        fputs("<tr><td><b>", out);
        esc(out, m->id);
        fputs("</b><br/><span class=\"muted\">", out);
        esc(out, m->title);
        fprintf(out, "</span></td><td class=\"num\">%zu of %zu", m->submissions,
                graded);
        /* Who has it: folded, so that a class of hundreds stays a table. */
        fputs("<details><summary>who</summary>", out);
        for (size_t j = 0; m->who && m->who[j]; j++) {
            fputs(j ? ", " : "", out);
            esc(out, m->who[j]);
        }
        fputs("</details></td><td>", out);
        esc(out, m->where ? m->where : "");
        if (m->example) {
            fputs(" <span class=\"muted\">in ", out);
            esc(out, m->example);
            fputs("</span>", out);
        }
        if (m->source) {
            fputs("<br/><code>", out);
            esc(out, m->source);
            fputs("</code>", out);
        }
        fputs("</td><td>", out);
        esc(out, m->explanation);
        fputs("</td></tr>\n", out);
    }
    fputs("</table>\n", out);
}

static void slowest(const struct rl_class *c, FILE *out)
{
    size_t n;
    size_t *idx = rl_class_slowest(c, &n);
    fputs("<h2>The slowest submissions to grade</h2>\n", out);
    if (!n)
        fputs("<p>No timings were recorded.</p>\n", out);
    else {
        fputs("<table id=\"slowest\"><tr><th>submission</th>"
              "<th class=\"num\">seconds</th>"
              "<th class=\"num\">score</th></tr>\n",
              out);
        for (size_t i = 0; i < n && i < 5; i++) {
            const struct rl_class_student *s = &c->students[idx[i]];
            fputs("<tr><td>", out);
            esc(out, s->name);
            fprintf(out, "</td><td class=\"num\">%.1f</td>", s->seconds);
            if (s->graded)
                fprintf(out, "<td class=\"num\">%d/%d</td></tr>\n", s->score,
                        s->max_score);
            else
                fputs("<td class=\"num\">not graded</td></tr>\n", out);
        }
        fputs("</table>\n", out);
    }
    free(idx);
}

static void ungraded(const struct rl_class *c, FILE *out)
{
    fputs("<h2>Submissions not graded, or graded with a caveat</h2>\n", out);
    int any = 0;
    for (size_t i = 0; i < c->nstudents; i++) {
        const struct rl_class_student *s = &c->students[i];
        if (!s->why)
            continue;
        if (!any)
            fputs("<table id=\"ungraded\"><tr><th>submission</th>"
                  "<th>why</th></tr>\n",
                  out);
        any = 1;
        fputs("<tr><td>", out);
        esc(out, s->name);
        fputs(s->graded ? "</td><td>" : "</td><td><b>not graded:</b> ", out);
        esc(out, s->why);
        fputs("</td></tr>\n", out);
    }
    fputs(any ? "</table>\n" : "<p>Every submission was graded.</p>\n", out);
}

int rl_class_html(const struct rl_class *c, FILE *out)
{
    size_t graded = rl_class_graded(c);
    double sum = 0;
    for (size_t i = 0; i < c->nstudents; i++)
        if (c->students[i].graded)
            sum += c->students[i].score;
    int max = 0;
    for (size_t i = 0; i < c->nchecks; i++)
        max += c->check_max[i];
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>"
          "<title>racelab class report: ",
          out);
    esc(out, c->lab);
    fprintf(out, "</title>\n<style>%s</style></head><body>\n<h1>Lab ", style);
    esc(out, c->lab);
    fputs(": what the class got wrong</h1>\n", out);
    fprintf(out,
            "<div class=\"summary\"><div><b>%zu</b>submissions</div>"
            "<div><b>%zu</b>graded</div><div><b>%.1f / %d</b>mean score"
            "</div><div><b>%zu</b>failure modes seen</div></div>\n",
            c->nstudents, graded, graded ? sum / (double)graded : 0.0, max,
            c->nmodes);
    fputs("<h2>Scores</h2>\n", out);
    histogram(c, out);
    checks(c, out, graded);
    modes(c, out, graded);
    slowest(c, out);
    ungraded(c, out);
    fputs("<p class=\"muted\">Written by racelab class-report from the "
          "per-student JSON in this folder.</p>\n</body></html>\n",
          out);
    return ferror(out) ? -1 : 0;
}
