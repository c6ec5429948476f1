/* tool_server.c: the server driver as a tool: racelab's clients played
 * against a --server program's runs (server/). */
#include <stdlib.h>

#include "lib/xalloc.h"
#include "server/server_driver.h"
#include "server/server_rounds.h"
#include "tools/tool.h"

/* The server's first argument is the port it listens on. */
static char **server_prepare(struct rl_run *run)
{
    char **args = xcalloc(2, sizeof *args);
    args[0] = xasprintf("%d", rl_server_pick_port());
    /* A server that never reaps keeps a zombie per client, and the server
     * checks make a few hundred: it must fail the checks, not fork. */
    run->sandbox.max_procs = RL_SANDBOX_SERVER_PROCS;
    return args;
}

/* The TSan and ASan builds' stop hook wakes up (server_rounds.h). */
static void server_env(struct rl_run *run)
{
    rl_strv_pushf(&run->env, "%s=1", RL_STOP_ENV);
}

static int server_drive(struct rl_sandbox *sb, struct rl_run *run,
                        struct rl_findings *out, char *note, size_t notelen)
{
    int outcome = rl_server_drive_full(sb, run, out, note, notelen);
    run->server_ended = rl_sandbox_program_pid(sb) <= 0;
    /* Not a SIGTERM straight away: sanitized builds write their exit-time
     * reports (thread leaks, leaks) only when they exit. */
    rl_server_stop(sb, run);
    return outcome;
}

const struct rl_tool rl_tool_server = {
    .name = "server",
    .stage = RL_STAGE_DRIVE,
    .needs = RL_NEEDS_SERVER,
    .drive_prepare = server_prepare,
    .drive_env = server_env,
    .drive = server_drive,
};
