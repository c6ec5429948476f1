// errno_clobber_sigchld_waitpid.c: a SIGCHLD reaper leaves ECHILD in errno.
// EXPECT: errno-clobber
// The handler reaps with while (waitpid(-1, NULL, WNOHANG) > 0), which is
// right, but the last waitpid returns -1 with errno = ECHILD once no child is
// left, and the handler does not save and restore errno.  Whatever errno the
// interrupted code was about to read is gone.  Fix: save errno on entry and
// restore it before returning.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t reaped;

static void on_chld(int sig)
{
    while (waitpid(-1, NULL, WNOHANG) > 0) /* ends with errno = ECHILD */
        reaped++;
}

int main(void)
{
    struct sigaction sa = {.sa_handler = on_chld};
    sigset_t block, old;
    pid_t pid;

    sigemptyset(&sa.sa_mask);
    sigaction(SIGCHLD, &sa, NULL);
    sigemptyset(&block);
    sigaddset(&block, SIGCHLD);
    sigprocmask(SIG_BLOCK, &block, &old);
    pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0)
        _exit(0);
    while (!reaped)
        sigsuspend(&old); /* the handler runs in here */
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("reaped %d child\n", (int)reaped);
    return 0;
}
