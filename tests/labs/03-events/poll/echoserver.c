/* echoserver.c: lab 03 variant, the event loop with poll (correct). */
#define _GNU_SOURCE /* accept4 */
#include <fcntl.h>
#include <poll.h>

#include "csapp.h"

enum { MAXCLIENTS = 1024 };

/*
 * Slot i of the poll array and of `clients` is one client; slot 0 is the
 * listener.  A client's sockets are non-blocking, so no call can wait:
 * `in` keeps a partial line, `out` the echo the client has not taken.
 * Only main's one thread touches any of it.
 */
struct client {
    char in[MAXLINE];
    size_t inlen;
    char out[MAXLINE];
    size_t outlen, outoff;
};

static struct pollfd fds[MAXCLIENTS + 1];
static struct client clients[MAXCLIENTS + 1];
static nfds_t nfds = 1;

/* Closes slot i and moves the last slot into it. */
static void drop(nfds_t i)
{
    Close(fds[i].fd);
    nfds--;
    fds[i] = fds[nfds];
    clients[i] = clients[nfds];
}

/* Sends what the client takes now; polls for POLLOUT for the rest. */
static int flush_out(nfds_t i)
{
    struct client *c = &clients[i];
    while (c->outoff < c->outlen) {
        ssize_t n = send(fds[i].fd, c->out + c->outoff,
                         c->outlen - c->outoff, MSG_NOSIGNAL);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n < 0 && errno != EINTR)
            return -1;
        if (n > 0)
            c->outoff += (size_t)n;
    }
    if (c->outoff < c->outlen) {
        fds[i].events = POLLOUT; /* Read no more until it takes this */
    } else {
        c->outoff = c->outlen = 0;
        fds[i].events = POLLIN;
    }
    return 0;
}

/* Reads what has arrived; -1 when the client has left. */
static int read_in(nfds_t i)
{
    struct client *c = &clients[i];
    ssize_t n = read(fds[i].fd, c->in + c->inlen, sizeof c->in - c->inlen);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return 0;
    if (n <= 0)
        return -1;
    c->inlen += (size_t)n;
    size_t end = c->inlen;
    while (end > 0 && c->in[end - 1] != '\n')
        end--;
    if (end == 0 && c->inlen == sizeof c->in)
        end = c->inlen; /* A line longer than the buffer goes in pieces */
    if (end == 0)
        return 0; /* Half a line: wait for the rest */
    memcpy(c->out, c->in, end);
    c->outlen = end;
    memmove(c->in, c->in + end, c->inlen - end);
    c->inlen -= end;
    return flush_out(i);
}

static void accept_all(int listenfd)
{
    int fd;
    while ((fd = accept4(listenfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
        if (nfds > MAXCLIENTS) {
            Close(fd); /* Full: refuse this client */
            continue;
        }
        fds[nfds] = (struct pollfd){.fd = fd, .events = POLLIN};
        clients[nfds].inlen = clients[nfds].outlen = 0;
        clients[nfds].outoff = 0;
        nfds++;
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
    fds[0] = (struct pollfd){.fd = listenfd, .events = POLLIN};
    for (;;) {
        if (poll(fds, nfds, -1) < 0) {
            if (errno == EINTR)
                continue;
            unix_error("poll");
        }
        if (fds[0].revents & POLLIN)
            accept_all(listenfd);
        /* Backwards: drop() moves the last slot into i, already seen.
         * Slots added by accept_all have revents 0 (or stale zeros). */
        for (nfds_t i = nfds - 1; i >= 1; i--) {
            short ev = fds[i].revents;
            fds[i].revents = 0;
            int status = 0;
            if (ev & POLLOUT)
                status = flush_out(i);
            else if (ev & (POLLIN | POLLHUP | POLLERR))
                status = read_in(i);
            if (status < 0)
                drop(i);
        }
    }
}
