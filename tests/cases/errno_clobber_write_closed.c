// errno_clobber_write_closed.c: a handler's failed write() overwrites errno.
// EXPECT: errno-clobber
// main's open() fails with ENOENT; before main looks at errno, a SIGUSR1
// handler writes to a descriptor it has already closed, which fails with
// EBADF and changes errno.  main then reports the wrong error.  write() is
// async-signal-safe, so this is not a signal-unsafe call; the bug is only
// that errno is not saved and restored.  Fix: int saved = errno; ...
// errno = saved; in the handler.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int log_fd = -1; /* closed before the signal comes */

static void on_usr1(int sig)
{
    /* the bug: write() fails with EBADF and errno is not restored */
    if (write(log_fd, "usr1\n", 5) < 0)
        log_fd = -1;
}

int main(void)
{
    struct sigaction sa = {.sa_handler = on_usr1};
    int fd, err;

    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    log_fd = dup(STDERR_FILENO);
    close(log_fd);
    fd = open("/nonexistent/racelab", O_RDONLY); /* fails: ENOENT */
    raise(SIGUSR1);                              /* handler runs here */
    err = errno;
    printf("open: %s (fd %d)\n", strerror(err), fd);
    return 0;
}
