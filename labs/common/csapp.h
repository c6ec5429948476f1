/* csapp.h: CS:APP-style helpers shared by the server labs and solutions. */
#ifndef LABS_CSAPP_H
#define LABS_CSAPP_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAXLINE 8192 /* longest line a server reads at once */
#define LISTENQ 1024 /* accept queue length asked of listen() */

typedef struct sockaddr SA;
typedef void handler_t(int);

/*
 * The Capitalized wrappers call the system function and, when it fails,
 * print "name: reason" and exit with status 1.  That keeps the lab code
 * short; it is right for calls whose failure leaves the server unable to
 * go on (socket, bind, fork, malloc), and wrong for a single client's
 * trouble: that is why readline() and writen() below return -1 instead.
 */
void unix_error(const char *msg);
void posix_error(int code, const char *msg);

/* Sockets */
int Socket(int domain, int type, int protocol);
void Setsockopt(int fd, int level, int name, const void *val, socklen_t len);
void Bind(int fd, const SA *addr, socklen_t len);
void Listen(int fd, int backlog);
int Accept(int fd, SA *addr, socklen_t *len); /* exits on EINTR too */
void Close(int fd);
int Select(int n, fd_set *rd, fd_set *wr, fd_set *ex, struct timeval *tv);

/* A socket listening on 127.0.0.1 and every other local address at
 * `port`; -1 with errno set on failure.  Open_listenfd exits instead. */
int open_listenfd(const char *port);
int Open_listenfd(const char *port);

/* Processes and signals */
pid_t Fork(void);
/*
 * Installs `handler` for `sig` with sigaction, WITHOUT SA_RESTART: a slow
 * system call (accept, read) that the signal interrupts fails with EINTR
 * instead of being restarted, and the caller has to deal with that.
 * Blocks `sig` itself while the handler runs.  Returns the old handler.
 */
handler_t *Signal(int sig, handler_t *handler);

/* Threads */
void Pthread_create(pthread_t *tid, const pthread_attr_t *attr,
                    void *(*fn)(void *), void *arg);
void Pthread_detach(pthread_t tid);

/* Memory */
void *Malloc(size_t size);

/*
 * Per-connection I/O.  readline() reads one byte at a time until it has
 * read a newline (kept), max-1 bytes, or end of file, and NUL-terminates:
 * it returns the number of bytes read, 0 at end of file before any byte,
 * -1 on error.  It keeps no buffer of its own, so nothing it read hides
 * from select(), but it blocks until the whole line has arrived.
 * writen() writes all n bytes (blocking), returns n or -1 on error; it
 * uses MSG_NOSIGNAL, so a client that has gone away gives EPIPE rather
 * than a SIGPIPE that kills the whole server.  Both retry after EINTR.
 */
ssize_t readline(int fd, char *buf, size_t max);
ssize_t writen(int fd, const char *buf, size_t n);

#endif
