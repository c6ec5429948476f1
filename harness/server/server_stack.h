/* server_stack.h: the calls a blocked thread is inside, from its stack. */
#ifndef RACELAB_SERVER_STACK_H
#define RACELAB_SERVER_STACK_H

#include <sys/types.h>

#include "protocol/probe_shm.h"

/*
 * Finds the program's own calls that a thread blocked in a system call
 * is inside (pid: the thread's process; sp: its user stack pointer, from
 * /proc/PID/task/TID/syscall), innermost first, as offsets into exe in
 * the probe's convention (return address minus the load base, minus 1),
 * ready for the symbolizer.  Returns how many were found (0 when none).
 *
 * It reads the live stack through /proc/PID/mem and keeps only words
 * that are true return addresses into exe: the instruction before each
 * must be a call, the innermost a call out of the executable (into
 * libc, through the PLT), and each outer one a call of the function that
 * holds the frame inside it.  Stale addresses left in uninitialized
 * locals fail that chain, so no frame pointers or unwind tables are
 * needed.
 */
int rl_stack_site(pid_t pid, unsigned long sp, const char *exe,
                  struct rlp_site *site);

#endif
