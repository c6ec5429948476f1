/* sandbox_view.c: a confined run's filesystem view, built in its own
 * mount namespace by its init (see sandbox_view.h). */
#include "lib/sandbox_view.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SYSTEM_DIRS rl_view_system_dirs
#define VIEW_MAX RL_VIEW_MAX
/* Covered by /dev/null in the view. */
static const char *const SECRETS[] = {"/etc/shadow", "/etc/gshadow", NULL};
/* The devices a program may use; the rest of /dev is not there. */
static const char *const DEVICES[] = {"null",    "zero", "full", "random",
                                      "urandom", "tty",  NULL};

/* ---- in the run's init: no allocation from here on (a fork of a
 * threaded harness) ----------------------------------------------------- */

/* The view is built on a tmpfs mounted over /tmp of init's own mount
 * namespace (what it hid was opened beforehand), then made the root. */
#define NEW_ROOT "/tmp"

static int fail(const char **step, const char *what)
{
    *step = what;
    return -1;
}

/* mkdir -p of root+path (root's, mode 0755), inside the view only. */
static int make_dirs(const char *path, mode_t last_mode)
{
    char p[PATH_MAX * 2];
    snprintf(p, sizeof p, "%s", path);
    size_t base = strlen(NEW_ROOT);
    for (char *s = p + base + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = 0;
        if (mkdir(p, 0755) < 0 && errno != EEXIST)
            return -1;
        *s = '/';
    }
    if (mkdir(p, last_mode) < 0 && errno != EEXIST)
        return -1;
    return 0;
}

/* Creates what a bind of a file or folder needs at target. */
static int make_target(const char *target, int is_dir)
{
    if (is_dir)
        return make_dirs(target, 0755);
    char parent[PATH_MAX * 2];
    snprintf(parent, sizeof parent, "%s", target);
    char *slash = strrchr(parent, '/');
    if (slash && slash > parent + strlen(NEW_ROOT)) {
        *slash = 0;
        if (make_dirs(parent, 0755) < 0)
            return -1;
    }
    int fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0 && errno != EEXIST)
        return -1;
    if (fd >= 0)
        close(fd);
    return 0;
}

/* The flags a remount of a bind must keep (in a user namespace the
 * kernel refuses to drop them), with `add` on top. */
static unsigned long kept_flags(const char *target, unsigned long add)
{
    struct statvfs sv;
    unsigned long f = add;
    if (statvfs(target, &sv) != 0)
        return f;
    if (sv.f_flag & ST_RDONLY)
        f |= MS_RDONLY;
    if (sv.f_flag & ST_NOSUID)
        f |= MS_NOSUID;
    if (sv.f_flag & ST_NODEV)
        f |= MS_NODEV;
    if (sv.f_flag & ST_NOEXEC)
        f |= MS_NOEXEC;
    if (sv.f_flag & ST_NOATIME)
        f |= MS_NOATIME;
    if (sv.f_flag & ST_NODIRATIME)
        f |= MS_NODIRATIME;
    if (sv.f_flag & ST_RELATIME)
        f |= MS_RELATIME;
    return f;
}

/* Binds what fd names at target, read-only unless rw; no setuid bits
 * take effect in the view. */
static int bind_fd(int fd, const char *target, int rw, int recursive)
{
    char source[64];
    snprintf(source, sizeof source, "/proc/self/fd/%d", fd);
    unsigned long rec = recursive ? MS_REC : 0;
    if (mount(source, target, NULL, MS_BIND | rec, NULL) < 0)
        return -1;
    unsigned long f = kept_flags(target, MS_NOSUID | (rw ? 0 : MS_RDONLY));
    return mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | f, NULL);
}

struct opened {
    int system[16], devices[8], secret_null, entry[VIEW_MAX];
};

static void close_opened(struct opened *o, size_t n)
{
    for (int i = 0; i < 16; i++)
        if (o->system[i] >= 0)
            close(o->system[i]);
    for (int i = 0; i < 8; i++)
        if (o->devices[i] >= 0)
            close(o->devices[i]);
    if (o->secret_null >= 0)
        close(o->secret_null);
    for (size_t i = 0; i < n; i++)
        if (o->entry[i] >= 0)
            close(o->entry[i]);
}

/* Opens (O_PATH) everything the view takes from the host, before the
 * tmpfs hides part of it. */
static int open_sources(const struct rl_view *v, struct opened *o,
                        const char **step)
{
    memset(o, -1, sizeof *o);
    for (int i = 0; SYSTEM_DIRS[i]; i++)
        o->system[i] = open(SYSTEM_DIRS[i], O_PATH | O_NOFOLLOW | O_CLOEXEC);
    for (int i = 0; DEVICES[i]; i++) {
        char dev[32];
        snprintf(dev, sizeof dev, "/dev/%s", DEVICES[i]);
        o->devices[i] = open(dev, O_PATH | O_CLOEXEC);
    }
    o->secret_null = open("/dev/null", O_PATH | O_CLOEXEC);
    if (o->secret_null < 0 || o->devices[0] < 0)
        return fail(step, "view: /dev/null");
    for (size_t i = 0; i < v->n; i++)
        if (v->e[i].kind != RL_VIEW_DIR &&
            (o->entry[i] = open(v->e[i].path, O_PATH | O_CLOEXEC)) < 0 &&
            v->e[i].kind == RL_VIEW_RW)
            return fail(step, "view: work folder");
    return 0;
}

static int build_system(const struct opened *o, const char **step)
{
    char target[PATH_MAX];
    for (int i = 0; SYSTEM_DIRS[i]; i++) {
        if (o->system[i] < 0)
            continue;
        snprintf(target, sizeof target, NEW_ROOT "%s", SYSTEM_DIRS[i]);
        struct stat st;
        char link[PATH_MAX];
        ssize_t n;
        /* /bin -> usr/bin on a merged system: the same link in the view */
        if (lstat(SYSTEM_DIRS[i], &st) == 0 && S_ISLNK(st.st_mode) &&
            (n = readlink(SYSTEM_DIRS[i], link, sizeof link - 1)) > 0) {
            link[n] = 0;
            if (symlink(link, target) < 0)
                return fail(step, "view: system link");
            continue;
        }
        if (make_dirs(target, 0755) < 0 || bind_fd(o->system[i], target, 0, 1))
            return fail(step, "view: system folders");
    }
    for (int i = 0; SECRETS[i]; i++) {
        snprintf(target, sizeof target, NEW_ROOT "%s", SECRETS[i]);
        struct stat st;
        if (lstat(target, &st) == 0 && S_ISREG(st.st_mode) &&
            bind_fd(o->secret_null, target, 0, 0) < 0)
            return fail(step, "view: hide /etc/shadow");
    }
    return 0;
}

static int build_dev(const struct opened *o, const char **step)
{
    char target[PATH_MAX];
    if (make_dirs(NEW_ROOT "/dev", 0755) < 0)
        return fail(step, "view: /dev");
    for (int i = 0; DEVICES[i]; i++) {
        if (o->devices[i] < 0)
            continue;
        snprintf(target, sizeof target, NEW_ROOT "/dev/%s", DEVICES[i]);
        if (make_target(target, 0) < 0 ||
            bind_fd(o->devices[i], target, 1, 0) < 0)
            return fail(step, "view: /dev");
    }
    static const char *const links[][2] = {{"fd", "/proc/self/fd"},
                                           {"stdin", "/proc/self/fd/0"},
                                           {"stdout", "/proc/self/fd/1"},
                                           {"stderr", "/proc/self/fd/2"}};
    for (size_t i = 0; i < sizeof links / sizeof *links; i++) {
        snprintf(target, sizeof target, NEW_ROOT "/dev/%s", links[i][0]);
        if (symlink(links[i][1], target) < 0)
            return fail(step, "view: /dev links");
    }
    return 0;
}

/* A size-limited tmpfs of the view (its /tmp, /dev/shm). */
static int own_tmpfs(const char *target, unsigned long long bytes)
{
    char opts[96];
    snprintf(opts, sizeof opts, "mode=1777,size=%llu,nr_inodes=65536", bytes);
    if (make_dirs(target, 01777) < 0)
        return -1;
    return mount("racelab-tmp", target, "tmpfs", MS_NOSUID | MS_NODEV, opts);
}

static int build_own(const struct rl_view *v, int sysfs, const char **step)
{
    if (make_dirs(NEW_ROOT "/proc", 0555) < 0 ||
        mount("proc", NEW_ROOT "/proc", "proc",
              MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
        return fail(step, "view: /proc");
    if (make_dirs(NEW_ROOT "/sys", 0555) < 0)
        return fail(step, "view: /sys");
    /* A sysfs mounted in the run's network namespace lists its devices
     * only (lo); without one, no /sys at all rather than the host's. */
    if (sysfs)
        mount("sysfs", NEW_ROOT "/sys", "sysfs",
              MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    if (own_tmpfs(NEW_ROOT "/tmp", v->tmp_bytes) < 0 ||
        own_tmpfs(NEW_ROOT "/dev/shm", v->tmp_bytes) < 0)
        return fail(step, "view: /tmp");
    return 0;
}

static int build_entries(const struct rl_view *v, const struct opened *o,
                         const char **step)
{
    char target[PATH_MAX * 2];
    /* Sorted by path: a folder comes before what is bound inside it, and
     * nothing is made inside a folder bound from the host. */
    const char *bound = NULL;
    for (size_t i = 0; i < v->n; i++) {
        const struct rl_view_entry *e = &v->e[i];
        if (bound && rl_view_within(e->path, bound))
            continue;
        snprintf(target, sizeof target, NEW_ROOT "%s", e->path);
        if (e->kind == RL_VIEW_DIR) {
            if (make_dirs(target, 0755) < 0)
                return fail(step, "view: folder");
            continue;
        }
        if (o->entry[i] < 0)
            continue; /* gone since the plan: the run will say so */
        struct stat st;
        if (fstat(o->entry[i], &st) < 0)
            return fail(step, "view: stat");
        int dir = S_ISDIR(st.st_mode);
        if (make_target(target, dir) < 0 ||
            bind_fd(o->entry[i], target, e->kind == RL_VIEW_RW, 0) < 0)
            return fail(step, e->kind == RL_VIEW_RW ? "view: bind work folder"
                                                    : "view: bind file");
        if (dir)
            bound = e->path;
    }
    return 0;
}

int rl_view_enter(const struct rl_view *v, int sysfs, const char **step)
{
    if (v->n > VIEW_MAX) {
        errno = E2BIG;
        return fail(step, "view: too many paths");
    }
    struct opened o;
    if (open_sources(v, &o, step) < 0) {
        int e = errno;
        close_opened(&o, v->n);
        errno = e;
        return -1;
    }
    if (mount("racelab-root", NEW_ROOT, "tmpfs", MS_NOSUID | MS_NODEV,
              "mode=0755,size=16m") < 0) {
        int e = errno;
        close_opened(&o, v->n);
        errno = e;
        return fail(step, "view: root tmpfs");
    }
    int rc = build_system(&o, step);
    if (rc == 0)
        rc = build_dev(&o, step);
    if (rc == 0)
        rc = build_own(v, sysfs, step);
    if (rc == 0)
        rc = build_entries(v, &o, step);
    int e = errno;
    close_opened(&o, v->n);
    if (rc == 0 &&
        (chdir(NEW_ROOT) < 0 || syscall(SYS_pivot_root, ".", ".") < 0)) {
        e = errno;
        rc = fail(step, "view: pivot_root");
    }
    if (rc < 0) {
        /* Nothing hidden yet: take the half-built view away. */
        chdir("/");
        umount2(NEW_ROOT, MNT_DETACH);
        errno = e;
        return -1;
    }
    /* The old root is stacked under the new one: detach it. */
    if (umount2(".", MNT_DETACH) < 0 || chdir("/") < 0) {
        *step = "view: detach old root";
        return -2;
    }
    /* The view's own root: nothing may be created in it. */
    mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID, NULL);
    if (chdir(v->cwd) < 0) {
        *step = "view: chdir";
        return -2;
    }
    return 0;
}
