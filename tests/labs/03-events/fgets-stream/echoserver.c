/* echoserver.c: lab 03 variant, select loop reading with fgets (bug). */
#include "csapp.h"

/* One input stream per client descriptor, NULL when fd is no client. */
static FILE *streams[FD_SETSIZE];

/*
 * serve_line - answer a readable client.  Bug: fgets reads until it has a
 * whole line, so a client that sent half a line holds up every client;
 * and what stdio has buffered ahead is invisible to select.
 */
static void serve_line(int fd, fd_set *watched)
{
    char line[MAXLINE];
    if (!fgets(line, sizeof line, streams[fd])) {
        FD_CLR(fd, watched);
        fclose(streams[fd]); /* Closes fd too */
        streams[fd] = NULL;
        return;
    }
    writen(fd, line, strlen(line));
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        exit(2);
    }
    int listenfd = Open_listenfd(argv[1]);
    fd_set watched;
    FD_ZERO(&watched);
    FD_SET(listenfd, &watched);
    int maxfd = listenfd;
    for (;;) {
        fd_set ready = watched;
        Select(maxfd + 1, &ready, NULL, NULL, NULL);
        if (FD_ISSET(listenfd, &ready)) {
            int connfd = Accept(listenfd, NULL, NULL);
            if (connfd >= FD_SETSIZE || !(streams[connfd] =
                                              fdopen(connfd, "r"))) {
                Close(connfd);
                continue;
            }
            FD_SET(connfd, &watched);
            if (connfd > maxfd)
                maxfd = connfd;
        }
        for (int fd = 0; fd <= maxfd; fd++)
            if (fd != listenfd && FD_ISSET(fd, &ready))
                serve_line(fd, &watched);
    }
}
