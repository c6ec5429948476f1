/* echoserver.c: lab 01 starter that ignores SIGTERM, SIGINT and SIGHUP:
 * only SIGKILL can end it. */
#include "csapp.h"
#include <sys/prctl.h>

/* As the starter: echo() does nothing, each client is closed. */
static void echo(int connfd)
{
    (void)connfd;
}

static void serve(const char *port)
{
    int listenfd = Open_listenfd((char *)port);
    for (;;) {
        struct sockaddr_storage addr;
        socklen_t len = sizeof addr;
        int connfd = Accept(listenfd, (SA *)&addr, &len);
        echo(connfd);
        Close(connfd);
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
    signal(SIGTERM, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    serve(argv[1]);
}
