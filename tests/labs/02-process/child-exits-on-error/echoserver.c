/* echoserver.c: lab 02 variant, the child exits straight from its echo loop on
 * any error, leaving exit to close connfd (correct). */
#include "csapp.h"

/* In the child: when the client resets (ECONNRESET) or is gone (EPIPE),
 * _exit closes every descriptor of the process, connfd with them. */
static void serve(int connfd)
{
    char line[MAXLINE];
    for (;;) {
        ssize_t n = readline(connfd, line, sizeof line);
        if (n < 0 || (n > 0 && writen(connfd, line, (size_t)n) < 0))
            _exit(1);
        if (n == 0)
            return;
    }
}

static void reap(int sig)
{
    int saved = errno;
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
    errno = saved;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        exit(2);
    }
    int listenfd = Open_listenfd(argv[1]);
    Signal(SIGCHLD, reap);
    for (;;) {
        int connfd = accept(listenfd, NULL, NULL);
        if (connfd < 0) {
            if (errno == EINTR)
                continue;
            unix_error("accept");
        }
        if (Fork() == 0) {
            Close(listenfd);
            serve(connfd);
            Close(connfd);
            exit(0);
        }
        Close(connfd);
    }
}
