/* cmd_check.c: `racelab check`: build, run every tool, merge, report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/check_engine.h"
#include "cli/check_options.h"
#include "cli/cmd.h"
#include "report/report.h"
#include "sched/sched_check.h"
#include "lib/xalloc.h"

static char *program_name(const struct rl_check_options *o)
{
    char *program = xstrdup("");
    for (size_t i = 0; i < o->nfiles; i++) {
        char *next = xasprintf("%s%s%s", program, i ? " " : "", o->files[i]);
        free(program);
        program = next;
    }
    return program;
}

/* Prints the findings, writes --json; returns the exit status. */
static int report(const struct rl_check *c, const struct rl_check_options *o)
{
    char *program = program_name(o);
    struct rl_report r;
    rl_check_report(c, program, &r);
    rl_report_text(stdout, &r);
    fflush(stdout);
    char err[256];
    int internal = c->internal_error;
    if (o->json_path && rl_report_json(o->json_path, &r, err, sizeof err)) {
        fprintf(stderr, "racelab: %s\n", err);
        internal = 1;
    }
    rl_check_report_free(&r);
    free(program);
    if (internal)
        return RL_EXIT_INTERNAL;
    if (c->never_listened) {
        fputs("racelab: with --server, the program must listen on the port "
              "given as its first\nargument and echo each line back; "
              "start it by hand to see what it does:\n  ./prog 5000 & "
              "nc 127.0.0.1 5000\n",
              stderr);
        return RL_EXIT_USAGE;
    }
    return c->verdict.n ? RL_EXIT_FINDINGS : RL_EXIT_CLEAN;
}

int cmd_check(int argc, char **argv)
{
    struct rl_check_options o;
    memset(&o, 0, sizeof o);
    int parsed = rl_check_parse_options(argc, argv, &o);
    if (parsed != 0)
        return parsed > 0 ? RL_EXIT_CLEAN : RL_EXIT_USAGE;
    /* Exploring schedules is a different run altogether: racelab's own
     * scheduler instead of the tools (docs/scheduler.md). */
    if (o.schedules > 0 || o.seed_set)
        return rl_check_schedules(&o);
    struct rl_check_request req = {0};
    req.files = o.files;
    req.nfiles = o.nfiles;
    req.program_args = o.program_args;
    req.server = o.server;
    req.runs = o.runs;
    req.timeout = o.timeout;
    memcpy(req.tool_selected, o.tool_selected, sizeof req.tool_selected);
    struct rl_check c;
    int status = rl_check_execute(&c, &req);
    if (status == 0)
        status = report(&c, &o);
    rl_check_free(&c);
    return status;
}
