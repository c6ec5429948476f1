/* echoserver.c: lab 04 variant, &connfd of a static local (bug). */
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

/* thread - serve the client whose descriptor vargp points to. */
static void *thread(void *vargp)
{
    int fd = *(int *)vargp; /* Bug: serve_forever's one static variable */
    Pthread_detach(pthread_self());
    echo(fd);
    close(fd); /* close, not Close: two threads may share one fd */
    return NULL;
}

/* serve_forever - accept clients on listenfd, one thread each. */
static void serve_forever(int listenfd)
{
    static int connfd; /* Bug: static, so one variable for all clients */
    for (;;) {
        pthread_t tid;
        connfd = Accept(listenfd, NULL, NULL);
        Pthread_create(&tid, NULL, thread, &connfd);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        exit(2);
    }
    int listenfd = Open_listenfd(argv[1]);
    serve_forever(listenfd);
}
