/* demo_acts.h: the live acts of the demos: each runs the act's program
 * (its files in act->argv) in the sandbox and shows, step by step, what
 * the program and the kernel do.  0, or -1 when the act could not run
 * (it has said why on the screen). */
#ifndef RACELAB_DEMO_ACTS_H
#define RACELAB_DEMO_ACTS_H

#include "demo/demo.h"
#include "demo/demo_screen.h"

/* demo_servers.c */
int demo_live_blocking(struct demo_screen *s, const struct rl_demo_act *a);
int demo_live_zombies(struct demo_screen *s, const struct rl_demo_act *a);
int demo_live_half_line(struct demo_screen *s, const struct rl_demo_act *a);
int demo_live_connfd(struct demo_screen *s, const struct rl_demo_act *a);
int demo_live_stacks(struct demo_screen *s, const struct rl_demo_act *a);
/* demo_sync.c */
int demo_live_deadlock(struct demo_screen *s, const struct rl_demo_act *a);
int demo_live_livelock(struct demo_screen *s, const struct rl_demo_act *a);
int demo_live_starvation(struct demo_screen *s, const struct rl_demo_act *a);
int demo_live_finish(struct demo_screen *s, const struct rl_demo_act *a);
/* demo_seeds.c */
int demo_live_seeds(struct demo_screen *s, const struct rl_demo_act *a);
/* demo_tools.c */
int demo_live_tools(struct demo_screen *s, const struct rl_demo_act *a);

#endif
