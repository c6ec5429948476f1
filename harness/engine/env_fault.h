/* env_fault.h: a test hook that makes the machine look broken.
 *
 * RACELAB_FAULT, in racelab's own environment (never the graded
 * program's: the program runs after the grader has read it, with an
 * environment the runner builds), names faults to simulate, separated by
 * commas:
 *   tsan-mmap    ThreadSanitizer aborts with "unexpected memory mapping"
 *                and `setarch -R` is refused (an unprivileged container
 *                on a kernel with high vm.mmap_rnd_bits)
 *   no-valgrind  valgrind is not installed
 *   no-cgroup    the sandbox gets no memory or pids cgroup
 * Only tests set it (tests/unit/check_env_faults.c): it lets them see
 * what an instructor sees on such a machine.  It is read here and nowhere
 * else; a forced fault also keeps the preflight cache out of the way. */
#ifndef RACELAB_ENV_FAULT_H
#define RACELAB_ENV_FAULT_H

/* 1 when RACELAB_FAULT lists `name`. */
int rl_env_fault(const char *name);
/* 1 when RACELAB_FAULT lists any fault at all. */
int rl_env_fault_any(void);

#endif
