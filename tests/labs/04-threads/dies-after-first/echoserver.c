/* echoserver.c: lab 04 variant, a server that exits after its first client. */
#include "csapp.h"

static void echo(int connfd)
{
    char line[MAXLINE];
    ssize_t n;
    while ((n = readline(connfd, line, sizeof line)) > 0)
        if (writen(connfd, line, (size_t)n) < 0)
            break;
}

/*
 * Bug: the thread never closes its connection, and main returns once
 * the first client is served (it joins the thread and leaves the loop),
 * so the process ends before the rounds of clients that would show the
 * descriptors piling up.  The fd-leak check is not measured, not passed.
 */
static void *thread(void *vargp)
{
    int connfd = *(int *)vargp;
    free(vargp);
    echo(connfd);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        exit(2);
    }
    int listenfd = Open_listenfd(argv[1]);
    pthread_t tid;
    int *connfdp = Malloc(sizeof *connfdp);
    *connfdp = Accept(listenfd, NULL, NULL);
    Pthread_create(&tid, NULL, thread, connfdp);
    pthread_join(tid, NULL);
    return 0;
}
