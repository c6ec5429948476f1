/* echoserver.c: lab 02 variant, a SIGCHLD handler that reaps one child per signal (bug). */
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

/*
 * sigchld_handler - reaps one child per SIGCHLD.  Bug: signals are not
 * queued; children that exit together raise one SIGCHLD, and the others
 * stay zombies.
 */
static void sigchld_handler(int sig)
{
    int saved_errno = errno;
    waitpid(-1, NULL, WNOHANG); /* Bug: once, not while one is left */
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
        int connfd = accept(listenfd, NULL, NULL);
        if (connfd < 0 && errno == EINTR)
            continue; /* SIGCHLD interrupted accept: accept again */
        if (connfd < 0)
            unix_error("accept");
        if (Fork() == 0) {
            Close(listenfd);
            echo(connfd);
            Close(connfd);
            exit(0);
        }
        Close(connfd);
    }
}
