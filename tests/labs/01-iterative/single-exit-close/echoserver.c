/* echoserver.c: lab 01 variant, every way out of the echo loop goes through one
 * close (correct). */
#include "csapp.h"

static void serve(int connfd)
{
    char line[MAXLINE];
    ssize_t n;
    for (;;) {
        n = readline(connfd, line, sizeof line);
        if (n <= 0)
            goto out; /* end of file, or ECONNRESET */
        if (writen(connfd, line, (size_t)n) < 0)
            goto out; /* EPIPE: the client is gone */
    }
out:
    if (close(connfd) < 0)
        perror("close");
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        exit(2);
    }
    int listenfd = Open_listenfd(argv[1]);
    for (;;)
        serve(Accept(listenfd, NULL, NULL));
}
