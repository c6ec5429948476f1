// sigunsafe_malloc_sigchld.c: a SIGCHLD handler builds a log line with malloc.
// EXPECT: signal-unsafe-call
// The handler reaps the child correctly (a WNOHANG loop, errno saved) but
// allocates memory for a message with malloc and frees it.  malloc/free are
// not async-signal-safe: a signal arriving inside malloc in the main program
// can corrupt the heap or deadlock.  Fix: format into a static buffer with
// async-signal-safe code and write(2) it, or only set a flag.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t reaped;

static void on_chld(int sig)
{
    int saved = errno;
    char *msg;

    while (waitpid(-1, NULL, WNOHANG) > 0)
        reaped++;
    msg = malloc(32); /* the bug: malloc in a signal handler */
    if (msg != NULL) {
        strcpy(msg, "child reaped\n");
        if (write(STDOUT_FILENO, msg, strlen(msg)) < 0)
            reaped += 0;
        free(msg);
    }
    errno = saved;
}

int main(void)
{
    struct sigaction sa = {.sa_handler = on_chld};
    sigset_t block, old;
    pid_t pid;

    sigemptyset(&sa.sa_mask);
    sigaction(SIGCHLD, &sa, NULL);
    /* Block SIGCHLD until we wait for it, so it cannot be missed. */
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
    printf("done waiting\n");
    return 0;
}
