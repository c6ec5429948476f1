/* main.c: racelab's entry point: dispatch to a subcommand. */
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "lib/run_disk.h"

struct subcommand {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct subcommand subcommands[] = {
    {"check", cmd_check, "find the concurrency bugs in a C program"},
    {"grade", cmd_grade, "grade a lab submission against its rubric"},
    {"demo", cmd_demo, "run a lecture demo (racelab demo lists them)"},
    {"doctor", cmd_doctor, "verify that the tools work on this machine"},
    {"class-report", cmd_class_report,
     "what a class got wrong, from its grades (make grade SUBMISSIONS=)"},
};

static void usage(FILE *out)
{
    fputs("usage: racelab <command> [options]\n\ncommands:\n", out);
    for (size_t i = 0; i < sizeof subcommands / sizeof *subcommands; i++)
        fprintf(out, "  %-12s %s\n", subcommands[i].name,
                subcommands[i].summary);
    fputs("\n'racelab <command> --help' describes a command.\n", out);
}

int main(int argc, char **argv)
{
    /* Before any thread: the work folders' tmpfs mounts live in a mount
     * namespace of racelab's own (docs/isolation.md). */
    rl_run_disk_setup(NULL);
    if (argc < 2) {
        usage(stderr);
        return RL_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return RL_EXIT_CLEAN;
    }
    for (size_t i = 0; i < sizeof subcommands / sizeof *subcommands; i++)
        if (strcmp(argv[1], subcommands[i].name) == 0)
            return subcommands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "racelab: '%s' is not a racelab command\n", argv[1]);
    usage(stderr);
    return RL_EXIT_USAGE;
}
