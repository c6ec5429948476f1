/* echoserver.c: lab 01 variant, closes the connection at end of file but not
 * when read fails (bug). */
#include "csapp.h"

/*
 * serve - echo lines until the client leaves.  Returns 0 at end of file,
 * -1 when a read or a write failed.
 */
static int serve(int connfd)
{
    char line[MAXLINE];
    for (;;) {
        ssize_t n = readline(connfd, line, sizeof line);
        if (n == 0)
            return 0;
        if (n < 0 || writen(connfd, line, (size_t)n) < 0)
            return -1;
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
        if (serve(connfd) < 0) {
            fprintf(stderr, "client error: %s\n", strerror(errno));
            continue; /* Bug: connfd stays open when the client reset */
        }
        Close(connfd);
    }
}
