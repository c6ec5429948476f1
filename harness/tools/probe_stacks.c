/* probe_stacks.c: where a blocked thread waits, read from /proc. */
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/procfs.h"
#include "tools/probe_stacks.h"

/* Bytes of stack scanned above the stack pointer: the C library's
 * wrapper frames (read, usleep, nanosleep) sit below the user's. */
enum { STACK_SCAN = 16384 };

static int add_code(const struct rl_proc_mapping *m, void *arg)
{
    struct rl_exe_code *code = arg;
    if (m->of_exe && m->perms[2] == 'x') {
        code->seg[code->n].lo = m->lo;
        code->seg[code->n].hi = m->hi;
        code->seg[code->n].offset = m->offset;
        code->n++;
    }
    return code->n >= 8;
}

int rl_exe_code_read(pid_t pid, struct rl_exe_code *code)
{
    memset(code, 0, sizeof *code);
    if (rl_proc_each_mapping(pid, add_code, code) < 0)
        return -1;
    return code->n ? 0 : -1;
}

static int in_code(const struct rl_exe_code *code, uint64_t pc)
{
    for (size_t i = 0; i < code->n; i++)
        if (pc >= code->seg[i].lo && pc < code->seg[i].hi)
            return 1;
    return 0;
}

/* "nr arg1 ... arg6 sp pc" of a blocked thread; -1 when it runs. */
static int read_syscall(pid_t pid, const char *tid, long *nr, uint64_t *sp)
{
    char path[96], buf[512];
    snprintf(path, sizeof path, "/proc/%d/task/%s/syscall", (int)pid, tid);
    if (rl_proc_read(path, buf, sizeof buf) <= 0 ||
        strncmp(buf, "running", 7) == 0)
        return -1;
    char *p = buf, *end;
    *nr = strtol(p, &end, 10);
    if (end == p || *nr < 0)
        return -1;
    p = end;
    unsigned long long words[8];
    for (int i = 0; i < 8; i++) {
        words[i] = strtoull(p, &end, 16);
        if (end == p)
            return -1;
        p = end;
    }
    *sp = words[6]; /* after six arguments: the stack pointer, then pc */
    return 0;
}

void rl_task_read_wait(pid_t pid, const char *tid,
                       const struct rl_exe_code *code, uint64_t exe_base,
                       struct rl_task *t)
{
    long nr;
    uint64_t sp;
    memset(&t->stack, 0, sizeof t->stack);
    t->syscall = -1;
    if (read_syscall(pid, tid, &nr, &sp) != 0)
        return;
    t->syscall = (int32_t)nr;
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/mem", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    uint64_t *words = malloc(STACK_SCAN);
    ssize_t got = words ? pread(fd, words, STACK_SCAN, (off_t)sp) : -1;
    close(fd);
    size_t kept = 0;
    for (ssize_t i = 0; got > 0 && i < got / 8 && kept < RLP_MAX_FRAMES; i++)
        if (in_code(code, words[i]))
            t->stack.pc[kept++] = words[i] - exe_base - 1;
    free(words);
}
