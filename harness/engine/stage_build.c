/* stage_build.c: the first stages of a check: the sources, the tools that
 * take part, and the builds they run. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "engine/check_stages.h"
#include "engine/env_fault.h"
#include "engine/preflight.h"
#include "lib/workdir.h"

int rl_stage_sources(struct rl_check *c)
{
    char err[256];
    if (rl_sources_init(&c->sources, (char *const *)c->req.files, c->req.nfiles,
                        err, sizeof err) != 0) {
        rl_diag_add(&c->diag, RL_DIAG_USER, NULL, "%s", err);
        c->status = RL_CHECK_REFUSED;
        return -1;
    }
    c->workdir = rl_workdir_create("racelab", err, sizeof err);
    if (!c->workdir) {
        rl_diag_add(&c->diag, RL_DIAG_INTERNAL, NULL, "%s", err);
        c->status = RL_CHECK_INTERNAL;
        return -1;
    }
    c->setup = (struct rl_run_setup){&c->sources,        c->req.program_args,
                                     rl_harness_dir(),   c->req.server,
                                     c->req.program_env, c->req.reference_env,
                                     c->req.others_env};
    return 0;
}

/* Does the request's mode call for a tool with these needs? */
static int mode_wants(const struct rl_check *c, unsigned needs)
{
    if ((needs & RL_NEEDS_SERVER) && !c->req.server)
        return 0;
    if ((needs & RL_NEEDS_SCHEDULES) && c->req.schedules <= 0)
        return 0;
    return 1;
}

/* Why the machine cannot run a tool with these needs, or NULL: that
 * tool's own problem, or all of them when it was not told apart. */
static const char *machine_refuses(unsigned needs, const struct rl_preflight *p)
{
    if ((needs & RL_NEEDS_TSAN) && !p->tsan_ok)
        return p->tsan_why[0] ? p->tsan_why : p->message;
    if ((needs & RL_NEEDS_VALGRIND) && !p->valgrind_ok)
        return p->valgrind_why[0] ? p->valgrind_why : p->message;
    return NULL;
}

int rl_stage_select(struct rl_check *c)
{
    struct rl_preflight p;
    rl_preflight_run(&p);
    int *on = c->req.tool_selected;
    for (int i = 0; rl_tools[i] && i < RL_MAX_SELECTED_TOOLS; i++) {
        const struct rl_tool *t = rl_tools[i];
        /* A --server program is always played by the driver, and seeds
         * asked for are always explored: the mode implies its tool. */
        if (t->stage == RL_STAGE_EXPLORE && on[i] && c->req.schedules <= 0)
            c->req.schedules = RL_DEFAULT_SCHEDULES; /* named in --tools */
        if (t->stage != RL_STAGE_RUN)
            on[i] = mode_wants(c, t->needs);
        const char *why = on[i] ? machine_refuses(t->needs, &p) : NULL;
        if (why) {
            on[i] = 0;
            snprintf(c->unavailable[i], sizeof c->unavailable[i], "%.500s",
                     why);
            rl_diag_add(&c->diag, RL_DIAG_WARNING, NULL, "skipping %s: %s",
                        t->name, why);
        }
    }
    /* As root, a cgroup refused is the machine's fault (a platform's
     * container); a user's own machine seldom delegates one, and a
     * student grading their own work needs no warning about it. */
    if (p.isolation[0] && !p.cgroup_ok && geteuid() == 0)
        snprintf(c->confinement_note, sizeof c->confinement_note,
                 "no memory or pids cgroup here%s: memory and process "
                 "counts are capped by rlimits only; fix: run racelab as "
                 "root, or delegate a cgroup to this user",
                 rl_env_fault("no-cgroup")
                     ? " (simulated: RACELAB_FAULT=no-cgroup)"
                     : "");
    return 0;
}

static void wanted_variants(const struct rl_check *c, int wanted[])
{
    memset(wanted, 0, RL_VARIANT_COUNT * sizeof *wanted);
    for (int i = 0; rl_tools[i]; i++)
        if (rl_check_selected(c, i) && rl_tools[i]->stage == RL_STAGE_RUN)
            wanted[rl_tools[i]->variant] = 1;
    wanted[RL_VARIANT_PLAIN] = 1; /* the plain build decides "compiles" */
}

/* A program that does not compile is the user's error, and ends here. */
int rl_stage_build(struct rl_check *c)
{
    char err[256];
    int wanted[RL_VARIANT_COUNT];
    wanted_variants(c, wanted);
    if (rl_build_all_with(&c->sources, wanted, &c->req.extras, c->workdir,
                          &c->build, err, sizeof err) != 0 &&
        !c->build.failed[RL_VARIANT_PLAIN]) {
        rl_diag_add(&c->diag, RL_DIAG_INTERNAL, NULL, "%s", err);
        c->status = RL_CHECK_INTERNAL;
        return -1;
    }
    const char *out = c->build.output[RL_VARIANT_PLAIN];
    if (c->build.failed[RL_VARIANT_PLAIN]) {
        rl_diag_add(&c->diag, RL_DIAG_USER, NULL,
                    "the program did not compile (%s):\n%s",
                    rl_build_command(RL_VARIANT_PLAIN),
                    out ? out : "(no compiler output)\n");
        c->status = RL_CHECK_REFUSED;
        return -1;
    }
    c->compiled = 1;
    for (int v = 0; v < RL_VARIANT_COUNT; v++)
        if (wanted[v] && c->build.failed[v])
            rl_diag_add(&c->diag, RL_DIAG_WARNING, NULL,
                        "the %s build failed, so its tools were skipped "
                        "(%s):\n%s",
                        rl_variant_name(v), rl_build_command(v),
                        c->build.output[v] ? c->build.output[v] : "");
    return 0;
}
