/* check_options.c: the command line of `racelab check`. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/check_options.h"
#include "protocol/sched_wire.h"
#include "tools/tool.h"

void rl_check_usage(FILE *out)
{
    fputs("usage: racelab check [--server] [--tools LIST] [--runs N] [-I DIR] "
          "[--timeout SECONDS]\n"
          "                     [--schedules N [--depth D]] [--seed S "
          "[--trace]]\n"
          "                     [--seed S --step] [--choices LIST] "
          "[--html FILE] [--trace-json FILE]\n"
          "                     [--json FILE] [--junit FILE] [--sarif FILE] "
          "[--github]\n"
          "                     FILE.c... [-- ARGS...]\n"
          "\n"
          "Builds FILE.c... as one program, runs it under every tool and "
          "names each\nconcurrency bug found, with the source lines "
          "involved.\n\n"
          "  --server          the program is a TCP echo server started "
          "as PROG PORT\n"
          "  --tools LIST      comma-separated tools to run (default: all):",
          out);
    for (int i = 0; rl_tools[i]; i++)
        fprintf(out, "%s%s", i ? "," : " ", rl_tools[i]->name);
    fputs("\n"
          "  --runs N          run every tool N times (default 1)\n"
          "  --timeout SECONDS longest a single run may take (default 10)\n"
          "  --json FILE       also write the findings as JSON to FILE\n",
          out);
    for (size_t i = 0; rl_grade_formats[i].name && i < RL_MAX_FORMATS; i++) {
        const struct rl_grade_format *f = &rl_grade_formats[i];
        if (!f->check_emit)
            continue;
        int width = (int)strlen(f->option) + (f->no_file ? 0 : 5);
        fprintf(out, "  --%s%s%*s%s\n", f->option, f->no_file ? "" : " FILE",
                width < 16 ? 16 - width : 1, "", f->help);
    }
    fputs("  --schedules N     run N seeded schedules under racelab's own "
          "scheduler\n"
          "  --depth D         bug depth the schedules aim at (default 3)\n"
          "  --seed S          first seed (alone: replay seed S)\n"
          "  --trace           print the interleaving of each seed run\n"
          "  --no-spurious     no spurious condition-variable wakeups\n"
          "  --step            play scheduler: one step per Enter, or type "
          "a thread's\n                    number to run it instead "
          "(docs/pictures.md)\n"
          "  --choices LIST    with --seed: the threads chosen while "
          "stepping, STEP:THREAD,...\n"
          "  --html FILE       draw each finding's interleaving and wait-for "
          "cycle as\n                    one self-contained page (inline "
          "SVG)\n"
          "  --trace-json FILE the interleavings as Chrome Trace Event JSON "
          "(Perfetto)\n"
          "  -I DIR            look for headers in DIR too (repeatable)\n"
          "  -- ARGS...        arguments for the program\n"
          "\n"
          "exit status: 0 no finding, 1 findings, 2 usage error or the "
          "program did\nnot compile, 3 internal error\n",
          out);
}

static int usage_error(const char *fmt, const char *what)
{
    fputs("racelab check: ", stderr);
    fprintf(stderr, fmt, what);
    fputs("\nTry 'racelab check --help'.\n", stderr);
    return -1;
}

static int select_tools(struct rl_check_options *o, const char *list)
{
    char *copy = strdup(list), *save = NULL;
    int status = 0;
    memset(o->tool_selected, 0, sizeof o->tool_selected);
    for (char *name = strtok_r(copy, ",", &save); name;
         name = strtok_r(NULL, ",", &save)) {
        int found = 0;
        for (int i = 0; rl_tools[i]; i++)
            if (strcmp(rl_tools[i]->name, name) == 0)
                o->tool_selected[i] = found = 1;
        if (!found) {
            status = usage_error("unknown tool '%s'", name);
            break;
        }
    }
    free(copy);
    return status;
}

static int parse_number(const char *text, double min, double max, double *out)
{
    char *end;
    double v = strtod(text, &end);
    if (end == text || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static int parse_seed(const char *text, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (end == text || *end || errno || v < 0)
        return -1;
    *out = v;
    return 0;
}

/* Each format of the table with a check emitter is an option here, with
 * this value plus its row (report/grade_formats.c). */
enum { FORMAT_OPTION = 1000 };

int rl_check_parse_options(int argc, char **argv, struct rl_check_options *o)
{
    static const struct option fixed[] = {
        {"server", no_argument, NULL, 's'},
        {"tools", required_argument, NULL, 't'},
        {"runs", required_argument, NULL, 'r'},
        {"timeout", required_argument, NULL, 'T'},
        {"json", required_argument, NULL, 'j'},
        {"schedules", required_argument, NULL, 'S'},
        {"depth", required_argument, NULL, 'D'},
        {"seed", required_argument, NULL, 'e'},
        {"trace", no_argument, NULL, 'R'},
        {"no-spurious", no_argument, NULL, 'N'},
        {"step", no_argument, NULL, 'P'},
        {"choices", required_argument, NULL, 'C'},
        {"html", required_argument, NULL, 'H'},
        {"trace-json", required_argument, NULL, 'J'},
        {"include", required_argument, NULL, 'I'},
        {"help", no_argument, NULL, 'h'},
    };
    enum { NFIXED = sizeof fixed / sizeof *fixed };
    struct option longopts[NFIXED + RL_MAX_FORMATS + 1];
    size_t nopts = 0;
    for (size_t i = 0; i < NFIXED; i++)
        longopts[nopts++] = fixed[i];
    for (size_t i = 0; rl_grade_formats[i].name && i < RL_MAX_FORMATS; i++)
        if (rl_grade_formats[i].check_emit)
            longopts[nopts++] = (struct option){
                rl_grade_formats[i].option,
                rl_grade_formats[i].no_file ? no_argument : required_argument,
                NULL, FORMAT_OPTION + (int)i};
    longopts[nopts] = (struct option){NULL, 0, NULL, 0};
    memset(o, 0, sizeof *o);
    o->runs = 1;
    o->timeout = 10;
    o->depth = RS_DEFAULT_DEPTH;
    o->seed = 1;
    /* Every RUN tool by default; the server driver and the scheduler come
     * with --server and --schedules. */
    for (int i = 0; rl_tools[i] && i < RL_MAX_SELECTED_TOOLS; i++)
        o->tool_selected[i] = rl_tools[i]->stage == RL_STAGE_RUN;
    /* The program's own arguments follow the first "--", untouched. */
    int ours = argc;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--") == 0) {
            ours = i;
            break;
        }
    o->program_args = argv + (ours < argc ? ours + 1 : argc);
    argv[ours < argc ? ours : argc] = NULL;
    optind = 1;
    opterr = 0;
    double number;
    int c;
    while ((c = getopt_long(ours, argv, "hI:", longopts, NULL)) != -1) {
        switch (c) {
        case 's':
            o->server = 1;
            break;
        case 'I':
            if (o->nincludes + 1 >= RL_MAX_INCLUDES)
                return usage_error("at most %s include folders", "16");
            o->includes[o->nincludes++] = optarg;
            break;
        case 't':
            if (select_tools(o, optarg) != 0)
                return -1;
            o->tools_given = 1;
            break;
        case 'r':
            if (parse_number(optarg, 1, 1000, &number) != 0 ||
                number != (int)number)
                return usage_error("--runs wants a whole number from 1 "
                                   "to 1000, not '%s'",
                                   optarg);
            o->runs = (int)number;
            break;
        case 'T':
            if (parse_number(optarg, 0.1, 3600, &number) != 0)
                return usage_error("--timeout wants seconds from 0.1 to "
                                   "3600, not '%s'",
                                   optarg);
            o->timeout = number;
            break;
        case 'j':
            o->json_path = optarg;
            break;
        case 'S':
            if (parse_number(optarg, 1, 1000000, &number) != 0 ||
                number != (int)number)
                return usage_error("--schedules wants a whole number from 1 "
                                   "to 1000000, not '%s'",
                                   optarg);
            o->schedules = (int)number;
            break;
        case 'D':
            if (parse_number(optarg, 1, 16, &number) != 0 ||
                number != (int)number)
                return usage_error("--depth wants a whole number from 1 to "
                                   "16, not '%s'",
                                   optarg);
            o->depth = (int)number;
            break;
        case 'e':
            if (parse_seed(optarg, &o->seed) != 0)
                return usage_error("--seed wants a whole number from 0 to "
                                   "2^63-1, not '%s'",
                                   optarg);
            o->seed_set = 1;
            break;
        case 'R':
            o->trace = 1;
            break;
        case 'N':
            o->no_spurious = 1;
            break;
        case 'P':
            o->step = 1;
            break;
        case 'C':
            if (strspn(optarg, "0123456789:,") != strlen(optarg))
                return usage_error("--choices wants STEP:THREAD,..., not "
                                   "'%s'",
                                   optarg);
            o->choices = optarg;
            break;
        case 'H':
            o->html_path = optarg;
            break;
        case 'J':
            o->trace_json_path = optarg;
            break;
        case 'h':
            rl_check_usage(stdout);
            return 1;
        default:
            if (c >= FORMAT_OPTION && c < FORMAT_OPTION + RL_MAX_FORMATS) {
                o->format_path[c - FORMAT_OPTION] = optarg ? optarg : "-";
                break;
            }
            return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    /* getopt_long moved the file names after the options. */
    o->files = argv + optind;
    o->nfiles = ours - optind;
    if (o->nfiles == 0)
        return usage_error("%s", "no source file given");
    for (size_t i = 0; i < o->nfiles; i++)
        if (o->files[i][0] == '-')
            return usage_error("unknown option '%s'", o->files[i]);
    /* Stepping runs one seed under the scheduler, nothing else. */
    int formats = 0;
    for (size_t i = 0; i < RL_MAX_FORMATS; i++)
        formats |= o->format_path[i] != NULL;
    if (o->step && (o->schedules > 1 || o->server || o->json_path || formats))
        return usage_error("%s", "--step plays one seed: not with "
                                 "--schedules N, --server, --json or the "
                                 "grading formats");
    if (o->choices && !o->seed_set && o->schedules == 0 && !o->step)
        return usage_error("%s", "--choices needs --seed S (or --step)");
    return 0;
}
