/* exe_data.c: a copy of a live program's global variables. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/procfs.h"
#include "tools/exe_data.h"
#include "lib/xalloc.h"

#define MAX_COPY (4u << 20)

struct span {
    uint64_t lo, hi;
    int in_exe; /* the last mapping was the exe's, or its .bss after it */
};

static int grow_span(const struct rl_proc_mapping *m, void *arg)
{
    struct span *sp = arg;
    if (m->of_exe && m->perms[1] == 'w') {
        if (!sp->lo)
            sp->lo = m->lo;
        sp->hi = m->hi;
    } else if (!m->of_exe && !m->file[0] && sp->in_exe && sp->hi == m->lo &&
               m->perms[1] == 'w') {
        sp->hi = m->hi; /* .bss beyond the file's last page */
    }
    sp->in_exe = m->of_exe || (sp->in_exe && !m->file[0] && sp->hi == m->hi);
    return 0;
}

/* The writable range: the exe's "rw-p" mappings and the anonymous one
 * that follows them (the rest of .bss), as one span. */
static int data_span(pid_t pid, uint64_t *lo, uint64_t *hi)
{
    struct span sp = {0};
    if (rl_proc_each_mapping(pid, grow_span, &sp) < 0)
        return -1;
    *lo = sp.lo;
    *hi = sp.hi;
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
