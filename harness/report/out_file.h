/* out_file.h: where a format's emitter writes: a file, or standard output
 * for "-"; and its close that says what failed. */
#ifndef RACELAB_OUT_FILE_H
#define RACELAB_OUT_FILE_H

#include <stddef.h>
#include <stdio.h>

/* The file opened for writing (truncated), stdout for "-", or NULL. */
FILE *rl_out_open(const char *path);
/* Flushes (and closes, unless stdout) out: 0, or -1 with err filled
 * ("cannot write 'PATH'") when anything written was lost. */
int rl_out_close(FILE *out, const char *path, char *err, size_t errlen);

#endif
