/* echoserver.c: lab 02 variant, the reaper uses waitid with WNOHANG (correct).
 */
#include "csapp.h"

static void echo(int connfd)
{
    char line[MAXLINE];
    ssize_t n;
    while ((n = readline(connfd, line, sizeof line)) > 0)
        if (writen(connfd, line, (size_t)n) < 0)
            break;
}

/*
 * waitid with WNOHANG leaves si_pid 0 when no child has ended yet: the
 * loop stops there instead of waiting for a child still serving.
 */
static void on_child(int sig)
{
    int saved = errno;
    for (;;) {
        siginfo_t info;
        info.si_pid = 0;
        if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG) != 0 || info.si_pid == 0)
            break;
    }
    errno = saved;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        exit(2);
    }
    int listenfd = Open_listenfd(argv[1]);
    Signal(SIGCHLD, on_child);
    for (;;) {
        int connfd = accept(listenfd, NULL, NULL);
        if (connfd < 0) {
            if (errno == EINTR)
                continue;
            unix_error("accept");
        }
        pid_t pid = Fork();
        if (pid == 0) {
            Close(listenfd);
            echo(connfd);
            Close(connfd);
            exit(0);
        }
        Close(connfd);
    }
}
