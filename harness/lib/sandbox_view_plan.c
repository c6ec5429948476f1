/* sandbox_view_plan.c: what a confined run's filesystem view holds,
 * planned by the harness before the run (see sandbox_view.h). */
#include "lib/sandbox_view.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What every view holds read-only: where programs, libraries, compilers,
 * valgrind and the sanitizers' runtimes live (all under /usr on a merged
 * system, the others being links), and /etc for the loader, locales and
 * names.  /etc/shadow and /etc/gshadow are covered by /dev/null. */
const char *const rl_view_system_dirs[] = {"/usr",    "/bin",   "/sbin",
                                           "/lib",    "/lib32", "/lib64",
                                           "/libx32", "/etc",   NULL};
#define SYSTEM_DIRS rl_view_system_dirs
/* The view's own folders, made by rl_view_enter itself. */
static const char *const OWN_DIRS[] = {"/dev", "/proc", "/sys", "/tmp", NULL};

#define VIEW_MAX RL_VIEW_MAX

int rl_view_within(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return strncmp(path, dir, n) == 0 && (path[n] == 0 || path[n] == '/');
}

static int covered(const char *path, const char *home)
{
    for (int i = 0; SYSTEM_DIRS[i]; i++)
        if (rl_view_within(path, SYSTEM_DIRS[i]))
            return 1;
    for (int i = 0; OWN_DIRS[i]; i++)
        if (strcmp(path, OWN_DIRS[i]) == 0 ||
            (i < 3 && rl_view_within(path, OWN_DIRS[i])))
            return 1;
    return strcmp(path, "/") == 0 || (home && rl_view_within(path, home));
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
static int near_include_folder(const struct rl_view *v, const char *path,
                               const char *base)
{
    for (size_t i = 0; i < v->n; i++) {
        /* The harness's cwd is skipped (from the checkout's root its
         * parent would hold everything), unless it is the including
         * file's own folder: `make grade` in a lab folder (the student
         * kit) runs there, and its "../sync-common/sync.h" is the lab's. */
        if (v->e[i].kind != RL_VIEW_DIR ||
            (strcmp(v->e[i].path, v->cwd) == 0 &&
             strcmp(v->e[i].path, base) != 0))
            continue;
        char parent[PATH_MAX];
        snprintf(parent, sizeof parent, "%s", v->e[i].path);
        char *slash = strrchr(parent, '/');
        if (slash && slash != parent)
            *slash = 0;
        if (rl_view_within(path, parent))
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
        link_below(base, path) || !near_include_folder(v, path, base))
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
