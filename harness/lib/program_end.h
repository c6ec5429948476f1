/* program_end.h: how a program ended, in words a student can act on. */
#ifndef RACELAB_PROGRAM_END_H
#define RACELAB_PROGRAM_END_H

#include <stddef.h>

#include "lib/sandbox.h"

enum {
    RL_END_STDERR_LINES = 3,   /* last lines of stderr shown */
    RL_END_STDERR_CHARS = 240, /* at most, escaped */
};

/* "SIGSEGV", or "signal N" for one without a name in the C library. */
const char *rl_signal_name(int sig, char *buf, size_t len);

/* "4 GiB", "64 MiB", "1000 bytes": a limit in the unit it was set in. */
void rl_size_text(unsigned long long bytes, char *buf, size_t len);

/* 1 when the kernel killed the program itself for want of memory. */
int rl_program_killed_for_memory(const struct rl_sandbox_result *r);

/* "killed: out of memory (limit 4 GiB)". */
void rl_program_memory_words(const struct rl_sandbox_result *r, char *buf,
                             size_t len);

/*
 * Appends to note, when the program's output went past the sandbox's
 * cap (r->output_cap bytes of each kept): "it printed more than 1 MiB on
 * stdout; the rest was dropped".
 */
void rl_program_output_note(const struct rl_sandbox_result *r, char *note,
                            size_t notelen);

/*
 * Appends to note (a message, maybe "") what ended the program: "who
 * died of SIGSEGV (segmentation fault)" or "who exited with status 1" or
 * "who was killed: out of memory (limit 4 GiB)",
 * then its last lines of stderr, escaped and capped, so that the reason
 * it gave (a perror's words) is in front of the student.
 */
void rl_program_end_note(const struct rl_sandbox_result *r, const char *who,
                         char *note, size_t notelen);

#endif
