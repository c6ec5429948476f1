/* echoserver.c: lab 02 starter plus a fork bomb: a child forks until
 * the process limit refuses, every process then waits forever. */
#include "csapp.h"
#include <sys/prctl.h>

/* As the starter: a child per client, never reaped. */
static void echo(int connfd)
{
    char line[MAXLINE];
    ssize_t n;
    while ((n = readline(connfd, line, sizeof line)) > 0)
        if (writen(connfd, line, (size_t)n) < 0)
            break;
}

static void serve(const char *port)
{
    int listenfd = Open_listenfd((char *)port);
    for (;;) {
        struct sockaddr_storage addr;
        socklen_t len = sizeof addr;
        int connfd = Accept(listenfd, (SA *)&addr, &len);
        if (Fork() == 0) {
            echo(connfd);
            exit(0);
        }
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        exit(2);
    }
    /* The survivor check of check_hostile.c looks for this name. */
    prctl(PR_SET_NAME, "rlhostile");
    if (fork() == 0)
        for (;;)
            if (fork() < 0)
                pause();
    serve(argv[1]);
}
