/* check_engine.c: one check as a pipeline of stages (check_stages.h). */
#include <stdlib.h>
#include <string.h>

#include "engine/check_stages.h"
#include "lib/workdir.h"

void rl_check_select_default_tools(struct rl_check_request *req)
{
    for (int i = 0; rl_tools[i] && i < RL_MAX_SELECTED_TOOLS; i++)
        req->tool_selected[i] = rl_tools[i]->stage == RL_STAGE_RUN;
}

int rl_check_selected(const struct rl_check *c, int i)
{
    return i < RL_MAX_SELECTED_TOOLS && c->req.tool_selected[i];
}

typedef int (*stage_fn)(struct rl_check *c);

/* The pipeline; a stage that returns nonzero ends it there. */
static const stage_fn stages[] = {
    rl_stage_sources, rl_stage_select,  rl_stage_build,
    rl_stage_runs,    rl_stage_explore, rl_stage_merge,
};

enum rl_check_status rl_check_execute(struct rl_check *c,
                                      const struct rl_check_request *req)
{
    memset(c, 0, sizeof *c);
    c->req = *req;
    if (c->req.runs < 1)
        c->req.runs = 1;
    c->status = RL_CHECK_DONE;
    for (size_t i = 0; i < sizeof stages / sizeof *stages; i++)
        if (stages[i](c) != 0)
            break;
    c->internal_error = rl_diag_any(&c->diag, RL_DIAG_INTERNAL);
    return c->status;
}

const struct rl_job *rl_check_job(const struct rl_check *c, const char *tool)
{
    for (size_t i = 0; i < c->njobs; i++)
        if (strcmp(c->jobs[i].tool->name, tool) == 0)
            return &c->jobs[i];
    return NULL;
}

const struct rl_job *rl_check_reference_job(const struct rl_check *c)
{
    for (size_t i = 0; i < c->njobs; i++)
        if (c->jobs[i].tool->behaviour_reference)
            return &c->jobs[i];
    return c->njobs ? &c->jobs[0] : NULL;
}

void rl_check_free(struct rl_check *c)
{
    for (size_t i = 0; i < c->njobs; i++) {
        rl_findings_free(&c->jobs[i].found);
        rl_strv_free(&c->jobs[i].raw_ids);
        rl_strv_free(&c->jobs[i].argv);
        rl_strv_free(&c->jobs[i].env);
        rl_diag_free(&c->jobs[i].diag);
        free(c->jobs[i].workdir);
    }
    free(c->jobs);
    rl_explore_outcome_free(&c->explore.out);
    rl_findings_free(&c->verdict);
    rl_build_free(&c->build);
    rl_sources_free(&c->sources);
    if (c->workdir)
        rl_workdir_remove(c->workdir);
    free(c->workdir);
    rl_diag_free(&c->diag);
    memset(c, 0, sizeof *c);
}
