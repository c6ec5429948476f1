/* cmd_doctor.c: `racelab doctor`: do the tools work on this machine? */
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "engine/preflight.h"

int cmd_doctor(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--help") == 0) {
        puts("usage: racelab doctor\n\nChecks, without the cache, that "
             "ThreadSanitizer, valgrind, namespaces,\ncgroups and per-run "
             "uids work here, and says how to fix what does not.\nexit status: "
             "0 "
             "the tools work, 1 they do not");
        return RL_EXIT_CLEAN;
    }
    if (argc > 1) {
        fprintf(stderr, "racelab doctor: unknown option '%s'\n", argv[1]);
        return RL_EXIT_USAGE;
    }
    struct rl_preflight p;
    int status = rl_preflight_run_cached(&p, 0);
    rl_preflight_print(&p, stdout);
    return status == 0 ? RL_EXIT_CLEAN : RL_EXIT_FINDINGS;
}
