/* echoserver.c: lab 04 variant, a started flag set too early (bug). */
#include <stdatomic.h>

#include "csapp.h"

/* Set by a new thread to let main accept the next client. */
static atomic_int started;

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
    atomic_store(&started, 1);  /* Bug: main may accept again now ... */
    int connfd = *(int *)vargp; /* ... and overwrite this first */
    Pthread_detach(pthread_self());
    echo(connfd);
    close(connfd); /* close, not Close: two threads may share one fd */
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
        atomic_store(&started, 0);
        Pthread_create(&tid, NULL, thread, &connfd);
        while (!atomic_load(&started)) /* Until the thread has started */
            sched_yield();
    }
}
