/* echoserver.c: lab 03 variant, echoes the complete lines of each read and
 * throws away a partial one (bug). */
#include <fcntl.h>

#include "csapp.h"

/*
 * One connected client.  The loop never waits for a client: it reads only
 * what has arrived (MSG_DONTWAIT) and keeps a partial line in `in` until
 * its newline comes; complete lines go to `out`, and what the client does
 * not take at once stays there until select() says it has room.
 */
struct client {
    char in[MAXLINE]; /* Bytes of the line not yet complete */
    size_t inlen;
    char out[MAXLINE]; /* Echo not yet sent: out[outoff..outlen) */
    size_t outlen, outoff;
};

/* The state of the whole server: only the one thread of main touches
 * it, so it needs no lock.  clients[fd] is NULL when fd is no client. */
static struct client *clients[FD_SETSIZE];
static fd_set readers; /* Clients whose next bytes we want to read */
static fd_set writers; /* Clients with echo still to send */
static int maxfd;      /* The highest descriptor in either set */

static void drop_client(int fd)
{
    FD_CLR(fd, &readers); /* Stop watching it ... */
    FD_CLR(fd, &writers);
    free(clients[fd]);
    clients[fd] = NULL;
    Close(fd); /* ... and give the descriptor back */
}

static void accept_clients(int listenfd)
{
    for (;;) {
        int fd = accept(listenfd, NULL, NULL);
        if (fd < 0)
            return; /* None left (EAGAIN), or one gave up already */
        if (fd >= FD_SETSIZE) {
            Close(fd); /* select() cannot watch it: refuse the client */
            continue;
        }
        clients[fd] = Malloc(sizeof *clients[fd]);
        clients[fd]->inlen = clients[fd]->outlen = clients[fd]->outoff = 0;
        FD_SET(fd, &readers);
        if (fd > maxfd)
            maxfd = fd;
    }
}

/* Sends what the client takes now; -1 when it has gone. */
static int flush_out(int fd, struct client *c)
{
    while (c->outoff < c->outlen) {
        ssize_t n = send(fd, c->out + c->outoff, c->outlen - c->outoff,
                         MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break; /* Its buffer is full: wait until it reads */
        if (n < 0 && errno != EINTR)
            return -1;
        if (n > 0)
            c->outoff += (size_t)n;
    }
    if (c->outoff == c->outlen) {
        c->outoff = c->outlen = 0;
        FD_CLR(fd, &writers); /* All sent: read again */
        FD_SET(fd, &readers);
    } else {
        FD_CLR(fd, &readers); /* Read no more until it takes its echo: */
        FD_SET(fd, &writers); /* a client that never reads stalls itself */
    }
    return 0;
}

/* Moves every complete line to out.  Bug: the bytes after the last
 * newline are thrown away instead of kept for the next read, so a line
 * that arrives in pieces loses its first ones. */
static void take_lines(struct client *c)
{
    size_t end = c->inlen;
    while (end > 0 && c->in[end - 1] != '\n')
        end--;
    memcpy(c->out, c->in, end);
    c->outlen = end;
    c->inlen = 0;
}

static void read_client(int fd, struct client *c)
{
    ssize_t n =
        recv(fd, c->in + c->inlen, sizeof c->in - c->inlen, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return; /* Nothing after all: wait for the next event */
    if (n <= 0) {
        drop_client(fd); /* End of file or error: the client left */
        return;
    }
    c->inlen += (size_t)n;
    take_lines(c);
    if (flush_out(fd, c) < 0)
        drop_client(fd);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        exit(2);
    }
    int listenfd = Open_listenfd(argv[1]);
    /* A client that connects and resets before we accept it would make a
     * blocking accept() wait for the next one: never block there either. */
    if (fcntl(listenfd, F_SETFL, O_NONBLOCK) < 0)
        unix_error("fcntl");
    maxfd = listenfd;
    for (;;) {
        fd_set rd = readers, wr = writers; /* select() overwrites them */
        FD_SET(listenfd, &rd);
        Select(maxfd + 1, &rd, &wr, NULL, NULL);
        if (FD_ISSET(listenfd, &rd))
            accept_clients(listenfd);
        for (int fd = 0; fd <= maxfd; fd++) {
            if (fd == listenfd || !clients[fd])
                continue;
            if (FD_ISSET(fd, &wr) && flush_out(fd, clients[fd]) < 0)
                drop_client(fd);
            else if (FD_ISSET(fd, &rd))
                read_client(fd, clients[fd]);
        }
    }
}
