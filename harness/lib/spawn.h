/* spawn.h: run a helper program (objdump, addr2line, nm) for its output. */
#ifndef RACELAB_SPAWN_H
#define RACELAB_SPAWN_H

/* Runs argv (argv[0] searched in PATH), its stderr to /dev/null, and
 * waits for it.  0 with its whole standard output in *out
 * (NUL-terminated, to free), or -1 when it cannot run or does not exit
 * with status 0. */
int rl_spawn_capture(char *const argv[], char **out);

#endif
