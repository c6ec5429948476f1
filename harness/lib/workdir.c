/* workdir.c: racelab's scratch folders, removed when a command ends. */
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/run_disk.h"
#include "lib/workdir.h"
#include "lib/xalloc.h"

char *rl_workdir_create(const char *prefix, char *err, size_t errlen)
{
    const char *tmp = getenv("TMPDIR");
    char *path = xasprintf("%s/%s.XXXXXX", tmp && *tmp ? tmp : "/tmp", prefix);
    if (!mkdtemp(path)) {
        snprintf(err, errlen, "cannot create a folder like '%s'", path);
        free(path);
        return NULL;
    }
    /* User programs may run as another user one day: let them write. */
    chmod(path, 0755);
    return path;
}

char *rl_workdir_sub(const char *dir, const char *name, char *err,
                     size_t errlen)
{
    char *path = xasprintf("%s/%s", dir, name);
    if (mkdir(path, 0755) != 0) {
        snprintf(err, errlen, "cannot create '%s'", path);
        free(path);
        return NULL;
    }
    return path;
}

static int remove_entry(const char *path, const struct stat *st, int type,
                        struct FTW *ftw)
{
    /* A run's work folder may be its own tmpfs (run_disk.h): emptied
     * like any folder, then unmounted before it can go. */
    if (remove(path) < 0 && type == FTW_DP && rl_run_disk_release(path) == 0)
        remove(path);
    return 0;
}

void rl_workdir_remove(const char *dir)
{
    if (!dir)
        return;
    if (getenv("RACELAB_KEEP")) {
        fprintf(stderr, "racelab: kept '%s'\n", dir);
        return;
    }
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

const char *rl_harness_dir(void)
{
    static char dir[PATH_MAX];
    if (!dir[0]) {
        ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);
        if (n <= 0)
            return ".";
        dir[n] = '\0';
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = '\0';
    }
    return dir;
}
