/* run_uid.c: an unprivileged uid of its own for each run of user code.
 *
 * As IOI's isolate does with its box uids: a run that is not root and
 * shares its uid with no other run cannot signal, ptrace or read the
 * processes of another run or of the grader, cannot write root's files,
 * and RLIMIT_NPROC (a per-uid count) belongs to it alone.  The uid is
 * held by an flock, so concurrent checks of one racelab and several
 * racelab processes (class grading with jobs) never share one. */
#include "lib/run_uid.h"

#include "lib/procfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

int rl_run_uid_acquire(int *lock_fd)
{
    static atomic_uint next;
    *lock_fd = -1;
    if (geteuid() != 0)
        return -1;
    if (mkdir(RL_RUN_UID_LOCKS, 0700) < 0 && errno != EEXIST)
        return -1;
    struct stat st;
    /* The folder must be root's alone, or a run could plant locks. */
    if (lstat(RL_RUN_UID_LOCKS, &st) < 0 || !S_ISDIR(st.st_mode) ||
        st.st_uid != 0 || (st.st_mode & 022))
        return -1;
    /* Start at a different place in each process and call: fewer
     * collisions to skip over. */
    unsigned start = (unsigned)getpid() * 37u + atomic_fetch_add(&next, 1);
    for (unsigned i = 0; i < RL_RUN_UID_COUNT; i++) {
        int uid = RL_RUN_UID_FIRST + (int)((start + i) % RL_RUN_UID_COUNT);
        char path[64];
        snprintf(path, sizeof path, RL_RUN_UID_LOCKS "/%d.lock", uid);
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
            continue;
        /* flock belongs to the open file: a second open in this same
         * process conflicts too, so two jobs of one check never share. */
        if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
            *lock_fd = fd;
            return uid;
        }
        close(fd);
    }
    return -1;
}

void rl_run_uid_release(int *lock_fd)
{
    if (*lock_fd >= 0)
        close(*lock_fd);
    *lock_fd = -1;
}

int rl_run_uid_give_dir(const char *dir, uid_t uid)
{
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (dfd < 0)
        return -1;
    int rc = fchown(dfd, uid, uid);
    int list = dup(dfd);
    DIR *d = list >= 0 ? fdopendir(list) : NULL;
    struct dirent *e;
    while (rc == 0 && d && (e = readdir(d))) {
        struct stat st;
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
            fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            continue;
        /* Only what is there alone: never a link a former holder of the
         * folder planted to a file of root's (a hard link is that file). */
        if (S_ISLNK(st.st_mode) || (!S_ISDIR(st.st_mode) && st.st_nlink > 1))
            continue;
        rc = fchownat(dfd, e->d_name, uid, uid, AT_SYMLINK_NOFOLLOW);
    }
    if (d)
        closedir(d);
    else if (list >= 0)
        close(list);
    close(dfd);
    return rc;
}

int rl_run_uid_can_read(const char *path)
{
    char buf[PATH_MAX];
    if (!realpath(path, buf))
        return 0;
    struct stat st;
    if (stat(buf, &st) < 0 || !(st.st_mode & S_IROTH))
        return 0;
    for (char *slash = strrchr(buf, '/'); slash; slash = strrchr(buf, '/')) {
        *slash = 0;
        if (stat(buf[0] ? buf : "/", &st) < 0 || !(st.st_mode & S_IXOTH))
            return 0;
    }
    return 1;
}

/* CapEff and NoNewPrivs as the kernel sees them now. */
static int confirmed(void)
{
    char status[8192];
    if (rl_proc_read("/proc/self/status", status, sizeof status) < 0)
        return 0;
    const char *cap = strstr(status, "\nCapEff:");
    const char *nnp = strstr(status, "\nNoNewPrivs:");
    if (!cap || !nnp)
        return 0;
    return strtoull(cap + strlen("\nCapEff:"), NULL, 16) == 0 &&
           atoi(nnp + strlen("\nNoNewPrivs:")) == 1;
}

int rl_run_uid_drop(uid_t uid, const char **step)
{
    /* The bounding set goes first (it needs CAP_SETPCAP), so that no
     * file capability could give anything back; errors past the last
     * capability the kernel knows end the loop. */
    for (int cap = 0; prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0; cap++)
        ;
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    if (setgroups(0, NULL) < 0)
        return *step = "setgroups", -1;
    if (setresgid(uid, uid, uid) < 0)
        return *step = "setgid", -1;
    if (setresuid(uid, uid, uid) < 0)
        return *step = "setuid", -1;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return *step = "no_new_privs", -1;
    if (getuid() == 0 || geteuid() == 0 || getgid() == 0 || getegid() == 0 ||
        !confirmed()) {
        errno = EPERM;
        return *step = "verify uid", -1;
    }
    return 0;
}
