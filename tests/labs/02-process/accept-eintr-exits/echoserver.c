/* echoserver.c: lab 02 variant, Accept exits when SIGCHLD interrupts it (bug). */
#include "csapp.h"

/*
 * echo - send every line the client sends back to it, unchanged, until
 * the client closes its end of the connection.
 */
static void echo(int connfd)
{
    char line[MAXLINE];
    ssize_t n;
    while ((n = readline(connfd, line, sizeof line)) > 0)
        if (writen(connfd, line, (size_t)n) < 0)
            break; /* The client went away: stop serving it */
}

/* sigchld_handler - reap every child that has exited; keep errno. */
static void sigchld_handler(int sig)
{
    int saved_errno = errno;
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
    errno = saved_errno;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        exit(2);
    }
    int listenfd = Open_listenfd(argv[1]);
    Signal(SIGCHLD, sigchld_handler);
    for (;;) {
        /* Bug: Signal() sets no SA_RESTART, so a SIGCHLD while the parent
         * waits here fails accept with EINTR, and Accept exits then. */
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
