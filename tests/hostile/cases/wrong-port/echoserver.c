/* echoserver.c: lab 01, a working echo server that listens on the port
 * after the one it was given. */
#include "csapp.h"
#include <sys/prctl.h>

static void echo(int connfd)
{
    char line[MAXLINE];
    ssize_t n;
    while ((n = readline(connfd, line, sizeof line)) > 0)
        if (writen(connfd, line, (size_t)n) < 0)
            break;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        exit(2);
    }
    prctl(PR_SET_NAME, "rlhostile");
    char port[16];
    snprintf(port, sizeof port, "%d", atoi(argv[1]) + 1);
    int listenfd = Open_listenfd(port);
    for (;;) {
        int connfd = Accept(listenfd, NULL, NULL);
        echo(connfd);
        Close(connfd);
    }
}
