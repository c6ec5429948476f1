/* run_disk.c: work folders on size-limited tmpfs mounts of racelab's own
 * mount namespace (see run_disk.h). */
#include "lib/run_disk.h"

#include "lib/procfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

static pthread_mutex_t setup_lock = PTHREAD_MUTEX_INITIALIZER;
static int state;             /* 0: not tried, 1: own namespace, -1: none */
static const char *state_why; /* when -1 */

static int disabled(const char *what)
{
    const char *v = getenv("RACELAB_SANDBOX");
    return v && strstr(v, what) != NULL;
}

static int one_thread(void)
{
    char status[4096];
    if (rl_proc_read("/proc/self/status", status, sizeof status) < 0)
        return 0;
    const char *t = strstr(status, "\nThreads:");
    return t && atoi(t + strlen("\nThreads:")) == 1;
}

static int try_setup(const char **why)
{
    if (disabled("noview") || disabled("nodisk") || disabled("nons"))
        return *why = "disabled (RACELAB_SANDBOX)", -1;
    /* A kept folder must outlive racelab, and so its mount namespace. */
    if (getenv("RACELAB_KEEP"))
        return *why = "RACELAB_KEEP keeps the folders", -1;
    if (geteuid() != 0)
        return *why = "not root", -1;
    if (!one_thread())
        return *why = "racelab has threads already", -1;
    if (unshare(CLONE_NEWNS) < 0)
        return *why = "mount namespace refused", -1;
    /* Our mounts must never reach the host: slave, recursively (the
     * host's still reach us).  Failing that, mount nothing at all. */
    if (mount("none", "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
        return *why = "mount propagation cannot be made one-way", -1;
    return 0;
}

int rl_run_disk_setup(const char **why)
{
    pthread_mutex_lock(&setup_lock);
    if (state == 0) {
        const char *w = NULL;
        state = try_setup(&w) == 0 ? 1 : -1;
        state_why = w;
    }
    int rc = state == 1 ? 0 : -1;
    if (why)
        *why = state_why;
    pthread_mutex_unlock(&setup_lock);
    return rc;
}

/* Is dir a tmpfs mounted right there (not a folder on one)? */
static int is_tmpfs_mount(const char *dir)
{
    struct statfs sf;
    struct stat st, up;
    char parent[4096];
    snprintf(parent, sizeof parent, "%s/..", dir);
    return statfs(dir, &sf) == 0 && sf.f_type == TMPFS_MAGIC &&
           stat(dir, &st) == 0 && stat(parent, &up) == 0 &&
           st.st_dev != up.st_dev;
}

static int copy_file(int from, int to, const char *name, const struct stat *st)
{
    int in = openat(from, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    int out = openat(to, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                     st->st_mode & 07777);
    int rc = in >= 0 && out >= 0 ? 0 : -1;
    char buf[65536];
    ssize_t n;
    while (rc == 0 && (n = read(in, buf, sizeof buf)) != 0) {
        if (n < 0 || write(out, buf, (size_t)n) != n)
            rc = -1;
    }
    if (rc == 0 && (fchown(out, st->st_uid, st->st_gid) < 0 ||
                    fchmod(out, st->st_mode & 07777) < 0))
        rc = -1;
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    return rc;
}

/* Copies the entries of folder `from` into folder `to` (the harness's own
 * files: regular files, folders, links); 0 or -1. */
static int copy_tree(int from, int to)
{
    int fd = dup(from);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    rewinddir(d); /* a dup shares the offset of an earlier walk */
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d))) {
        const char *name = e->d_name;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
            continue;
        struct stat st;
        if (fstatat(from, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
            rc = -1;
        } else if (S_ISREG(st.st_mode)) {
            rc = copy_file(from, to, name, &st);
        } else if (S_ISDIR(st.st_mode)) {
            int a = -1, b = -1;
            rc = mkdirat(to, name, st.st_mode & 07777) < 0 ||
                         (a = openat(from, name,
                                     O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
                                         O_CLOEXEC)) < 0 ||
                         (b = openat(to, name,
                                     O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
                                         O_CLOEXEC)) < 0
                     ? -1
                     : copy_tree(a, b);
            if (rc == 0 && fchown(b, st.st_uid, st.st_gid) < 0)
                rc = -1;
            if (a >= 0)
                close(a);
            if (b >= 0)
                close(b);
        } else if (S_ISLNK(st.st_mode)) {
            char target[4096];
            ssize_t n = readlinkat(from, name, target, sizeof target - 1);
            if (n < 0)
                rc = -1;
            else {
                target[n] = 0;
                rc = symlinkat(target, to, name) < 0 ? -1 : 0;
            }
        } else {
            rc = -1; /* a FIFO or socket of the harness's: leave it be */
        }
    }
    closedir(d);
    return rc;
}

/* Removes the entries of folder fd (the originals, once copied). */
static void empty_tree(int fd)
{
    int copy = dup(fd);
    DIR *d = copy >= 0 ? fdopendir(copy) : NULL;
    struct dirent *e;
    if (d)
        rewinddir(d); /* copy_tree's walk left the shared offset at the end */
    while (d && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (unlinkat(fd, e->d_name, 0) == 0)
            continue;
        int sub = openat(fd, e->d_name,
                         O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub >= 0) {
            empty_tree(sub);
            close(sub);
        }
        unlinkat(fd, e->d_name, AT_REMOVEDIR);
    }
    if (d)
        closedir(d);
    else if (copy >= 0)
        close(copy);
}

int rl_run_disk_limit(const char *dir, unsigned long long bytes,
                      const char **why)
{
    if (rl_run_disk_setup(why) < 0)
        return -1;
    if (is_tmpfs_mount(dir))
        return 0;
    struct stat st;
    int old = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (old < 0 || fstat(old, &st) < 0) {
        if (old >= 0)
            close(old);
        return *why = "its folder cannot be opened", -1;
    }
    char opts[160];
    /* Inodes cost memory as bytes do: a cap on both. */
    snprintf(opts, sizeof opts, "size=%llu,nr_inodes=%d,mode=%o,uid=%d,gid=%d",
             bytes, 65536, (unsigned)(st.st_mode & 07777), (int)st.st_uid,
             (int)st.st_gid);
    if (mount("racelab-work", dir, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0) {
        close(old);
        return *why = "tmpfs refused", -1;
    }
    int now = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int rc = now >= 0 ? copy_tree(old, now) : -1;
    if (now >= 0)
        close(now);
    if (rc < 0) {
        umount2(dir, MNT_DETACH); /* the originals are all still there */
        close(old);
        return *why = "its files cannot be moved onto a tmpfs", -1;
    }
    empty_tree(old);
    close(old);
    return 0;
}

int rl_run_disk_release(const char *dir)
{
    if (state != 1 || !is_tmpfs_mount(dir))
        return -1;
    return umount2(dir, MNT_DETACH | UMOUNT_NOFOLLOW);
}
