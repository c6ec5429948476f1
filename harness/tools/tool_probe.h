/* tool_probe.h: what the probe's run offers other parts of the harness. */
#ifndef RACELAB_TOOL_PROBE_H
#define RACELAB_TOOL_PROBE_H

#include "protocol/probe_shm.h"
#include "tools/tool.h"

extern const struct rl_tool rl_tool_probe;

/*
 * The probe's table of this run, mapped read-only while the program runs
 * (the server rounds count its threads), or NULL: another tool's run, a
 * table not created yet or written by a probe of another version.  The
 * run's state owns the mapping; it is gone once the probe parsed the run.
 */
const struct rlp_shm *rl_probe_table(const struct rl_run *run);

#endif
