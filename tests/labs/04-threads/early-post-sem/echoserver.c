/* echoserver.c: lab 04 variant, a handshake posted too early (bug). */
#include <semaphore.h>

#include "csapp.h"

/* Posted by a new thread to let main accept the next client. */
static sem_t started;

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
    sem_post(&started);         /* Bug: main may accept again now ... */
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
    if (sem_init(&started, 0, 0) < 0)
        unix_error("sem_init");
    for (;;) {
        pthread_t tid;
        connfd = Accept(listenfd, NULL, NULL);
        Pthread_create(&tid, NULL, thread, &connfd);
        while (sem_wait(&started) < 0) /* Until the thread has started */
            if (errno != EINTR)
                unix_error("sem_wait");
    }
}
