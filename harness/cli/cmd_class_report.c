/* cmd_class_report.c: `racelab class-report DIR`: what a class got wrong,
 * from the per-student grades `make grade LAB=NN SUBMISSIONS=root` left
 * in DIR (grades/LAB), as DIR/class.html and DIR/class.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "lib/xalloc.h"
#include "report/class_report.h"

static void usage(FILE *out)
{
    fputs("usage: racelab class-report DIR\n\n"
          "Reads the grades in DIR (each student's <name>.json from racelab\n"
          "grade --json, and the notes make grade keeps in DIR/.racelab/)\n"
          "and writes DIR/class.html (self-contained) and DIR/class.md:\n"
          "the score histogram, the share of the class that passed each\n"
          "check, each failure mode with a typical line, the slowest\n"
          "submissions and those that could not be graded.\n\n"
          "exit status: 0 written, 2 usage error or unreadable DIR,\n"
          "3 a file could not be written\n",
          out);
}

/* Writes one view to DIR/name; 0, or -1 said on stderr. */
static int write_view(const struct rl_class *c, const char *dir,
                      const char *name,
                      int (*view)(const struct rl_class *, FILE *))
{
    char *path = xasprintf("%s/%s", dir, name);
    char *tmp = xasprintf("%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    int bad = !f || view(c, f) != 0;
    if (f && fclose(f) != 0)
        bad = 1;
    /* Written beside, then renamed: a reader never sees half a page. */
    if (!bad && rename(tmp, path) != 0)
        bad = 1;
    if (bad) {
        fprintf(stderr, "racelab class-report: cannot write '%s'\n", path);
        remove(tmp);
    }
    free(path);
    free(tmp);
    return bad ? -1 : 0;
}

int cmd_class_report(int argc, char **argv)
{
    if (argc == 2 &&
        (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        usage(stdout);
        return RL_EXIT_CLEAN;
    }
    if (argc != 2 || argv[1][0] == '-') {
        usage(stderr);
        return RL_EXIT_USAGE;
    }
    struct rl_class c;
    char err[512];
    if (rl_class_load(argv[1], &c, err, sizeof err) != 0) {
        fprintf(stderr, "racelab class-report: %s\n", err);
        return RL_EXIT_USAGE;
    }
    int bad = write_view(&c, argv[1], "class.html", rl_class_html);
    bad |= write_view(&c, argv[1], "class.md", rl_class_md);
    rl_class_free(&c);
    return bad ? RL_EXIT_INTERNAL : RL_EXIT_CLEAN;
}
