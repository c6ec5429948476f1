/* exe_data.c: a copy of a live program's global variables. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/exe_data.h"
#include "lib/xalloc.h"

#define MAX_COPY (4u << 20)

/* The writable range: the exe's "rw-p" mappings and the anonymous one
 * that follows them (the rest of .bss), as one span. */
static int data_span(pid_t pid, uint64_t *lo, uint64_t *hi)
{
    char path[64], exe[PATH_MAX], line[PATH_MAX + 128];
    snprintf(path, sizeof path, "/proc/%d/exe", (int)pid);
    ssize_t n = readlink(path, exe, sizeof exe - 1);
    if (n <= 0)
        return -1;
    exe[n] = '\0';
    snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    *lo = *hi = 0;
    int in_exe = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned long long a, b;
        char perms[8], file[PATH_MAX] = "";
        if (sscanf(line, "%llx-%llx %7s %*s %*s %*s %4095s", &a, &b, perms,
                   file) < 3)
            continue;
        int mine = strcmp(file, exe) == 0;
        if (mine && perms[1] == 'w') {
            if (!*lo)
                *lo = a;
            *hi = b;
        } else if (!mine && !file[0] && in_exe && *hi == a && perms[1] == 'w') {
            *hi = b; /* .bss beyond the file's last page */
        }
        in_exe = mine || (in_exe && !file[0] && *hi == b);
    }
    fclose(f);
    return *lo && *hi > *lo ? 0 : -1;
}

int rl_exe_data_read(pid_t pid, struct rl_exe_data *out)
{
    memset(out, 0, sizeof *out);
    uint64_t lo, hi;
    if (data_span(pid, &lo, &hi) != 0 || hi - lo > MAX_COPY)
        return -1;
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/mem", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    unsigned char *buf = xmalloc(hi - lo);
    ssize_t got = pread(fd, buf, hi - lo, (off_t)lo);
    close(fd);
    if (got != (ssize_t)(hi - lo)) {
        free(buf);
        return -1;
    }
    *out = (struct rl_exe_data){lo, hi - lo, buf};
    return 0;
}

void rl_exe_data_free(struct rl_exe_data *d)
{
    free(d->bytes);
    memset(d, 0, sizeof *d);
}
