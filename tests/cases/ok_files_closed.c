// ok_files_closed.c: files and pipes are opened, used and closed on every path.
// EXPECT: none
// Each descriptor has one owner that closes it, including on the error path,
// and the pipe's ends are closed by the side that is done with them.
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
    close(fd); /* every path that opened it closes it */
    return n < 0 ? -1 : total;
}

int main(void)
{
    int fds[2];
    char c = 0;
    FILE *f;

    if (count_bytes("/etc/hostname") < 0 || count_bytes("/dev/null") != 0)
        return 1;
    if (pipe(fds) < 0)
        return 1;
    if (write(fds[1], "z", 1) != 1)
        return 1;
    close(fds[1]);
    if (read(fds[0], &c, 1) != 1 || c != 'z')
        return 1;
    close(fds[0]);
    f = fopen("/etc/hostname", "r");
    if (f == NULL)
        return 1;
    fgetc(f);
    fclose(f);
    printf("DONE\n");
    return 0;
}
