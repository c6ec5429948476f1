/* echoserver.c: lab 01, an iterative line echo server (starter). */
#include "csapp.h"

/*
 * echo - send every line the client sends back to it, unchanged, until
 * the client closes its end of the connection.
 */
static void echo(int connfd)
{
    /* excerpt: echo-loop */
    /* TODO: the echo loop.  Read one line with readline(connfd, ...) and
     * write it back with writen(connfd, ...); repeat until readline
     * returns 0 (the client closed its end) or -1 (an error). */
    (void)connfd;
    /* end excerpt */
}

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
        echo(connfd);  /* Serve this client until it leaves ... */
        Close(connfd); /* ... and only then accept the next one */
    }
    /* end excerpt */
}
