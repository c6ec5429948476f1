/* escape.h: text that came from a user's program (a test's message, what
 * a server sent back, a compiler's words about its source) made safe to
 * print in a report read on a terminal: capped, and with every byte that
 * could move the cursor, erase a line or change colours shown as an
 * escape instead. */
#ifndef RACELAB_ESCAPE_H
#define RACELAB_ESCAPE_H

#include <stddef.h>

/* What a report shows of one message (the first compiler errors fit). */
#define RL_ESCAPE_CAP 4096

/*
 * A copy of s (free it) in which newlines and tabs stay, CR is "\r", ESC
 * "\x1b", other control bytes, DEL, C1 controls, bytes that are not
 * UTF-8 and the Unicode direction overrides "\xNN" or "\u202e"; past cap
 * bytes of s, the rest becomes "... (N more bytes dropped)".
 */
char *rl_escape_text(const char *s, size_t cap);

#endif
