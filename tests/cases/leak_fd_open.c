// leak_fd_open.c: a function opens a file and returns early without closing it.
// EXPECT: fd-leak
// count_bytes() opens the file with open() and returns from the loop without
// close(); every call leaks a descriptor, and a long-running program
// eventually fails with EMFILE.  Fix: close(fd) on every path.
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

static long count_bytes(const char *path)
{
    char buf[256];
    long total = 0;
    ssize_t n;
    int fd = open(path, O_RDONLY);

    if (fd < 0)
        return -1;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        total += n;
    return total; /* the bug: fd is never closed */
}

int main(void)
{
    printf("%ld bytes\n", count_bytes("/etc/hostname"));
    printf("%ld bytes\n", count_bytes("/dev/null"));
    return 0;
}
