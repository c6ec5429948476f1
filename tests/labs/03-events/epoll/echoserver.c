/* echoserver.c: lab 03 variant, the event loop with epoll (correct). */
#include <fcntl.h>
#include <sys/epoll.h>

#include "csapp.h"

/*
 * One client: the partial line read so far, and echo it has not taken.
 * The epoll entry's data points here; only main's one thread uses it.
 */
struct client {
    int fd;
    char in[MAXLINE];
    size_t inlen;
    char out[MAXLINE];
    size_t outlen, outoff;
};

static int epfd; /* The epoll instance: every client and the listener */

static void watch(struct client *c, uint32_t events, int op)
{
    struct epoll_event ev = {.events = events, .data.ptr = c};
    if (epoll_ctl(epfd, op, c->fd, &ev) < 0)
        unix_error("epoll_ctl");
}

static void drop(struct client *c)
{
    epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
    Close(c->fd);
    free(c);
}

/* Sends what the client takes now; waits for EPOLLOUT for the rest. */
static int flush_out(struct client *c)
{
    while (c->outoff < c->outlen) {
        ssize_t n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
                         MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n < 0 && errno != EINTR)
            return -1;
        if (n > 0)
            c->outoff += (size_t)n;
    }
    if (c->outoff < c->outlen) {
        watch(c, EPOLLOUT, EPOLL_CTL_MOD); /* Read no more meanwhile */
        return 0;
    }
    c->outoff = c->outlen = 0;
    watch(c, EPOLLIN, EPOLL_CTL_MOD);
    return 0;
}

/* Reads what has arrived; complete lines (or a full buffer) go out. */
static int read_in(struct client *c)
{
    ssize_t n = recv(c->fd, c->in + c->inlen, sizeof c->in - c->inlen,
                     MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return 0;
    if (n <= 0)
        return -1; /* End of file or error: the client left */
    c->inlen += (size_t)n;
    size_t end = c->inlen;
    while (end > 0 && c->in[end - 1] != '\n')
        end--;
    if (end == 0 && c->inlen == sizeof c->in)
        end = c->inlen;
    if (end == 0)
        return 0; /* Half a line: keep it until the rest comes */
    memcpy(c->out, c->in, end);
    c->outlen = end;
    memmove(c->in, c->in + end, c->inlen - end);
    c->inlen -= end;
    return flush_out(c);
}

static void accept_all(int listenfd)
{
    int fd;
    while ((fd = accept(listenfd, NULL, NULL)) >= 0) {
        struct client *c = Malloc(sizeof *c);
        c->fd = fd;
        c->inlen = c->outlen = c->outoff = 0;
        watch(c, EPOLLIN, EPOLL_CTL_ADD);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        exit(2);
    }
    int listenfd = Open_listenfd(argv[1]);
    if (fcntl(listenfd, F_SETFL, O_NONBLOCK) < 0)
        unix_error("fcntl");
    if ((epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
        unix_error("epoll_create1");
    /* The listener's entry carries a NULL pointer: no client is NULL. */
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, listenfd, &ev) < 0)
        unix_error("epoll_ctl");
    struct epoll_event ready[64];
    for (;;) {
        int n = epoll_wait(epfd, ready, 64, -1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            unix_error("epoll_wait");
        for (int i = 0; i < n; i++) {
            struct client *c = ready[i].data.ptr;
            if (!c) {
                accept_all(listenfd);
                continue;
            }
            int status = 0;
            if (ready[i].events & EPOLLOUT)
                status = flush_out(c);
            else if (ready[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
                status = read_in(c);
            if (status < 0)
                drop(c);
        }
    }
}
