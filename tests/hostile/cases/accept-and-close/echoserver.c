/* echoserver.c: lab 02, a server that accepts every client and closes it
 * at once: no child, no leak, nothing served. */
#include "csapp.h"
#include <sys/prctl.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        exit(2);
    }
    prctl(PR_SET_NAME, "rlhostile");
    int listenfd = Open_listenfd(argv[1]);
    for (;;)
        Close(Accept(listenfd, NULL, NULL));
}
