/* stage_explore.c: the EXPLORE tool (racelab's scheduler) after the runs:
 * what it finds joins the tools' findings in the merge. */
#include <stdio.h>

#include "engine/check_stages.h"
#include "protocol/sched_wire.h"

static const struct rl_tool *explorer(const struct rl_check *c)
{
    for (int i = 0; rl_tools[i]; i++)
        if (rl_check_selected(c, i) && rl_tools[i]->stage == RL_STAGE_EXPLORE)
            return rl_tools[i];
    return NULL;
}

/* 1 when no tool but the explorer was asked for: its build is then the
 * only one that counts (racelab check --schedules). */
static int explorer_alone(const struct rl_check *c)
{
    for (int i = 0; rl_tools[i]; i++)
        if (rl_check_selected(c, i) && rl_tools[i]->stage == RL_STAGE_RUN)
            return 0;
    return 1;
}

int rl_stage_explore(struct rl_check *c)
{
    const struct rl_tool *t = explorer(c);
    if (!t)
        return 0;
    struct rl_explore_params p = {
        .sources = &c->sources,
        .include_dirs = c->req.extras.include_dirs,
        .program_args = c->req.program_args,
        .timeout = c->req.timeout,
        .count = c->req.schedules,
        .first = c->req.first_seed_set ? c->req.first_seed : 1,
        .depth = c->req.depth > 0 ? c->req.depth : RS_DEFAULT_DEPTH,
        .spurious = !c->req.no_spurious,
        .trace = c->req.trace,
        .choices = c->req.choices,
    };
    struct rl_explore_outcome *o = &c->explore.out;
    c->explore.tool = t;
    t->explore(&p, o);
    rl_findings_set_run(&o->found, 0, t->name);
    c->sched_ran = o->ran;
    if (o->ran) {
        snprintf(c->sched_note, sizeof c->sched_note, "%s", o->note);
        return 0;
    }
    /* A program the other tools ran is only noted: they have judged it. */
    if (o->not_built && explorer_alone(c)) {
        rl_diag_add(&c->diag, RL_DIAG_USER, NULL,
                    "the program did not compile for the scheduler (%s):\n%s",
                    o->build_command, o->build_output);
        c->status = RL_CHECK_REFUSED;
        return -1;
    }
    const char *why = o->not_built ? "the program did not compile for the "
                                     "scheduler"
                                   : o->error;
    snprintf(c->sched_note, sizeof c->sched_note, "%s", why);
    rl_diag_add(&c->diag, o->not_built ? RL_DIAG_WARNING : RL_DIAG_INTERNAL,
                t->name, "%s", why);
    if (o->not_built || !explorer_alone(c))
        return 0;
    c->status = RL_CHECK_INTERNAL; /* nothing else was checked */
    return -1;
}
