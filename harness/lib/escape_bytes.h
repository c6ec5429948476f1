/* escape_bytes.h: bytes as C-style text, so that a NUL, a CR or any other
 * non-printing byte a program wrote shows in a message instead of
 * hiding in it. */
#ifndef RACELAB_ESCAPE_BYTES_H
#define RACELAB_ESCAPE_BYTES_H

#include <stddef.h>

/* Writes the n bytes of s to out (always NUL-terminated) with \0, \r,
 * \n, \t, \\, \" and \xHH for the other non-printing bytes; stops
 * before an escape that would not fit and ends with "..." when bytes
 * were left out.  Returns out. */
char *rl_escape_bytes(const char *s, size_t n, char *out, size_t outlen);

#endif
