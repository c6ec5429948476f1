/* echoserver.c: lab 04 variant, each connection closed as soon as it is accepted. */
#include "csapp.h"

/*
 * Bug: the server accepts and closes every connection without serving
 * it: nothing is ever echoed, no thread is created, so there is nothing
 * to leak.  Its run stops at the first client, so the leak checks are
 * not measured and must not give it their points.
 */
int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        exit(2);
    }
    int listenfd = Open_listenfd(argv[1]);
    for (;;) {
        int connfd = Accept(listenfd, NULL, NULL);
        Close(connfd);
    }
}
