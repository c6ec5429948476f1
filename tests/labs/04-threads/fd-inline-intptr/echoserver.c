/* echoserver.c: lab 04 variant, accept's result cast through intptr_t
 * straight into pthread_create (correct). */
#include <stdint.h>

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

/* thread - serve the client whose descriptor is vargp's value. */
static void *thread(void *vargp)
{
    int connfd = (int)(intptr_t)vargp; /* A number, not an address */
    echo(connfd);
    Close(connfd);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        exit(2);
    }
    int listenfd = Open_listenfd(argv[1]);
    pthread_attr_t detached;
    pthread_attr_init(&detached);
    pthread_attr_setdetachstate(&detached, PTHREAD_CREATE_DETACHED);
    for (;;) {
        pthread_t tid;
        Pthread_create(&tid, &detached, thread,
                       (void *)(intptr_t)Accept(listenfd, NULL, NULL));
    }
}
