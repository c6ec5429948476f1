/* echoserver.c: lab 04 variant, &connfd of a global connfd (bug). */
#include "csapp.h"

/* Bug: one variable for every connection, shared with each new thread. */
int connfd;

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

/* thread - serve the client whose descriptor vargp points to. */
static void *thread(void *vargp)
{
    int fd = *(int *)vargp; /* Bug: the global, maybe overwritten already */
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
    for (;;) {
        pthread_t tid;
        connfd = Accept(listenfd, NULL, NULL);
        Pthread_create(&tid, NULL, thread, &connfd);
    }
}
