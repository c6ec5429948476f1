/* echoserver.c: lab 04 variant, &connfd with an atomic flag set once the
 * copy is made (correct). */
#include <stdatomic.h>

#include "csapp.h"

/* Set by a new thread once it has its own copy of main's connfd. */
static atomic_int copied;

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

/* thread - copy main's connfd, tell main so, then serve that client. */
static void *thread(void *vargp)
{
    int connfd = *(int *)vargp; /* The copy first ... */
    atomic_store(&copied, 1);   /* ... then main may accept again */
    Pthread_detach(pthread_self());
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
    int connfd;
    for (;;) {
        pthread_t tid;
        connfd = Accept(listenfd, NULL, NULL);
        atomic_store(&copied, 0);
        Pthread_create(&tid, NULL, thread, &connfd);
        while (!atomic_load(&copied)) /* Until the thread has its copy */
            sched_yield();
    }
}
