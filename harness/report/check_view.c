/* check_view.c: the view of a check that the text and JSON reports print:
 * its runs (the explorer's among them), builds, verdict and diagnostics. */
#include <stdlib.h>

#include "lib/xalloc.h"
#include "report/check_view.h"

void rl_check_report(const struct rl_check *c, const char *program,
                     struct rl_report *r)
{
    struct rl_run_summary *runs = xcalloc(c->njobs + 2, sizeof *runs);
    size_t nruns = 0;
    for (size_t i = 0; i < c->njobs; i++)
        runs[nruns++] = c->jobs[i].summary;
    const struct rl_explore_outcome *x = &c->explore.out;
    if (c->explore.tool && x->ran)
        runs[nruns++] = (struct rl_run_summary){
            .tool = c->explore.tool->name,
            .exit_status = 0,
            .wall_seconds = x->wall_seconds,
            .note = x->note,
            .isolation = x->isolation[0] ? x->isolation : NULL,
        };
    struct rl_build_summary *builds = xcalloc(RL_VARIANT_COUNT, sizeof *builds);
    size_t nbuilds = 0;
    for (int v = 0; v < RL_VARIANT_COUNT; v++)
        if (c->build.command[v].v)
            builds[nbuilds++] = (struct rl_build_summary){
                rl_variant_name(v), c->build.command[v].v,
                c->build.wall_seconds[v], !c->build.failed[v],
                c->build.isolation[v][0] ? c->build.isolation[v] : NULL};
    *r = (struct rl_report){
        .program = program,
        .sources = &c->sources,
        .findings = &c->verdict,
        .runs = runs,
        .nruns = nruns,
        .builds = builds,
        .nbuilds = nbuilds,
        .trace_all = c->req.trace,
        .passing = &x->passing,
        .diag = &c->diag,
    };
}

void rl_check_report_free(struct rl_report *r)
{
    free((void *)r->runs);
    free((void *)r->builds);
}
