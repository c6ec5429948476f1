/* echoserver.c: lab 04 variant, a pthread cleanup handler closes the connection
 * on every way out (correct). */
#include "csapp.h"

/* The thread's cleanup handler closes the connection whichever way the
 * thread leaves: end of the loop, an error, or pthread_exit. */
static void close_conn(void *p)
{
    Close(*(int *)p);
}

static void *thread(void *vargp)
{
    int connfd = *(int *)vargp;
    free(vargp);
    Pthread_detach(pthread_self());
    pthread_cleanup_push(close_conn, &connfd);
    char line[MAXLINE];
    for (;;) {
        ssize_t n = readline(connfd, line, sizeof line);
        if (n <= 0 || writen(connfd, line, (size_t)n) < 0)
            break;
    }
    pthread_cleanup_pop(1);
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
