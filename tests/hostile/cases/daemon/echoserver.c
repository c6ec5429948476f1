/* echoserver.c: lab 02 starter plus a daemon: setsid and a double
 * fork, a grandchild that ignores SIGTERM and SIGHUP and never ends. */
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
    pid_t first = fork();
    if (first == 0) {
        setsid();
        if (fork() == 0) {
            signal(SIGTERM, SIG_IGN);
            signal(SIGHUP, SIG_IGN);
            close(0);
            close(1);
            close(2);
            for (;;)
                pause();
        }
        _exit(0);
    }
    waitpid(first, NULL, 0);
    serve(argv[1]);
}
