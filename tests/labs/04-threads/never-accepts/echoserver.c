/* echoserver.c: lab 04 variant, a server that listens but never accepts. */
#include "csapp.h"

/*
 * Bug: the server listens and then only sleeps: clients connect (the
 * kernel completes the handshake into the backlog) but are never
 * served.  Nothing it does can leak, and nothing is measured: it must
 * not score above the starter.
 */
int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        exit(2);
    }
    int listenfd = Open_listenfd(argv[1]);
    (void)listenfd;
    for (;;)
        pause();
}
