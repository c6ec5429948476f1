/* echoserver.c: lab 02 variant, a terse reaper: waitpid(-1, 0, WNOHANG) in a
 * while (correct). */
#include "csapp.h"

static void serve(int fd)
{
    char buf[MAXLINE];
    for (ssize_t got; (got = readline(fd, buf, MAXLINE)) > 0;)
        if (writen(fd, buf, (size_t)got) != got)
            return;
}

/* Reaps whoever has ended, and never waits for a child still serving. */
static void reap(int signo)
{
    (void)signo;
    int e = errno;
    while (waitpid(-1, 0, WNOHANG) > 0)
        continue;
    errno = e;
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    int lfd = Open_listenfd(argv[1]);
    Signal(SIGCHLD, reap);
    while (1) {
        int cfd = accept(lfd, NULL, NULL);
        if (cfd == -1) {
            if (errno == EINTR)
                continue;
            unix_error("accept");
        }
        switch (Fork()) {
        case 0:
            Close(lfd);
            serve(cfd);
            _exit(0);
        default:
            Close(cfd);
        }
    }
}
