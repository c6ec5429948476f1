// ok_handler_errno_saved.c: a handler whose write fails, errno restored
// EXPECT: none
// The correct version of errno_clobber_write_closed.c: the handler's
// write() to a closed descriptor still fails with EBADF, but the handler
// saves errno on entry and restores it before returning, so main still sees
// the ENOENT of its own failed open().
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static int log_fd = -1; /* closed before the signal comes */
static volatile sig_atomic_t failed_writes;

static void on_usr1(int sig)
{
    int saved = errno;

    if (write(log_fd, "usr1\n", 5) < 0) /* fails: EBADF */
        failed_writes++;
    errno = saved;
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
    raise(SIGUSR1);
    err = errno;
    if (fd != -1 || err != ENOENT || failed_writes != 1)
        return 1;
    printf("DONE\n");
    return 0;
}
