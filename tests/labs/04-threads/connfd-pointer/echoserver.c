/* echoserver.c: lab 04 variant, every thread gets &connfd (bug). */
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
 * thread - serve the client whose descriptor vargp points to.  It detaches
 * itself and closes its descriptor, as it should.  Bug: vargp points at
 * main's connfd, which the next accept overwrites, maybe before this
 * thread has read it.  (close, not Close: when two threads serve one
 * descriptor, the second close fails, and Close would end the server.)
 */
static void *thread(void *vargp)
{
    int connfd = *(int *)vargp; /* Bug: main's variable, not our copy */
    Pthread_detach(pthread_self());
    echo(connfd);
    close(connfd);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        exit(2);
    }
    int listenfd = Open_listenfd(argv[1]);
    int connfd;
    for (;;) {
        pthread_t tid;
        connfd = Accept(listenfd, NULL, NULL);
        Pthread_create(&tid, NULL, thread, &connfd); /* Bug: &connfd */
    }
}
