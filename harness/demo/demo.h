/* demo.h: the lecture demos of `racelab demo`: each a few acts, each act
 * one idea for the projector and the real command that shows it. */
#ifndef RACELAB_DEMO_H
#define RACELAB_DEMO_H

#include <stddef.h>

enum { RL_DEMO_MAX_ACTS = 8, RL_DEMO_MAX_ARGS = 16 };

struct demo_screen;

/* One screen: a header, a few short lines to say, then either a command
 * run as a child with its output shown (argv[0] "racelab" is this
 * racelab; other words are paths relative to the checkout, as a lecturer
 * would type), or, with `live`, a live act (demo_acts.h) that runs the
 * program whose source files argv lists and narrates it. */
struct rl_demo_act {
    const char *title;
    const char *say; /* short lines, '\n' between them */
    const char *argv[RL_DEMO_MAX_ARGS];
    int (*live)(struct demo_screen *s, const struct rl_demo_act *a);
};

struct rl_demo {
    const char *name;
    const char *summary;
    struct rl_demo_act acts[RL_DEMO_MAX_ACTS];
    /* --step: the racelab check words that play a seed by hand (the
     * lecturer picks the threads, docs/pictures.md), or none; --html
     * FILE: the act (1-based) whose check draws the page, or 0. */
    const char *step[RL_DEMO_MAX_ARGS];
    int html_act;
};

extern const struct rl_demo rl_demos[];
extern const size_t rl_demo_count;

/* The demo called name, or NULL. */
const struct rl_demo *rl_demo_find(const char *name);

#endif
