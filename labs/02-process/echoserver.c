/* echoserver.c: lab 02, a process-per-connection echo server (starter). */
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
 * TODO: a SIGCHLD handler that reaps every child that has exited, and
 * its installation with Signal() at the start of main.  Remember: it may
 * call only async-signal-safe functions, one SIGCHLD can stand for
 * several children, and it must leave errno as it found it.
 */

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        exit(2);
    }
    int listenfd = Open_listenfd(argv[1]);
    /* excerpt: accept-loop */
    for (;;) {
        struct sockaddr_storage addr;
        socklen_t len = sizeof addr;
        int connfd = Accept(listenfd, (SA *)&addr, &len);
        if (Fork() == 0) {
            echo(connfd); /* Child: serve this one client ... */
            exit(0);      /* ... and exit; nobody waits for it */
        }
        /* Parent: straight back to accept the next client */
    }
    /* end excerpt */
}
