/* echoserver.c: lab 04 variant, a ring of 2 slots for any number of
 * clients (bug). */
#include "csapp.h"

#define NSLOTS 2

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
    int fd = *(int *)vargp; /* Bug: the slot is reused by the 3rd client */
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
    int slots[NSLOTS];
    unsigned i = 0;
    for (;;) {
        pthread_t tid;
        int *slot = &slots[i++ % NSLOTS]; /* Bug: wraps while still in use */
        *slot = Accept(listenfd, NULL, NULL);
        Pthread_create(&tid, NULL, thread, slot);
    }
}
