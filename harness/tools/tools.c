/* tools.c: the registry of detectors; adding a tool is adding a line here. */
#include <stdlib.h>
#include <string.h>

#include "tools/tool.h"

extern const struct rl_tool rl_tool_probe, rl_tool_tsan, rl_tool_asan,
    rl_tool_memcheck, rl_tool_helgrind, rl_tool_drd, rl_tool_server,
    rl_tool_sched;

/* The order of the runs within a round, after the tool that watches for
 * hangs (which the engine starts first whatever its place). */
const struct rl_tool *const rl_tools[] = {
    &rl_tool_probe,    &rl_tool_tsan,     &rl_tool_asan,
    &rl_tool_memcheck, &rl_tool_helgrind, &rl_tool_drd,
    &rl_tool_server,   &rl_tool_sched,    NULL,
};

const struct rl_tool *rl_tool_find(const char *name)
{
    for (int i = 0; rl_tools[i]; i++)
        if (strcmp(rl_tools[i]->name, name) == 0)
            return rl_tools[i];
    return NULL;
}

int rl_tool_index(const struct rl_tool *t)
{
    for (int i = 0; rl_tools[i]; i++)
        if (rl_tools[i] == t)
            return i;
    return -1;
}

const struct rl_tool *rl_tool_driver(void)
{
    for (int i = 0; rl_tools[i]; i++)
        if (rl_tools[i]->stage == RL_STAGE_DRIVE)
            return rl_tools[i];
    return NULL;
}

void rl_explore_outcome_free(struct rl_explore_outcome *o)
{
    free(o->build_command);
    free(o->build_output);
    free(o->error);
    free(o->note);
    rl_findings_free(&o->found);
    rl_findings_free(&o->passing);
    memset(o, 0, sizeof *o);
}
