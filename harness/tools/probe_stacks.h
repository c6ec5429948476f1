/* probe_stacks.h: where a blocked thread waits, read from /proc, for the
 * threads the probe's table cannot place (a read(), a sleep). */
#ifndef RACELAB_PROBE_STACKS_H
#define RACELAB_PROBE_STACKS_H

#include <sys/types.h>

#include "probe/probe_analysis.h"

/* The executable's code, as /proc/PID/maps maps it. */
struct rl_exe_code {
    size_t n;
    struct {
        uint64_t lo, hi, offset; /* mapped [lo, hi) from file offset */
    } seg[8];
};

/* 0, or -1 when /proc/PID/maps names no executable code of /proc/PID/exe. */
int rl_exe_code_read(pid_t pid, struct rl_exe_code *code);

/*
 * Fills t->syscall (the system call thread tid of pid is blocked in, or
 * -1 when it runs or cannot be read) and t->stack: the return addresses
 * into the executable found on its stack from the stack pointer up,
 * innermost first, as the probe's sites hold them (offsets from the
 * load base, minus one).  A scan, not an unwind: a stale address above
 * the live frames may follow, never precede, the caller of the call.
 */
void rl_task_read_wait(pid_t pid, const char *tid,
                       const struct rl_exe_code *code, uint64_t exe_base,
                       struct rl_task *t);

#endif
