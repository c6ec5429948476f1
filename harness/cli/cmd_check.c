/* cmd_check.c: `racelab check`: the command line into a check request,
 * the check's result into reports and an exit status. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/check_options.h"
#include "cli/check_step.h"
#include "cli/cmd.h"
#include "engine/check_engine.h"
#include "lib/xalloc.h"
#include "report/check_view.h"
#include "report/picture.h"

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

static void make_request(const struct rl_check_options *o,
                         struct rl_check_request *req)
{
    memset(req, 0, sizeof *req);
    req->files = o->files;
    req->nfiles = o->nfiles;
    req->program_args = o->program_args;
    req->extras.include_dirs = o->nincludes ? o->includes : NULL;
    req->server = o->server;
    req->runs = o->runs;
    req->timeout = o->timeout;
    memcpy(req->tool_selected, o->tool_selected, sizeof req->tool_selected);
    /* --seed alone replays one seed; --schedules explores many.  Exploring
     * seeds without --tools runs racelab's scheduler alone
     * (docs/scheduler.md). */
    req->schedules = o->schedules > 0 ? o->schedules : o->seed_set ? 1 : 0;
    if (req->schedules > 0 && !o->tools_given)
        memset(req->tool_selected, 0, sizeof req->tool_selected);
    req->first_seed = o->seed;
    req->first_seed_set = 1;
    req->depth = o->depth;
    req->no_spurious = o->no_spurious;
    req->trace = o->trace;
    req->choices = o->choices;
}

/* Writes the formats asked for (--junit, --sarif, --github: the table's
 * rows with a check emitter) whose row is `last` or not; 1 when one
 * failed (said on stderr). */
static int emit_formats(const struct rl_report *r,
                        const struct rl_check_options *o, int last)
{
    int failed = 0;
    for (size_t i = 0; rl_grade_formats[i].name && i < RL_MAX_FORMATS; i++) {
        const struct rl_grade_format *f = &rl_grade_formats[i];
        char err[256] = "";
        if (!f->check_emit || !o->format_path[i] || f->last != last)
            continue;
        if (f->check_emit(r, o->format_path[i], err, sizeof err) != 0) {
            fprintf(stderr, "racelab: %s\n", err);
            failed = 1;
        }
    }
    return failed;
}

/* The status of a check that could not run, after its formats: they are
 * written even then (saying why), --json is not, as always. */
static int report_unfinished(const struct rl_check *c,
                             const struct rl_check_options *o)
{
    char *program = program_name(o);
    struct rl_report r;
    rl_check_report(c, program, &r);
    int failed = emit_formats(&r, o, 0);
    fflush(stderr);
    fflush(stdout);
    failed |= emit_formats(&r, o, 1);
    rl_check_report_free(&r);
    free(program);
    return c->status == RL_CHECK_REFUSED && !failed ? RL_EXIT_USAGE
                                                    : RL_EXIT_INTERNAL;
}

/* Prints the findings, writes --json and the other formats; returns the
 * exit status. */
static int report(const struct rl_check *c, const struct rl_check_options *o)
{
    rl_report_diagnostics(stderr, &c->diag);
    if (c->status == RL_CHECK_REFUSED || c->status == RL_CHECK_INTERNAL)
        return report_unfinished(c, o);
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
    internal |= emit_formats(&r, o, 0);
    if (rl_picture_files(o->html_path, o->trace_json_path, program, r.findings,
                         r.passing, err, sizeof err) != 0) {
        fprintf(stderr, "racelab: %s\n", err);
        internal = 1;
    }
    if (!internal && c->never_listened)
        fputs("racelab: with --server, the program must listen on the port "
              "given as its first\nargument and echo each line back; "
              "start it by hand to see what it does:\n  ./prog 5000 & "
              "nc 127.0.0.1 5000\n",
              stderr);
    /* Last, after everything on stderr (GitHub's annotations). */
    fflush(stderr);
    fflush(stdout);
    internal |= emit_formats(&r, o, 1);
    rl_check_report_free(&r);
    free(program);
    if (internal)
        return RL_EXIT_INTERNAL;
    if (c->never_listened)
        return RL_EXIT_USAGE;
    return c->verdict.n ? RL_EXIT_FINDINGS : RL_EXIT_CLEAN;
}

int cmd_check(int argc, char **argv)
{
    struct rl_check_options o;
    memset(&o, 0, sizeof o);
    int parsed = rl_check_parse_options(argc, argv, &o);
    if (parsed != 0)
        return parsed > 0 ? RL_EXIT_CLEAN : RL_EXIT_USAGE;
    if (o.server && (o.schedules > 0 || o.seed_set)) {
        fputs("racelab check: --schedules and --seed do not drive --server "
              "programs\n(sockets are not modeled by the scheduler)\n",
              stderr);
        return RL_EXIT_USAGE;
    }
    if (o.step)
        return rl_check_step(&o);
    /* Before any output, which its format may have to fence off. */
    for (size_t i = 0; rl_grade_formats[i].name && i < RL_MAX_FORMATS; i++)
        if (rl_grade_formats[i].begin && o.format_path[i])
            rl_grade_formats[i].begin(o.format_path[i]);
    struct rl_check_request req;
    make_request(&o, &req);
    struct rl_check c;
    rl_check_execute(&c, &req);
    int status = report(&c, &o);
    rl_check_free(&c);
    return status;
}
