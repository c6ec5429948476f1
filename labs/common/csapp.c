/* csapp.c: CS:APP-style helpers shared by the server labs and solutions. */
#include "csapp.h"

void unix_error(const char *msg)
{
    fprintf(stderr, "%s: %s\n", msg, strerror(errno));
    exit(1);
}

void posix_error(int code, const char *msg)
{
    fprintf(stderr, "%s: %s\n", msg, strerror(code));
    exit(1);
}

int Socket(int domain, int type, int protocol)
{
    int fd = socket(domain, type, protocol);
    if (fd < 0)
        unix_error("socket");
    return fd;
}

void Setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
    if (setsockopt(fd, level, name, val, len) < 0)
        unix_error("setsockopt");
}

void Bind(int fd, const SA *addr, socklen_t len)
{
    if (bind(fd, addr, len) < 0)
        unix_error("bind");
}

void Listen(int fd, int backlog)
{
    if (listen(fd, backlog) < 0)
        unix_error("listen");
}

int Accept(int fd, SA *addr, socklen_t *len)
{
    int connfd = accept(fd, addr, len);
    if (connfd < 0)
        unix_error("accept");
    return connfd;
}

void Close(int fd)
{
    if (close(fd) < 0)
        unix_error("close");
}

int Select(int n, fd_set *rd, fd_set *wr, fd_set *ex, struct timeval *tv)
{
    int ready = select(n, rd, wr, ex, tv);
    if (ready < 0)
        unix_error("select");
    return ready;
}

int open_listenfd(const char *port)
{
    char *end;
    long p = strtol(port, &end, 10);
    if (*port == '\0' || *end != '\0' || p <= 0 || p > 65535) {
        errno = EINVAL;
        return -1;
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    /* Lets a restarted server bind at once, while old connections to the
     * port are still in TIME_WAIT. */
    int on = 1;
    struct sockaddr_in addr = {.sin_family = AF_INET,
                               .sin_port = htons((unsigned short)p),
                               .sin_addr.s_addr = htonl(INADDR_ANY)};
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0 ||
        bind(fd, (SA *)&addr, sizeof addr) < 0 || listen(fd, LISTENQ) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int Open_listenfd(const char *port)
{
    int fd = open_listenfd(port);
    if (fd < 0) {
        fprintf(stderr, "cannot listen on port '%s': %s\n", port,
                strerror(errno));
        exit(1);
    }
    return fd;
}

pid_t Fork(void)
{
    pid_t pid = fork();
    if (pid < 0)
        unix_error("fork");
    return pid;
}

handler_t *Signal(int sig, handler_t *handler)
{
    struct sigaction action, old;
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask); /* Block only sig itself (the default) */
    action.sa_flags = 0;          /* No SA_RESTART: see csapp.h */
    if (sigaction(sig, &action, &old) < 0)
        unix_error("sigaction");
    return old.sa_handler;
}

void Pthread_create(pthread_t *tid, const pthread_attr_t *attr,
                    void *(*fn)(void *), void *arg)
{
    int rc = pthread_create(tid, attr, fn, arg);
    if (rc != 0)
        posix_error(rc, "pthread_create");
}

void Pthread_detach(pthread_t tid)
{
    int rc = pthread_detach(tid);
    if (rc != 0)
        posix_error(rc, "pthread_detach");
}

void *Malloc(size_t size)
{
    void *p = malloc(size);
    if (!p)
        unix_error("malloc");
    return p;
}

ssize_t readline(int fd, char *buf, size_t max)
{
    size_t n = 0;
    while (n + 1 < max) {
        char c;
        ssize_t rc = read(fd, &c, 1);
        if (rc < 0 && errno == EINTR)
            continue; /* Interrupted by a signal handler: read again */
        if (rc < 0)
            return -1;
        if (rc == 0)
            break; /* End of file */
        buf[n++] = c;
        if (c == '\n')
            break;
    }
    buf[n] = '\0';
    return (ssize_t)n;
}

ssize_t writen(int fd, const char *buf, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t rc = send(fd, buf + done, n - done, MSG_NOSIGNAL);
        if (rc < 0 && errno == EINTR)
            continue; /* Interrupted by a signal handler: write again */
        if (rc < 0)
            return -1;
        done += (size_t)rc;
    }
    return (ssize_t)n;
}
