/* echoserver.c: lab 02, a server that listens and never accepts: its
 * clients wait in the backlog, nothing is ever served, so no child is
 * left unreaped and no descriptor leaks. */
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
    (void)listenfd;
    for (;;)
        pause();
}
