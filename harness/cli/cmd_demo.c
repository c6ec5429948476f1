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
#include "demo/demo_screen.h"
#include "lib/workdir.h"

static void demo_list(FILE *out)
{
    fputs("racelab demo NAME [--no-pause]\n"
          "racelab demo lost-update --step [--html FILE]   play scheduler\n"
          "racelab demo lost-update --html FILE  the losing seed as a page\n"
          "\ndemos:\n",
          out);
    for (size_t i = 0; i < rl_demo_count; i++)
        fprintf(out, "  %-20s %s\n", rl_demos[i].name, rl_demos[i].summary);
}

/* Runs the act's command from the checkout's root, its output straight
 * to the screen (racelab check escapes what the program printed); with
 * html, racelab check also draws the page (--html FILE). */
static int run_words(const char *const *words, const char *html)
{
    char self[PATH_MAX];
    snprintf(self, sizeof self, "%s/racelab", rl_harness_dir());
    const char *argv[RL_DEMO_MAX_ARGS + 3] = {0};
    size_t n = 0;
    printf("\n  $");
    for (size_t w = 0; w < RL_DEMO_MAX_ARGS && words[w]; w++) {
        argv[n++] =
            w == 0 && strcmp(words[0], "racelab") == 0 ? self : words[w];
        printf(" %s", w == 0 ? "racelab" : words[w]);
        /* The page's option goes right after "check". */
        if (html && w == 1 && strcmp(words[1], "check") == 0) {
            argv[n++] = "--html";
            argv[n++] = html;
            printf(" --html %s", html);
        }
    }
    printf("\n\n");
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0)
        ;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

int cmd_demo(int argc, char **argv)
{
    const char *name = NULL, *html = NULL;
    int no_pause = 0, step = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--no-pause") == 0)
            no_pause = 1;
        else if (strcmp(argv[i], "--step") == 0)
            step = 1;
        else if (strcmp(argv[i], "--html") == 0 && i + 1 < argc)
            html = argv[++i];
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
    if ((step && !d->step[0]) || (html && !step && !d->html_act)) {
        fprintf(stderr,
                "racelab demo %s: no %s in this demo (lost-update "
                "has it)\n",
                d->name, step ? "--step" : "--html");
        return RL_EXIT_USAGE;
    }
    /* The page goes where the lecturer said, not under the checkout. */
    char html_abs[PATH_MAX];
    if (html && html[0] != '/') {
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof cwd) ||
            snprintf(html_abs, sizeof html_abs, "%s/%s", cwd, html) >=
                (int)sizeof html_abs) {
            fprintf(stderr, "racelab demo: cannot name %s\n", html);
            return RL_EXIT_INTERNAL;
        }
        html = html_abs;
    }
    /* The acts name the labs' and the corpus's files from the checkout's
     * root, as a lecturer standing there would type them. */
    char root[PATH_MAX];
    snprintf(root, sizeof root, "%s/..", rl_harness_dir());
    if (chdir(root) != 0) {
        fprintf(stderr, "racelab demo: cannot enter %s\n", root);
        return RL_EXIT_INTERNAL;
    }
    struct demo_screen s = {stdout, no_pause};
    demo_header(&s, d->name);
    demo_say(&s, d->summary);
    if (step) {
        /* One act: the lecturer is the scheduler, on a seed that works. */
        demo_header(&s, "Play scheduler");
        demo_say(&s, "Enter runs the step the seed picks;\n"
                     "a thread's number runs that thread instead.\n"
                     "Make T1 lose its update.");
        int rc = run_words(d->step, html);
        fflush(stdout);
        return rc == RL_EXIT_CLEAN || rc == RL_EXIT_FINDINGS ? RL_EXIT_CLEAN
                                                             : RL_EXIT_INTERNAL;
    }
    for (size_t i = 0; i < RL_DEMO_MAX_ACTS && d->acts[i].title; i++) {
        const struct rl_demo_act *a = &d->acts[i];
        demo_pause(&s);
        demo_header(&s, a->title);
        if (a->say[0])
            demo_say(&s, a->say);
        int rc = a->live ? a->live(&s, a)
                         : run_words(a->argv,
                                     (int)i + 1 == d->html_act ? html : NULL);
        fflush(stdout);
        if (rc < 0 || rc == 127 || rc >= RL_EXIT_INTERNAL) {
            fprintf(stderr, "racelab demo: the act's command failed (%d)\n",
                    rc);
            return RL_EXIT_INTERNAL;
        }
    }
    printf("\n  End of %s.\n", d->name);
    return RL_EXIT_CLEAN;
}
