/* cmd_demo.c: `racelab demo [NAME] [--no-pause]`: the lecture demos,
 * narrated for a projector: a header per act, short lines, the command
 * shown before its output, Enter between acts. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "demo/demo.h"
#include "lib/workdir.h"

static void demo_list(FILE *out)
{
    fputs("racelab demo NAME [--no-pause]\n\ndemos:\n", out);
    for (size_t i = 0; i < rl_demo_count; i++)
        fprintf(out, "  %-20s %s\n", rl_demos[i].name, rl_demos[i].summary);
}

/* Big plain text: a ruled header, blank lines around each idea. */
static void say_header(const char *title)
{
    printf("\n\n==============================\n  %s\n"
           "==============================\n\n",
           title);
}

static void say_lines(const char *text)
{
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        printf("  %.*s\n\n", (int)n, p);
        p += n + (nl != NULL);
    }
}

/* Runs the act's command from the checkout's root, its output straight
 * to the screen (racelab check escapes what the program printed). */
static int run_act(const struct rl_demo_act *a, const char *root)
{
    char self[PATH_MAX];
    snprintf(self, sizeof self, "%s/racelab", rl_harness_dir());
    const char *argv[RL_DEMO_MAX_ARGS + 1] = {0};
    printf("  $");
    for (size_t i = 0; i < RL_DEMO_MAX_ARGS && a->argv[i]; i++) {
        argv[i] = i == 0 && strcmp(a->argv[0], "racelab") == 0 ? self
                                                                : a->argv[i];
        printf(" %s", i == 0 ? "racelab" : a->argv[i]);
    }
    printf("\n\n");
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (chdir(root) != 0)
            _exit(127);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0)
        ;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void pause_for_enter(void)
{
    printf("\n  [Enter]");
    fflush(stdout);
    int c;
    while ((c = getchar()) != EOF && c != '\n')
        ;
}

int cmd_demo(int argc, char **argv)
{
    const char *name = NULL;
    int no_pause = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--no-pause") == 0)
            no_pause = 1;
        else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            demo_list(stdout);
            return RL_EXIT_CLEAN;
        } else if (argv[i][0] == '-' || name) {
            fprintf(stderr, "racelab demo: unexpected '%s'\n", argv[i]);
            demo_list(stderr);
            return RL_EXIT_USAGE;
        } else
            name = argv[i];
    }
    if (!name) {
        demo_list(stdout);
        return RL_EXIT_CLEAN;
    }
    const struct rl_demo *d = rl_demo_find(name);
    if (!d) {
        fprintf(stderr, "racelab demo: no demo '%s'\n", name);
        demo_list(stderr);
        return RL_EXIT_USAGE;
    }
    char root[PATH_MAX];
    snprintf(root, sizeof root, "%s/..", rl_harness_dir());
    say_header(d->name);
    say_lines(d->summary);
    for (size_t i = 0; i < RL_DEMO_MAX_ACTS && d->acts[i].title; i++) {
        if (!no_pause)
            pause_for_enter();
        say_header(d->acts[i].title);
        if (d->acts[i].say[0])
            say_lines(d->acts[i].say);
        int rc = run_act(&d->acts[i], root);
        if (rc < 0 || rc == 127 || rc >= RL_EXIT_INTERNAL) {
            fprintf(stderr, "racelab demo: the act's command failed (%d)\n",
                    rc);
            return RL_EXIT_INTERNAL;
        }
    }
    printf("\n  End of %s.\n", d->name);
    return RL_EXIT_CLEAN;
}
