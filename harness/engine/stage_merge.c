/* stage_merge.c: the raw findings of every run and of the exploration,
 * folded and judged by the policy into the verdict. */
#include <string.h>

#include "engine/check_stages.h"
#include "engine/fold_free_race.h"
#include "engine/policy.h"
#include "probe/connfd_analysis.h"

/* A job's problems join the check's, in the order the jobs ran. */
static void collect_diagnostics(struct rl_check *c, struct rl_job *job)
{
    for (size_t i = 0; i < job->diag.n; i++)
        rl_diag_add(&c->diag, job->diag.v[i].level, job->diag.v[i].tool, "%s",
                    job->diag.v[i].message);
    if (job->error[0])
        rl_diag_add(&c->diag, RL_DIAG_INTERNAL, job->tool->name, "%s",
                    job->error);
    else if (job->tool_failed[0])
        rl_diag_add(&c->diag, RL_DIAG_WARNING, job->tool->name,
                    "%s: its findings may be incomplete", job->tool_failed);
    else if (job->server_outcome != RL_DRIVE_OK)
        rl_diag_add(&c->diag, RL_DIAG_NOTE, job->tool->name, "%s", job->note);
}

static void keep_raw_ids(struct rl_job *job)
{
    for (size_t i = 0; i < job->found.n; i++) {
        int seen = 0;
        for (size_t k = 0; k < job->raw_ids.n; k++)
            seen |= strcmp(job->raw_ids.v[k], job->found.v[i].id) == 0;
        if (!seen)
            rl_strv_push(&job->raw_ids, job->found.v[i].id);
    }
}

int rl_stage_merge(struct rl_check *c)
{
    struct rl_findings raw = {0};
    int started = 0;
    for (size_t i = 0; i < c->njobs; i++) {
        struct rl_job *job = &c->jobs[i];
        keep_raw_ids(job);
        rl_findings_take(&raw, &job->found);
        collect_diagnostics(c, job);
        started |= job->server_outcome != RL_DRIVE_NEVER_STARTED;
    }
    rl_findings_take(&raw, &c->explore.out.found);
    if (c->req.server)
        rl_policy_drop_exit_fd_reports(&raw);
    c->never_listened = c->req.server && c->njobs && !started;
    /* TSan's race on the accept loop's descriptor is the connfd-race the
     * probe made happen: one finding, with both tools' lines. */
    rl_connfd_relabel(&raw);
    /* TSan's race of a free with a read is the use-after-free. */
    rl_fold_free_races(&raw);
    rl_policy_apply(&raw, &c->verdict);
    rl_findings_free(&raw);
    return 0;
}
