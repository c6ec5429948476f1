/* tool_sched.c: racelab's seeded scheduler as a tool: it explores seeds
 * of the program after the other tools' runs (sched/, docs/scheduler.md).
 * It reports only seeds that broke the program, with the interleaving. */
#include "sched/sched_check.h"
#include "tools/tool.h"

const struct rl_tool rl_tool_sched = {
    .name = "sched",
    .stage = RL_STAGE_EXPLORE,
    .needs = RL_NEEDS_SCHEDULES,
    .explore = rl_sched_check,
};
