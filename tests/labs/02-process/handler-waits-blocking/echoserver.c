/* echoserver.c: lab 02 variant, a SIGCHLD handler that waits without WNOHANG
 * (bug). */
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
 * sigchld_handler - reap every child that has exited.  Signals are not
 * queued: one SIGCHLD can stand for several children that ended while it
 * was pending, so loop until none is left; WNOHANG because children still
 * serving clients must not make the server wait.  The handler runs in the
 * middle of whatever main was doing, so it calls only async-signal-safe
 * functions (waitpid is one) and gives errno back as it found it.
 */
static void sigchld_handler(int sig)
{
    int saved_errno = errno;         /* main may be about to read it */
    while (waitpid(-1, NULL, 0) > 0) /* Bug: blocks while a child lives */
        ;
    errno = saved_errno; /* waitpid left ECHILD or 0 there */
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        exit(2);
    }
    int listenfd = Open_listenfd(argv[1]);
    Signal(SIGCHLD, sigchld_handler); /* Before the first fork */
    for (;;) {
        struct sockaddr_storage addr;
        socklen_t len = sizeof addr;
        int connfd = accept(listenfd, (SA *)&addr, &len);
        if (connfd < 0 && errno == EINTR)
            continue; /* SIGCHLD interrupted accept: just accept again */
        if (connfd < 0)
            unix_error("accept");
        if (Fork() == 0) {
            Close(listenfd); /* Child only serves connfd: drop the listener */
            echo(connfd);
            Close(connfd);
            exit(0); /* SIGCHLD tells the parent to reap us */
        }
        /* Parent closes its copy, so the client sees EOF when the child
         * ends, and the parent's descriptors do not pile up. */
        Close(connfd);
    }
}
