/* echoserver.c: lab 04 variant, the descriptor passed by value in the pointer (correct). */
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
 * thread - serve the client whose descriptor is the value of vargp
 * itself: main passed the number, not an address, so there is nothing
 * the next accept could overwrite and nothing to free.
 */
static void *thread(void *vargp)
{
    int connfd = (int)(intptr_t)vargp;
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
    for (;;) {
        pthread_t tid;
        int connfd = Accept(listenfd, NULL, NULL);
        Pthread_create(&tid, NULL, thread, (void *)(intptr_t)connfd);
    }
}
