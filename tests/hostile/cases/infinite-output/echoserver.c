/* echoserver.c: lab 01 starter with a child that writes to stdout
 * and stderr for ever, after 2 MiB of each from the server itself. */
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
    static char line[4096];
    memset(line, 'x', sizeof line - 1);
    line[sizeof line - 1] = '\n';
    /* 2 MiB on each before it listens, then a child that never stops. */
    for (int i = 0; i < 512; i++) {
        fwrite(line, 1, sizeof line, stdout);
        fwrite(line, 1, sizeof line, stderr);
    }
    fflush(stdout);
    if (fork() == 0)
        for (;;) {
            fwrite(line, 1, sizeof line, stdout);
            fwrite(line, 1, sizeof line, stderr);
        }
    serve(argv[1]);
}
