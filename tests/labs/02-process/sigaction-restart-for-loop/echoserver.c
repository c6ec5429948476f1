/* echoserver.c: lab 02 variant, sigaction with SA_RESTART and a for-loop reaper
 * (correct). */
#include "csapp.h"

static void echo(int connfd)
{
    char line[MAXLINE];
    ssize_t n;
    while ((n = readline(connfd, line, sizeof line)) > 0)
        if (writen(connfd, line, (size_t)n) < 0)
            break;
}

static void reaper(int sig)
{
    int olderrno = errno;
    pid_t pid;
    for (pid = waitpid(-1, NULL, WNOHANG); pid > 0;
         pid = waitpid(-1, NULL, WNOHANG))
        ;
    errno = olderrno;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        exit(2);
    }
    struct sigaction act = {.sa_handler = reaper, .sa_flags = SA_RESTART};
    sigemptyset(&act.sa_mask);
    sigaddset(&act.sa_mask, SIGCHLD);
    sigaction(SIGCHLD, &act, NULL);
    int listenfd = Open_listenfd(argv[1]);
    for (;;) {
        int connfd = Accept(listenfd, NULL, NULL);
        if (Fork() == 0) {
            Close(listenfd);
            echo(connfd);
            Close(connfd);
            exit(0);
        }
        Close(connfd);
    }
}
