/* echoserver.c: lab 04, a thread-per-connection echo server (solution). */
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

/*
 * thread - serve the client whose descriptor is in the block vargp
 * points to.  The block is this thread's own: main allocated it for this
 * client alone and never touches it again, so reading it needs no lock;
 * freeing it is this thread's job.
 */
static void *thread(void *vargp)
{
    int connfd = *(int *)vargp;
    free(vargp);                    /* Our copy, read: nobody else uses it */
    Pthread_detach(pthread_self()); /* No one joins us: free all at exit */
    echo(connfd);
    Close(connfd); /* The client sees EOF; the number can be reused */
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
