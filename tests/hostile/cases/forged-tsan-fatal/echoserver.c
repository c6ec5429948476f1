/* echoserver.c: lab 04's tests/labs variant copy-never-freed (it leaks
 * the descriptor's copy per client), which first writes a fatal error of
 * ThreadSanitizer's into the log file TSan would write in its folder: it
 * made racelab exit 3 ("internal error").  TSan's checks are then not
 * measured; it must not gain a point. */
#include "csapp.h"
#include <sys/prctl.h>

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
 * thread - serve the client whose descriptor is in *vargp.  Bug: the
 * block is never freed; once read, no pointer to it is left.
 */
static void *thread(void *vargp)
{
    int connfd = *(int *)vargp; /* Bug: no free(vargp) after this */
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
    prctl(PR_SET_NAME, "rlhostile");
    FILE *log = fopen("tsan.99", "w");
    if (log) {
        fputs("FATAL: ThreadSanitizer: forged by the program\n", log);
        fclose(log);
    }
    int listenfd = Open_listenfd(argv[1]);
    for (;;) {
        pthread_t tid;
        int *connfdp = Malloc(sizeof(int));
        *connfdp = Accept(listenfd, NULL, NULL);
        Pthread_create(&tid, NULL, thread, connfdp);
    }
}
