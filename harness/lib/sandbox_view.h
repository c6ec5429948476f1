/* sandbox_view.h: a confined run's own filesystem: a new root in which
 * the system folders are read-only, its work folder is writable, and of
 * the rest of the host only the files its command line names exist. */
#ifndef RACELAB_SANDBOX_VIEW_H
#define RACELAB_SANDBOX_VIEW_H

#include <limits.h>
#include <stddef.h>

enum rl_view_kind {
    RL_VIEW_RO,  /* bound read-only at the same path */
    RL_VIEW_RW,  /* bound read-write (the host's permissions still apply) */
    RL_VIEW_DIR, /* an empty folder of the view (a cwd, an include folder) */
};

struct rl_view_entry {
    char *path; /* absolute, without "." or ".." */
    int kind;
};

/* What the view holds beyond the system: planned by the harness before
 * the run (rl_view_plan), built in the run's own mount namespace. */
struct rl_view {
    struct rl_view_entry *e;
    size_t n, cap;
    char cwd[PATH_MAX];           /* where the program starts */
    unsigned long long tmp_bytes; /* the view's /tmp and /dev/shm */
};

/*
 * The view of a run: home (its work folder) read-write; cwd (or the
 * harness's own when NULL) as a folder; every file that a word of argv or
 * a value of env_extra names (an absolute path, one relative to cwd, or
 * one after "-I", "--x=", "log_path=", ...) read-only; of a folder so
 * named only its headers ("*.h", an include folder); of a path that does
 * not exist yet (a log it is to write) its folder read-write.  Paths the
 * system folders or home hold already are left out.
 */
void rl_view_plan(struct rl_view *v, const char *home, const char *cwd,
                  char *const argv[], char *const env_extra[]);
void rl_view_free(struct rl_view *v);

/* Shared by the plan and the build: the system folders every view holds
 * read-only (NULL-terminated), the most entries a view may have (beyond
 * it the view is refused, and said), and "is path dir or inside it". */
extern const char *const rl_view_system_dirs[];
enum { RL_VIEW_MAX = 384 };
int rl_view_within(const char *path, const char *dir);

/*
 * In the run's init, root in a mount namespace of its own (propagation
 * private): builds the view and pivot_roots into it.  Returns 0; or -1
 * with errno and *step set, before the pivot (nothing of the host is
 * hidden then: the caller goes on without a view and says so); or -2
 * after it (the old root could not be detached: the run must not start).
 * sysfs: the run has a network namespace of its own, so a fresh /sys
 * shows its devices only (without one the view has an empty /sys).
 */
int rl_view_enter(const struct rl_view *v, int sysfs, const char **step);

#endif
