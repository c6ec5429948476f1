/* echoserver.c: lab 04 variant, a struct reused for every client (bug). */
#include "csapp.h"

/* What a connection thread needs to know about its client. */
struct client {
    int connfd;
    struct sockaddr_storage addr;
    socklen_t addrlen;
};

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

/* thread - serve the client that vargp describes. */
static void *thread(void *vargp)
{
    struct client *c = vargp;
    int fd = c->connfd; /* Bug: main's one struct, refilled by each accept */
    Pthread_detach(pthread_self());
    echo(fd);
    close(fd); /* close, not Close: two threads may share one fd */
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        exit(2);
    }
    int listenfd = Open_listenfd(argv[1]);
    struct client c; /* Bug: one struct for all clients */
    for (;;) {
        pthread_t tid;
        c.addrlen = sizeof c.addr;
        c.connfd = Accept(listenfd, (SA *)&c.addr, &c.addrlen);
        Pthread_create(&tid, NULL, thread, &c);
    }
}
