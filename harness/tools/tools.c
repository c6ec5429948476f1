/* tools.c: the registry of detectors; adding a tool is adding a line here. */
#include <string.h>

#include "tools/tool.h"

extern const struct rl_tool rl_tool_probe, rl_tool_tsan, rl_tool_asan,
    rl_tool_memcheck, rl_tool_helgrind, rl_tool_drd;

/* The probe runs first: when it sees a hang, the slower tools are given
 * a shorter time (cmd_check.c). */
const struct rl_tool *const rl_tools[] = {
    &rl_tool_probe,    &rl_tool_tsan, &rl_tool_asan, &rl_tool_memcheck,
    &rl_tool_helgrind, &rl_tool_drd,  NULL,
};

const struct rl_tool *rl_tool_find(const char *name)
{
    for (int i = 0; rl_tools[i]; i++)
        if (strcmp(rl_tools[i]->name, name) == 0)
            return rl_tools[i];
    return NULL;
}
