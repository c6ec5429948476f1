/* echoserver.c: lab 04 variant, a malloc'd struct per client (correct). */
#include "csapp.h"

/* What a connection thread needs to know about its client: one each. */
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

/* thread - serve the client that vargp describes, then free it. */
static void *thread(void *vargp)
{
    struct client *c = vargp; /* This thread's own struct */
    Pthread_detach(pthread_self());
    echo(c->connfd);
    Close(c->connfd);
    free(c);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        exit(2);
    }
    int listenfd = Open_listenfd(argv[1]);
    for (;;) {
        pthread_t tid;
        struct client *c = Malloc(sizeof *c); /* A fresh one per client */
        c->addrlen = sizeof c->addr;
        c->connfd = Accept(listenfd, (SA *)&c->addr, &c->addrlen);
        Pthread_create(&tid, NULL, thread, c);
    }
}
