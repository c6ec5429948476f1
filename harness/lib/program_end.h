/* program_end.h: how a program ended, in words a student can act on. */
#ifndef RACELAB_PROGRAM_END_H
#define RACELAB_PROGRAM_END_H

#include <stddef.h>

#include "lib/sandbox.h"

enum {
    RL_END_STDERR_LINES = 3,   /* last lines of stderr shown */
    RL_END_STDERR_CHARS = 240, /* at most, escaped */
};

/*
 * Appends to note (a message, maybe "") what ended the program: "who
 * died of SIGSEGV (segmentation fault)" or "who exited with status 1",
 * then its last lines of stderr, escaped and capped, so that the reason
 * it gave (a perror's words) is in front of the student.
 */
void rl_program_end_note(const struct rl_sandbox_result *r, const char *who,
                         char *note, size_t notelen);

#endif
