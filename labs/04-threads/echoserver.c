/* echoserver.c: lab 04, a thread-per-connection echo server (starter). */
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

/* excerpt: peer-thread */
/* thread - serve the client whose descriptor vargp points to. */
static void *thread(void *vargp)
{
    int connfd = *(int *)vargp; /* Read main's connfd variable */
    echo(connfd);
    return NULL;
}
/* end excerpt */

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        exit(2);
    }
    int listenfd = Open_listenfd(argv[1]);
    /* excerpt: accept-loop */
    int connfd; /* Shared with every peer thread through &connfd */
    for (;;) {
        pthread_t tid;
        connfd = Accept(listenfd, NULL, NULL);
        Pthread_create(&tid, NULL, thread, &connfd); /* One thread a client */
    }
    /* end excerpt */
}
