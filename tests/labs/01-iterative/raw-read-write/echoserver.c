/* echoserver.c: lab 01 variant, echoes raw reads, not lines (correct). */
#include "csapp.h"

/*
 * echo - whatever bytes arrive go straight back, in order: an echo of
 * every line without ever looking for a newline.
 */
static void echo(int connfd)
{
    char buf[MAXLINE];
    ssize_t n;
    while ((n = read(connfd, buf, sizeof buf)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || writen(connfd, buf, (size_t)n) < 0)
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
