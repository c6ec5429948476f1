/* submission_check.h: what a student file may not be or define, checked
 * before anything of it is built into a run.  Each refusal is a message
 * for the student that names the file and what is wrong with it. */
#ifndef RACELAB_SUBMISSION_CHECK_H
#define RACELAB_SUBMISSION_CHECK_H

#include <stddef.h>

/* Files larger than this are refused (a lab's file is a few KiB). */
#define RL_SUBMISSION_MAX_BYTES (1u << 20)

/*
 * The student file `name` (as the rubric calls it) at path must be a
 * regular file of its own: not a symbolic link, not a hard link to
 * another file, not a device, FIFO or socket, text (no NUL byte) and at
 * most RL_SUBMISSION_MAX_BYTES.  Returns NULL when it is, else the
 * message (free it).  Opens nothing that could block.
 */
char *rl_submission_file_problem(const char *name, const char *path);

/*
 * Compiles the student file alone, once per build variant (the same
 * compilers and flags as the real builds, in the sandbox), and reads what
 * the objects define: sanitizer option hooks, constructors and
 * destructors, names of Check or of racelab's runtimes, functions the
 * probe and the scheduler intercept, no_sanitize attributes, and main
 * when library_lab (the lab's tests own main).  Returns NULL when none,
 * else the message (free it).  A file that does not compile alone is
 * left to the real build to report.  *internal is set when racelab
 * itself could not do the check (err says why).
 */
char *rl_submission_symbols_problem(const char *name, const char *path,
                                    char *const *include_dirs, int library_lab,
                                    int *internal, char *err, size_t errlen);

#endif
