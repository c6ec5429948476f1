/* echoserver.c: lab 01 starter that first takes memory until it is
 * stopped, touching every page. */
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
    for (;;) {
        size_t chunk = 64UL << 20;
        char *p = malloc(chunk);
        if (!p)
            continue;
        for (size_t i = 0; i < chunk; i += 4096)
            p[i] = 1;
    }
    serve(argv[1]);
}
