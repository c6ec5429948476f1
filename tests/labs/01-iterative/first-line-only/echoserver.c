/* echoserver.c: lab 01 variant, echoes only a client's first line (bug). */
#include "csapp.h"

/* echo - meant to echo every line; the missing loop answers only one. */
static void echo(int connfd)
{
    char line[MAXLINE];
    ssize_t n = readline(connfd, line, sizeof line);
    if (n > 0)
        writen(connfd, line, (size_t)n); /* Bug: no loop for the next */
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
