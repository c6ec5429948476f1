/* echoserver.c: lab 04 variant, &connfd with a handshake (correct). */
#include <semaphore.h>

#include "csapp.h"

/* Posted by a new thread once it has its own copy of main's connfd:
 * until then main must not accept again (that would overwrite it). */
static sem_t copied;

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
 * thread - serve the client whose descriptor vargp points to: main's own
 * connfd, which stays put until this thread says it has read it.
 */
static void *thread(void *vargp)
{
    int connfd = *(int *)vargp; /* Copy main's connfd ...             */
    sem_post(&copied);          /* ... then let main accept the next */
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
    if (sem_init(&copied, 0, 0) < 0)
        unix_error("sem_init");
    for (;;) {
        pthread_t tid;
        connfd = Accept(listenfd, NULL, NULL);
        Pthread_create(&tid, NULL, thread, &connfd);
        while (sem_wait(&copied) < 0) /* Until the thread has its copy */
            if (errno != EINTR)
                unix_error("sem_wait");
    }
}
