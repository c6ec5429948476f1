/* sandbox_view.c: a confined run's own filesystem (see sandbox_view.h). */
#include "lib/sandbox_view.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

/* What every view holds read-only: where programs, libraries, compilers,
 * valgrind and the sanitizers' runtimes live (all under /usr on a merged
 * system, the others being links), and /etc for the loader, locales and
 * names.  /etc/shadow and /etc/gshadow are covered by /dev/null. */
static const char *const SYSTEM_DIRS[] = {"/usr",    "/bin",   "/sbin",
                                          "/lib",    "/lib32", "/lib64",
                                          "/libx32", "/etc",   NULL};
static const char *const SECRETS[] = {"/etc/shadow", "/etc/gshadow", NULL};
/* The devices a program may use; the rest of /dev is not there. */
static const char *const DEVICES[] = {"null",    "zero", "full", "random",
                                      "urandom", "tty",  NULL};
/* The view's own folders, made by rl_view_enter itself. */
static const char *const OWN_DIRS[] = {"/dev", "/proc", "/sys", "/tmp", NULL};

/* Beyond this many entries the view is refused (said, never silent). */
enum { VIEW_MAX = 384 };

/* Is path the folder dir or inside it? */
static int within(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return strncmp(path, dir, n) == 0 && (path[n] == 0 || path[n] == '/');
}

static int covered(const char *path, const char *home)
{
    for (int i = 0; SYSTEM_DIRS[i]; i++)
        if (within(path, SYSTEM_DIRS[i]))
            return 1;
    for (int i = 0; OWN_DIRS[i]; i++)
        if (strcmp(path, OWN_DIRS[i]) == 0 ||
            (i < 3 && within(path, OWN_DIRS[i])))
            return 1;
    return strcmp(path, "/") == 0 || (home && within(path, home));
}

/* path made absolute (against cwd) and lexically tidy; 0, or -1 when
 * it does not fit. */
static int tidy(const char *path, const char *cwd, char *out, size_t size)
{
    char joined[PATH_MAX * 2];
    if (path[0] == '/')
        snprintf(joined, sizeof joined, "%s", path);
    else
        snprintf(joined, sizeof joined, "%s/%s", cwd, path);
    size_t len = 0;
    out[0] = 0;
    for (char *save = NULL, *p = strtok_r(joined, "/", &save); p;
         p = strtok_r(NULL, "/", &save)) {
        if (strcmp(p, ".") == 0)
            continue;
        if (strcmp(p, "..") == 0) {
            char *slash = strrchr(out, '/');
            len = slash ? (size_t)(slash - out) : 0;
            out[len] = 0;
            continue;
        }
        int w = snprintf(out + len, size - len, "/%s", p);
        if (w < 0 || (size_t)w >= size - len)
            return -1;
        len += (size_t)w;
    }
    if (len == 0)
        snprintf(out, size, "/");
    return 0;
}

static void add(struct rl_view *v, const char *path, int kind)
{
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->e[i].path, path) == 0) {
            /* the strongest wins: read-write, then read-only, then folder */
            if (kind < v->e[i].kind)
                v->e[i].kind = kind;
            return;
        }
    if (v->n == v->cap) {
        size_t cap = v->cap ? 2 * v->cap : 16;
        struct rl_view_entry *e = realloc(v->e, cap * sizeof *e);
        if (!e)
            return;
        v->e = e;
        v->cap = cap;
    }
    char *copy = strdup(path);
    if (copy)
        v->e[v->n++] = (struct rl_view_entry){copy, kind};
}

/* A folder named on the command line is an include folder: the view
 * gets it with its headers only (not the rubric, tests or solutions that
 * may sit beside them). */
static void add_headers(struct rl_view *v, const char *dir)
{
    add(v, dir, RL_VIEW_DIR);
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 3 || strcmp(e->d_name + n - 2, ".h") != 0)
            continue;
        char path[PATH_MAX + 256];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        /* lstat: a header that is a link (a submission's "x.h" pointing
         * at a solution) would bring its target into the view */
        if (lstat(path, &st) == 0 && S_ISREG(st.st_mode))
            add(v, path, RL_VIEW_RO);
    }
    if (d)
        closedir(d);
}

/* One path a word names. */
static void consider(struct rl_view *v, const char *word, const char *home,
                     const char *cwd)
{
    char path[PATH_MAX];
    if (!*word || tidy(word, cwd, path, sizeof path) < 0 || covered(path, home))
        return;
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISREG(st.st_mode))
            add(v, path, RL_VIEW_RO);
        else if (S_ISDIR(st.st_mode))
            add_headers(v, path);
        return;
    }
    /* Not there yet: a file the run is to write.  Its folder is bound
     * read-write only when it is a drop folder (others may write into it
     * but not list it, as racelab's test log folder): anything else
     * would show the run what the folder holds. */
    char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return;
    *slash = 0;
    if (!covered(path, home) && stat(path, &st) == 0 && S_ISDIR(st.st_mode) &&
        (st.st_mode & S_IWOTH) && !(st.st_mode & S_IROTH))
        add(v, path, RL_VIEW_RW);
}

/* A value of the environment: a list of paths or options
 * ("log_path='/x/tsan':symbolize=1", "/a.so /b.so"). */
static void consider_value(struct rl_view *v, const char *value,
                           const char *home, const char *cwd)
{
    char copy[PATH_MAX * 2];
    snprintf(copy, sizeof copy, "%s", value);
    for (char *save = NULL, *p = strtok_r(copy, ": ,", &save); p;
         p = strtok_r(NULL, ": ,", &save)) {
        char *eq = strchr(p, '=');
        if (eq && (!strchr(p, '/') || eq < strchr(p, '/')))
            p = eq + 1;
        p += strspn(p, "'\"");
        p[strcspn(p, "'\"")] = 0;
        if (p[0] == '/')
            consider(v, p, home, cwd);
    }
}

/* One word of the command line. */
static void consider_word(struct rl_view *v, const char *w, const char *home,
                          const char *cwd)
{
    if (strncmp(w, "-I", 2) == 0 || strncmp(w, "-L", 2) == 0) {
        consider(v, w + 2, home, cwd);
    } else if (w[0] == '-') {
        const char *eq = strchr(w, '=');
        if (eq)
            consider_value(v, eq + 1, home, cwd);
    } else if (strchr(w, '/')) {
        consider(v, w, home, cwd);
    } else {
        /* a file name relative to cwd ("counter.c"), if there is one */
        char path[PATH_MAX];
        struct stat st;
        if (tidy(w, cwd, path, sizeof path) == 0 && stat(path, &st) == 0 &&
            S_ISREG(st.st_mode) && !covered(path, home))
            add(v, path, RL_VIEW_RO);
    }
}

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), m = strlen(tail);
    return n > m && strcmp(s + n - m, tail) == 0;
}

static int planned(const struct rl_view *v, const char *path)
{
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->e[i].path, path) == 0)
            return 1;
    return 0;
}

static void scan_includes(struct rl_view *v, const char *file, const char *home,
                          int depth);

/* Does path pass through a symbolic link below where it and base part
 * (a submission's "inc -> /elsewhere" folder)?  Above that the path is
 * the course's own layout, links and all. */
static int link_below(const char *base, const char *path)
{
    size_t common = 0;
    for (size_t i = 0; base[i] && base[i] == path[i]; i++)
        if ((base[i + 1] == 0 || base[i + 1] == '/') &&
            (path[i + 1] == '/' || path[i + 1] == 0))
            common = i + 1;
    char part[PATH_MAX];
    snprintf(part, sizeof part, "%s", path);
    for (char *s = part + common + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = 0;
        struct stat st;
        int link = lstat(part, &st) == 0 && S_ISLNK(st.st_mode);
        *s = '/';
        if (link)
            return 1;
    }
    return 0;
}

/* Is path in the folder that holds one of the include folders (labs/
 * for labs/06-counter: "../sync-common/sync.h")?  Further away (racelab's
 * own "../../harness/lib/x.h") it is not the lab's, and not taken. */
static int near_include_folder(const struct rl_view *v, const char *path)
{
    for (size_t i = 0; i < v->n; i++) {
        if (v->e[i].kind != RL_VIEW_DIR || strcmp(v->e[i].path, v->cwd) == 0)
            continue;
        char parent[PATH_MAX];
        snprintf(parent, sizeof parent, "%s", v->e[i].path);
        char *slash = strrchr(parent, '/');
        if (slash && slash != parent)
            *slash = 0;
        if (within(path, parent))
            return 1;
    }
    return 0;
}

/* A header a quoted #include names, looked for where the preprocessor
 * looks: beside the including file, then in each include folder. */
static void find_header(struct rl_view *v, const char *base, const char *name,
                        const char *home, int depth)
{
    char path[PATH_MAX];
    struct stat st;
    if (tidy(name, base, path, sizeof path) < 0 || covered(path, home) ||
        planned(v, path) || lstat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
        link_below(base, path) || !near_include_folder(v, path))
        return;
    add(v, path, RL_VIEW_RO);
    scan_includes(v, path, home, depth + 1);
}

/*
 * The headers a source reaches by quoted #include ("../sync-common/
 * sync.h" from a lab folder), so that they are in the view: headers
 * only, a course hands them out; a ".c" file or anything else so
 * included (a solution, a secret) stays out and fails to compile.
 */
static void scan_includes(struct rl_view *v, const char *file, const char *home,
                          int depth)
{
    if (depth > 8 || v->n > VIEW_MAX)
        return;
    int fd = open(file, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        return;
    }
    FILE *f = fdopen(fd, "r");
    if (!f) {
        close(fd);
        return;
    }
    char dir[PATH_MAX], line[4096];
    snprintf(dir, sizeof dir, "%s", file);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = 0;
    size_t seen = 0;
    while (seen < (4u << 20) && fgets(line, sizeof line, f)) {
        seen += strlen(line);
        char *p = line + strspn(line, " \t");
        if (*p++ != '#')
            continue;
        p += strspn(p, " \t");
        if (strncmp(p, "include", 7) != 0)
            continue;
        p += 7;
        p += strspn(p, " \t");
        char *end = *p == '"' ? strchr(p + 1, '"') : NULL;
        if (!end)
            continue;
        *end = 0;
        char name[PATH_MAX];
        snprintf(name, sizeof name, "%s", p + 1);
        if (!ends_with(name, ".h"))
            continue;
        find_header(v, dir, name, home, depth);
        for (size_t i = 0; i < v->n; i++) {
            if (v->e[i].kind != RL_VIEW_DIR ||
                strcmp(v->e[i].path, v->cwd) == 0)
                continue;
            char inc[PATH_MAX];
            snprintf(inc, sizeof inc, "%s", v->e[i].path);
            find_header(v, inc, name, home, depth);
        }
    }
    fclose(f);
}

static int by_path(const void *a, const void *b)
{
    const struct rl_view_entry *x = a, *y = b;
    return strcmp(x->path, y->path);
}

void rl_view_plan(struct rl_view *v, const char *home, const char *cwd,
                  char *const argv[], char *const env_extra[])
{
    memset(v, 0, sizeof *v);
    char here[PATH_MAX] = "/";
    if (cwd)
        tidy(cwd, "/", here, sizeof here);
    else if (!getcwd(here, sizeof here))
        snprintf(here, sizeof here, "/");
    snprintf(v->cwd, sizeof v->cwd, "%s", here);
    char own[PATH_MAX] = "";
    if (home && tidy(home, here, own, sizeof own) == 0)
        add(v, own, RL_VIEW_RW);
    const char *h = own[0] ? own : NULL;
    if (!covered(here, h))
        add(v, here, RL_VIEW_DIR);
    for (char *const *a = argv; a && *a; a++)
        consider_word(v, *a, h, here);
    for (char *const *e = env_extra; e && *e; e++) {
        const char *eq = strchr(*e, '=');
        if (eq)
            consider_value(v, eq + 1, h, here);
    }
    size_t named = v->n;
    for (size_t i = 0; i < named; i++) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s", v->e[i].path);
        if (v->e[i].kind == RL_VIEW_RO &&
            (ends_with(path, ".c") || ends_with(path, ".h")))
            scan_includes(v, path, h, 0);
    }
    if (v->n)
        qsort(v->e, v->n, sizeof *v->e, by_path);
}

void rl_view_free(struct rl_view *v)
{
    for (size_t i = 0; i < v->n; i++)
        free(v->e[i].path);
    free(v->e);
    memset(v, 0, sizeof *v);
}

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
        if (bound && within(e->path, bound))
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
