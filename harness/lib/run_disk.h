/* run_disk.h: a confined run's work folder on a size-limited tmpfs, so
 * that a program filling it cannot fill the grader's disk. */
#ifndef RACELAB_RUN_DISK_H
#define RACELAB_RUN_DISK_H

/*
 * As root, moves the harness into a mount namespace of its own (mounts
 * of the host still reach it; its own never leave it), so that the
 * tmpfs of every work folder is seen by racelab alone and goes away with
 * it even if it crashes.  Only a process with one thread can do this:
 * main calls it first; the sandbox again before its first confined run
 * (a test program).  Returns 0 when the harness has one, else -1 and
 * why (not root, refused, disabled).  Idempotent.
 */
int rl_run_disk_setup(const char **why);

/*
 * Puts dir on a tmpfs of `bytes` (its entries, made by the harness,
 * moved onto it), unless it is one already.  Returns 0, or -1 with why.
 * racelab reads what the run left there as before; rl_run_disk_release
 * (called by rl_workdir_remove) unmounts it.
 */
int rl_run_disk_limit(const char *dir, unsigned long long bytes,
                      const char **why);

/* Unmounts dir if it is such a tmpfs; 0 when it was one. */
int rl_run_disk_release(const char *dir);

#endif
