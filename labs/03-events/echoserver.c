/* echoserver.c: lab 03, an event-driven echo server with select (starter). */
#include "csapp.h"

/*
 * serve_line - answer one client that select() reported readable: read
 * its next line and send it back.  At end of file the client has left.
 */
/* excerpt: serve-line */
static void serve_line(int fd, fd_set *watched)
{
    char line[MAXLINE];
    ssize_t n = readline(fd, line, sizeof line); /* Waits for the whole line */
    if (n <= 0) {
        FD_CLR(fd, watched); /* The client left: stop watching it */
        return;
    }
    writen(fd, line, (size_t)n); /* Waits until the client has room */
}
/* end excerpt */

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        exit(2);
    }
    int listenfd = Open_listenfd(argv[1]);
    /* excerpt: select-loop */
    fd_set watched; /* Every descriptor the loop waits on */
    FD_ZERO(&watched);
    FD_SET(listenfd, &watched);
    int maxfd = listenfd;
    for (;;) {
        fd_set ready = watched; /* select() overwrites its argument */
        Select(maxfd + 1, &ready, NULL, NULL, NULL);
        if (FD_ISSET(listenfd, &ready)) { /* A new client is waiting */
            int connfd = Accept(listenfd, NULL, NULL);
            FD_SET(connfd, &watched);
            if (connfd > maxfd)
                maxfd = connfd;
        }
        for (int fd = 0; fd <= maxfd; fd++)
            if (fd != listenfd && FD_ISSET(fd, &ready))
                serve_line(fd, &watched);
    }
    /* end excerpt */
}
