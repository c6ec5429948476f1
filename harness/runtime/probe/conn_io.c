/* conn_io.c: the probe's wrappers of the calls that use a descriptor, so
 * that accept_hold.c learns which descriptor a held connection thread read
 * from its argument (the first it uses after its handshake). */
#include <stdio.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include "probe_conn.h"

ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen);
ssize_t __recv_chk(int fd, void *buf, size_t n, size_t buflen, int flags);
ssize_t __recvfrom_chk(int fd, void *buf, size_t n, size_t buflen, int flags,
                       struct sockaddr *from, socklen_t *fromlen);

#define REAL(name)                                                             \
    ({                                                                         \
        static __typeof__(name) *real_##name;                                  \
        if (!real_##name)                                                      \
            real_##name = (__typeof__(name) *)rlp_real(#name);                 \
        real_##name;                                                           \
    })

/* Notes fd, then makes the real call with the same arguments. */
#define USES(fd, name, ...)                                                    \
    do {                                                                       \
        rlp_conn_using(fd);                                                    \
        return REAL(name)(__VA_ARGS__);                                        \
    } while (0)

ssize_t read(int fd, void *buf, size_t n)
{
    USES(fd, read, fd, buf, n);
}

ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen)
{
    USES(fd, __read_chk, fd, buf, n, buflen);
}

ssize_t write(int fd, const void *buf, size_t n)
{
    USES(fd, write, fd, buf, n);
}

ssize_t readv(int fd, const struct iovec *iov, int n)
{
    USES(fd, readv, fd, iov, n);
}

ssize_t writev(int fd, const struct iovec *iov, int n)
{
    USES(fd, writev, fd, iov, n);
}

ssize_t recv(int fd, void *buf, size_t n, int flags)
{
    USES(fd, recv, fd, buf, n, flags);
}

ssize_t __recv_chk(int fd, void *buf, size_t n, size_t buflen, int flags)
{
    USES(fd, __recv_chk, fd, buf, n, buflen, flags);
}

ssize_t recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *from,
                 socklen_t *fromlen)
{
    USES(fd, recvfrom, fd, buf, n, flags, from, fromlen);
}

ssize_t __recvfrom_chk(int fd, void *buf, size_t n, size_t buflen, int flags,
                       struct sockaddr *from, socklen_t *fromlen)
{
    USES(fd, __recvfrom_chk, fd, buf, n, buflen, flags, from, fromlen);
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
    USES(fd, recvmsg, fd, msg, flags);
}

ssize_t send(int fd, const void *buf, size_t n, int flags)
{
    USES(fd, send, fd, buf, n, flags);
}

ssize_t sendto(int fd, const void *buf, size_t n, int flags,
               const struct sockaddr *to, socklen_t tolen)
{
    USES(fd, sendto, fd, buf, n, flags, to, tolen);
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
    USES(fd, sendmsg, fd, msg, flags);
}

int shutdown(int fd, int how)
{
    USES(fd, shutdown, fd, how);
}

FILE *fdopen(int fd, const char *mode)
{
    USES(fd, fdopen, fd, mode);
}
