/* echoserver.c: lab 01 variant, sends lines back without newline (bug). */
#include "csapp.h"

/* echo - the client waits for a newline that never comes back. */
static void echo(int connfd)
{
    char line[MAXLINE];
    ssize_t n;
    while ((n = readline(connfd, line, sizeof line)) > 0) {
        if (line[n - 1] == '\n')
            n--; /* Bug: the echo must be the line unchanged */
        if (writen(connfd, line, (size_t)n) < 0)
            break;
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        exit(2);
    }
    int listenfd = Open_listenfd(argv[1]);
    for (;;) {
        int connfd = Accept(listenfd, NULL, NULL);
        echo(connfd);
        Close(connfd);
    }
}
