/* guarded_map.h: a read-only shared mapping of a file that untrusted code
 * can truncate under racelab (the probe's table in a run's folder). */
#ifndef RACELAB_GUARDED_MAP_H
#define RACELAB_GUARDED_MAP_H

#include <stddef.h>

/*
 * Maps len bytes of fd read-only and shared.  A page of it that the file
 * no longer has (the program truncated it, or a full tmpfs cannot give
 * it) reads as zeros instead of killing racelab with SIGBUS: the reader
 * sees an empty table, never a crash.  NULL when it cannot be mapped.
 */
const void *rl_guarded_map(int fd, size_t len);
void rl_guarded_unmap(const void *p, size_t len);

#endif
