/* procfs.c: small reads of /proc, shared by the sandbox, the tools and the
 * server driver. */
#include "lib/procfs.h"

#include <dirent.h>
#include <limits.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

ssize_t rl_proc_read(const char *path, char *buf, size_t len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t used = 0;
    while (used + 1 < len) {
        ssize_t n = read(fd, buf + used, len - 1 - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && used == 0) {
            close(fd); /* ESRCH: the task ended meanwhile */
            return -1;
        }
        if (n <= 0)
            break;
        used += (size_t)n;
    }
    close(fd);
    buf[used] = '\0';
    return (ssize_t)used;
}

const char *rl_proc_stat_fields(const char *stat)
{
    const char *p = strrchr(stat, ')');
    return p && p[1] == ' ' ? p + 2 : NULL;
}

int rl_proc_stat_read(const char *path, struct rl_proc_stat *st)
{
    char buf[1024];
    const char *p = rl_proc_read(path, buf, sizeof buf) > 0
                        ? rl_proc_stat_fields(buf)
                        : NULL;
    struct rl_proc_stat s = {0};
    /* state is field 3; utime, stime, cutime, cstime are 14 to 17. */
    if (!p || sscanf(p,
                     "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu "
                     "%llu %llu",
                     &s.state, &s.utime, &s.stime, &s.cutime, &s.cstime) != 5)
        return -1;
    *st = s;
    return 0;
}

char rl_proc_state(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    const char *p = rl_proc_read(path, buf, sizeof buf) > 0
                        ? rl_proc_stat_fields(buf)
                        : NULL;
    return p ? *p : 0;
}

double rl_proc_cpu_seconds(pid_t pid, int with_children)
{
    char path[64];
    struct rl_proc_stat s;
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    if (rl_proc_stat_read(path, &s) != 0)
        return -1;
    unsigned long long t = s.utime + s.stime;
    if (with_children)
        t += s.cutime + s.cstime;
    return (double)t / (double)sysconf(_SC_CLK_TCK);
}

long rl_proc_ns_pid(const char *status)
{
    const char *p = strstr(status, "\nNSpid:");
    if (!p)
        return -1;
    long last = -1;
    char *end;
    for (p += strlen("\nNSpid:");; p = end) {
        long v = strtol(p, &end, 10);
        if (end == p)
            break;
        last = v;
    }
    return last;
}

int rl_proc_status_mask(pid_t pid, const char *field, unsigned long long *mask)
{
    char path[64], buf[4096], key[16];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    snprintf(key, sizeof key, "\n%s:", field);
    const char *p =
        rl_proc_read(path, buf, sizeof buf) > 0 ? strstr(buf, key) : NULL;
    return p && sscanf(p + strlen(key), "%llx", mask) == 1 ? 0 : -1;
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

int rl_proc_count_fds(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
    return count_entries(path);
}

int rl_proc_count_tasks(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    return count_entries(path);
}

int rl_proc_each_listed(const char *path, rl_proc_pid_fn fn, void *arg)
{
    char buf[16384];
    if (rl_proc_read(path, buf, sizeof buf) < 0)
        return -1;
    char *end;
    for (char *p = buf;; p = end) {
        long pid = strtol(p, &end, 10);
        if (end == p)
            return 0;
        int stop = pid > 0 ? fn((pid_t)pid, arg) : 0;
        if (stop > 0)
            return stop;
    }
}

int rl_proc_thread_children(pid_t pid, pid_t tid, rl_proc_pid_fn fn, void *arg)
{
    char path[96];
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)pid,
             (int)tid);
    return rl_proc_each_listed(path, fn, arg);
}

int rl_proc_children(pid_t pid, rl_proc_pid_fn fn, void *arg)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    DIR *d = opendir(path);
    if (!d)
        return 0;
    int stop = 0;
    struct dirent *e;
    while (stop <= 0 && (e = readdir(d)))
        if (e->d_name[0] != '.') /* -1: the thread ended meanwhile */
            stop =
                rl_proc_thread_children(pid, (pid_t)atoi(e->d_name), fn, arg);
    closedir(d);
    return stop > 0 ? stop : 0;
}

pid_t rl_proc_find_thread(pid_t pid, const char *comm)
{
    char path[320], name[32]; /* a d_name has up to 255 bytes */
    pid_t tid = 0;
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    DIR *d = opendir(path);
    if (!d)
        return 0;
    struct dirent *e;
    while (!tid && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "/proc/%d/task/%s/comm", (int)pid,
                 e->d_name);
        if (rl_proc_read(path, name, sizeof name) <= 0)
            continue;
        name[strcspn(name, "\n")] = '\0';
        if (strcmp(name, comm) == 0)
            tid = (pid_t)atoi(e->d_name);
    }
    closedir(d);
    return tid;
}

int rl_proc_each_mapping(pid_t pid, rl_proc_mapping_fn fn, void *arg)
{
    char path[64], exe[PATH_MAX], line[PATH_MAX + 128], file[PATH_MAX];
    snprintf(path, sizeof path, "/proc/%d/exe", (int)pid);
    ssize_t n = readlink(path, exe, sizeof exe - 1);
    if (n <= 0)
        return -1;
    exe[n] = '\0';
    snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    int stop = 0;
    while (!stop && fgets(line, sizeof line, f)) {
        struct rl_proc_mapping m = {0};
        file[0] = '\0';
        if (sscanf(line, "%llx-%llx %7s %llx %*s %*s %4095s", &m.lo, &m.hi,
                   m.perms, &m.offset, file) < 4)
            continue;
        m.file = file;
        m.of_exe = strcmp(file, exe) == 0;
        stop = fn(&m, arg);
    }
    fclose(f);
    return stop > 0 ? stop : 0;
}
