/* tcp_client.c: a line client of a TCP server on 127.0.0.1. */
#include "lib/tcp_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/clock.h"

/* Milliseconds left until deadline (rl_now() seconds), at least 0. */
static int left_ms(double deadline)
{
    int ms = (int)((deadline - rl_now()) * 1000);
    return ms > 0 ? ms : 0;
}

static struct sockaddr_in loopback(unsigned port)
{
    return (struct sockaddr_in){.sin_family = AF_INET,
                                .sin_port = htons((uint16_t)port),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
}

int rl_tcp_connect_start(int fd, unsigned port)
{
    struct sockaddr_in a = loopback(port);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0 &&
        errno != EINPROGRESS)
        return -1;
    return 0;
}

int rl_tcp_connect_done(int fd, int wait_ms)
{
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    int err = 0;
    socklen_t len = sizeof err;
    if (poll(&p, 1, wait_ms) <= 0)
        return 0;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
        return -1;
    if (err != 0) {
        errno = err;
        return -1;
    }
    return 1;
}

int rl_tcp_connect(int fd, unsigned port, int wait_ms)
{
    struct sockaddr_in a = loopback(port);
    if (wait_ms < 0)
        return connect(fd, (struct sockaddr *)&a, sizeof a) == 0 ? 0 : -1;
    int flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    int rc = connect(fd, (struct sockaddr *)&a, sizeof a);
    if (rc != 0 && errno == EINPROGRESS) {
        int done = rl_tcp_connect_done(fd, wait_ms);
        if (done == 1)
            rc = 0;
        else if (done == 0)
            errno = ETIMEDOUT;
    }
    int e = errno;
    fcntl(fd, F_SETFL, flags);
    errno = e;
    return rc == 0 ? 0 : -1;
}

int rl_tcp_send_all(int fd, const void *buf, size_t len, int wait_ms)
{
    const char *p = buf;
    double deadline = rl_now() + wait_ms / 1000.0;
    while (len > 0 && rl_now() < deadline) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
        } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
            return -1;
        } else {
            struct pollfd w = {.fd = fd, .events = POLLOUT};
            poll(&w, 1, 10);
        }
    }
    return len == 0 ? 0 : -1;
}

int rl_tcp_read_line(int fd, char *buf, size_t len, int wait_ms)
{
    size_t got;
    return rl_tcp_read_line_n(fd, buf, len, wait_ms, &got);
}

int rl_tcp_read_line_n(int fd, char *buf, size_t len, int wait_ms, size_t *got)
{
    size_t used = 0;
    double deadline = rl_now() + wait_ms / 1000.0;
    buf[0] = '\0';
    while (used + 1 < len) {
        int left = left_ms(deadline);
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&p, 1, left) <= 0) {
            buf[used] = '\0';
            *got = used;
            return -1;
        }
        /* A byte at a time: what follows the newline stays unread. */
        ssize_t n = read(fd, buf + used, 1);
        if (n <= 0) {
            buf[used] = '\0';
            *got = used;
            return -2;
        }
        if (buf[used++] == '\n')
            break;
    }
    buf[used] = '\0';
    *got = used;
    return 0;
}

int rl_tcp_sees_eof(int fd, int wait_ms)
{
    char buf[256];
    double deadline = rl_now() + wait_ms / 1000.0;
    shutdown(fd, SHUT_WR);
    for (;;) {
        int left = left_ms(deadline);
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&p, 1, left) <= 0)
            return 0;
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0)
            return 1; /* end-of-file, or a reset: the server let go */
    }
}

unsigned rl_tcp_local_port(int fd)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    if (getsockname(fd, (struct sockaddr *)&a, &len) != 0)
        return 0;
    return ntohs(a.sin_port);
}
