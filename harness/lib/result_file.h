/* result_file.h: open a file that a user's program wrote (a test log, the
 * scheduler's results) without letting that program hang or flood the
 * harness: no symbolic link followed, nothing but a regular file, and a
 * size cap. */
#ifndef RACELAB_RESULT_FILE_H
#define RACELAB_RESULT_FILE_H

#include <stddef.h>
#include <stdio.h>

/*
 * Opens path for reading.  Refuses (NULL, err in words a student reads,
 * *too_big set when that was the reason) a symbolic link, a FIFO, a
 * device, a socket, a folder, or a file larger than max_bytes.  The open
 * never blocks (O_NONBLOCK until the file is known to be regular).
 */
FILE *rl_result_file_open(const char *path, size_t max_bytes, int *too_big,
                          char *err, size_t errlen);

#endif
