/* echoserver.c: lab 04 variant, &connfd with a handshake on a condition
 * variable, signalled once the copy is made (correct). */
#include "csapp.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t copied_cond = PTHREAD_COND_INITIALIZER;
static int copied; /* guarded by lock: the new thread has its copy */

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
    pthread_mutex_lock(&lock);
    int connfd = *(int *)vargp; /* The copy first ... */
    copied = 1;                 /* ... then main may accept again */
    pthread_cond_signal(&copied_cond);
    pthread_mutex_unlock(&lock);
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
        pthread_mutex_lock(&lock);
        copied = 0;
        Pthread_create(&tid, NULL, thread, &connfd);
        while (!copied) /* Until the thread has its copy */
            pthread_cond_wait(&copied_cond, &lock);
        pthread_mutex_unlock(&lock);
    }
}
