/* echoserver.c: lab 04 variant, the thread returns when writen fails and never
 * closes its connection (bug). */
#include "csapp.h"

/*
 * thread - serve one client.  Bug: when writen fails (the client reset
 * its connection, EPIPE) it returns straight away, past the Close.
 */
static void *thread(void *vargp)
{
    int connfd = *(int *)vargp;
    free(vargp);
    Pthread_detach(pthread_self());
    char line[MAXLINE];
    ssize_t n;
    while ((n = readline(connfd, line, sizeof line)) > 0)
        if (writen(connfd, line, (size_t)n) < 0)
            return NULL; /* Bug: connfd is never closed */
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
    for (;;) {
        pthread_t tid;
        /* A fresh block per client, which the next accept cannot
         * overwrite: its thread owns it from here on. */
        int *connfdp = Malloc(sizeof(int));
        *connfdp = Accept(listenfd, NULL, NULL);
        Pthread_create(&tid, NULL, thread, connfdp);
    }
}
