// ok_sigchld_reaper.c: a SIGCHLD handler that reaps properly.
// EXPECT: none
// The handler loops on waitpid(-1, NULL, WNOHANG) so several children that
// exit together are all reaped by one signal, uses only async-signal-safe
// calls, and saves and restores errno (the last waitpid sets ECHILD).  Main
// blocks SIGCHLD and waits in sigsuspend, so it cannot miss the signal.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHILDREN 3

static volatile sig_atomic_t reaped;

static void on_chld(int sig)
{
    int saved = errno; /* waitpid below will change errno */

    while (waitpid(-1, NULL, WNOHANG) > 0)
        reaped++;
    errno = saved;
}

int main(void)
{
    struct sigaction sa = {.sa_handler = on_chld};
    sigset_t block, old;

    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGCHLD, &sa, NULL);
    sigemptyset(&block);
    sigaddset(&block, SIGCHLD);
    sigprocmask(SIG_BLOCK, &block, &old);
    for (int i = 0; i < CHILDREN; i++) {
        pid_t pid = fork();

        if (pid < 0)
            return 1;
        if (pid == 0)
            _exit(0);
    }
    while (reaped < CHILDREN)
        sigsuspend(&old); /* handler runs in here */
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("DONE\n");
    return 0;
}
