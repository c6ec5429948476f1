/* run_uid.h: an unprivileged uid of its own for each run of user code. */
#ifndef RACELAB_RUN_UID_H
#define RACELAB_RUN_UID_H

#include <sys/types.h>

/* The uids racelab hands out (gid = uid); none of them is a real user. */
enum { RL_RUN_UID_FIRST = 61000, RL_RUN_UID_COUNT = 1000 };

/* As root: takes a uid no other run (of this or another racelab process)
 * holds, by an exclusive flock on RL_RUN_UID_LOCKS/<uid>.lock kept until
 * rl_run_uid_release.  Returns the uid and sets *lock_fd, or -1 (not
 * root, or no lock folder, or every uid busy). */
#define RL_RUN_UID_LOCKS "/run/racelab-uids"
int rl_run_uid_acquire(int *lock_fd);
void rl_run_uid_release(int *lock_fd);

/* Gives dir and the entries directly in it (made by the harness for the
 * run) to uid; symbolic links and files with other hard links are left
 * alone.  Returns 0 or -1. */
int rl_run_uid_give_dir(const char *dir, uid_t uid);

/* Is every folder on the way to path searchable, and path itself
 * readable, by a user who owns none of them (the "other" bits)? */
int rl_run_uid_can_read(const char *path);

/* In the child, after everything that needs root: drops every group,
 * capability and the root uid, sets no_new_privs and checks the result
 * in /proc/self/status.  Returns 0, or -1 with errno and *step naming
 * the step that failed: the program must not run then. */
int rl_run_uid_drop(uid_t uid, const char **step);

#endif
