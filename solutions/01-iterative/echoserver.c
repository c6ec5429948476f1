/* echoserver.c: lab 01, an iterative line echo server (solution). */
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

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        exit(2);
    }
    int listenfd = Open_listenfd(argv[1]);
    for (;;) {
        struct sockaddr_storage addr;
        socklen_t len = sizeof addr;
        int connfd = Accept(listenfd, (SA *)&addr, &len);
        echo(connfd);  /* Serve this client until it leaves ... */
        Close(connfd); /* ... and only then accept the next one */
    }
}
