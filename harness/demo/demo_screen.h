/* demo_screen.h: how a demo talks to the hall: big plain text, one idea
 * per screen, every command shown before its output. */
#ifndef RACELAB_DEMO_SCREEN_H
#define RACELAB_DEMO_SCREEN_H

#include <stdio.h>

struct demo_screen {
    FILE *out;
    int no_pause; /* --no-pause: straight through, no screen clearing */
};

/* A new screen (cleared on a terminal) with a ruled title. */
void demo_header(struct demo_screen *s, const char *title);
/* Short lines to say, '\n' between them, a blank line after each. */
void demo_say(struct demo_screen *s, const char *text);
/* "  $ command": what is about to run. */
void demo_cmd(struct demo_screen *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* One line of what came of it, indented under the command. */
void demo_line(struct demo_screen *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The lesson of the screen, set off by a blank line. */
void demo_point(struct demo_screen *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Waits for Enter (not with --no-pause). */
void demo_pause(struct demo_screen *s);

#endif
