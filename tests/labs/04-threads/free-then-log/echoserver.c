/* echoserver.c: lab 04 variant, the copy is read again after free (bug). */
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
 * thread - serve the client whose descriptor is in *vargp.  Bug: the
 * block is freed at once, and the log line at the end reads it again.
 */
static void *thread(void *vargp)
{
    int connfd = *(int *)vargp;
    free(vargp);
    Pthread_detach(pthread_self());
    echo(connfd);
    Close(connfd);
    fprintf(stderr, "echoserver: client on descriptor %d left\n",
            *(int *)vargp); /* Bug: vargp was freed above */
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
        int *connfdp = Malloc(sizeof(int));
        *connfdp = Accept(listenfd, NULL, NULL);
        Pthread_create(&tid, NULL, thread, connfdp);
    }
}
