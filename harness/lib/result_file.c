/* result_file.c: open a file a user's program wrote, safely. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/result_file.h"

static const char *kind_of(mode_t m)
{
    return S_ISDIR(m)    ? "a folder"
           : S_ISFIFO(m) ? "a FIFO"
           : S_ISCHR(m)  ? "a character device"
           : S_ISBLK(m)  ? "a block device"
           : S_ISSOCK(m) ? "a socket"
                         : "not a regular file";
}

FILE *rl_result_file_open(const char *path, size_t max_bytes, int *too_big,
                          char *err, size_t errlen)
{
    if (too_big)
        *too_big = 0;
    /* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
     * writer, forever; O_NOFOLLOW: a link could point anywhere. */
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ELOOP)
            snprintf(err, errlen, "'%s' is a symbolic link", path);
        else
            snprintf(err, errlen, "cannot open '%s': %s", path,
                     strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
        close(fd);
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "'%s' is %s", path, kind_of(st.st_mode));
        close(fd);
        return NULL;
    }
    if ((unsigned long long)st.st_size > max_bytes) {
        if (too_big)
            *too_big = 1;
        snprintf(err, errlen, "'%s' is too large (%lld bytes, at most %zu)",
                 path, (long long)st.st_size, max_bytes);
        close(fd);
        return NULL;
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0)
        fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    FILE *f = fdopen(fd, "r");
    if (!f) {
        snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
        close(fd);
    }
    return f;
}
