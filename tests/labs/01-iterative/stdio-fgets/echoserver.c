/* echoserver.c: lab 01 variant, the echo loop with stdio (correct). */
#include "csapp.h"

/*
 * echo - the same loop through stdio: fgets from one stream, fputs to
 * another (a stream open for both directions needs a seek between a read
 * and a write, and a socket cannot seek).  Each stream owns a duplicate
 * of connfd, so fclose closes only those and main still closes connfd.
 * The output stream is fully buffered: flush every line, or the client
 * waits for its echo.
 */
static void echo(int connfd)
{
    FILE *in = fdopen(dup(connfd), "r");
    FILE *out = fdopen(dup(connfd), "w");
    char line[MAXLINE];
    while (in && out && fgets(line, sizeof line, in))
        if (fputs(line, out) == EOF || fflush(out) == EOF)
            break; /* The client went away */
    if (in)
        fclose(in);
    if (out)
        fclose(out);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        exit(2);
    }
    int listenfd = Open_listenfd(argv[1]);
    for (;;) {
        int connfd = Accept(listenfd, NULL, NULL);
        echo(connfd);
        Close(connfd);
    }
}
