/* tcp_client.h: a line client of a TCP server on 127.0.0.1, for driving
 * the user's servers: connect with a timeout, send, read a line with a
 * deadline.  The socket comes from the caller (rl_sandbox_socket makes
 * one inside the server's network namespace). */
#ifndef RACELAB_TCP_CLIENT_H
#define RACELAB_TCP_CLIENT_H

#include <stddef.h>

/* Connects fd to 127.0.0.1:port.  wait_ms < 0: a blocking connect.
 * Otherwise without blocking, at most wait_ms for it to complete, fd's
 * flags restored after: a server that stopped accepting lets its accept
 * queue fill, the kernel then drops new SYNs, and a blocking connect
 * would wait for TCP's retries (about two minutes).  0, or -1 with errno
 * (ETIMEDOUT when the time ran out); fd stays the caller's to close. */
int rl_tcp_connect(int fd, unsigned port, int wait_ms);

/* Starts a connect on a non-blocking fd: 0 done or under way, -1. */
int rl_tcp_connect_start(int fd, unsigned port);
/* 1 once fd's connect has completed, 0 while it is still under way after
 * wait_ms, -1 when it failed. */
int rl_tcp_connect_done(int fd, int wait_ms);

/* Sends all len bytes within wait_ms, without SIGPIPE: 0, or -1. */
int rl_tcp_send_all(int fd, const void *buf, size_t len, int wait_ms);

/* Reads one line (at most len-1 bytes, its newline kept) within wait_ms,
 * never past its newline: 0; -1 when the time ran out; -2 at end of file
 * or on an error.  buf always holds what came, which is consumed. */
int rl_tcp_read_line(int fd, char *buf, size_t len, int wait_ms);
/* The same, with the bytes read in *got: a NUL the server sent is one
 * of them, not the end of the text. */
int rl_tcp_read_line_n(int fd, char *buf, size_t len, int wait_ms, size_t *got);

/* Shuts fd's sending side: 1 when end-of-file (or a reset) then comes
 * within wait_ms, whatever data comes first; else 0. */
int rl_tcp_sees_eof(int fd, int wait_ms);

/* The local port fd is bound to, or 0. */
unsigned rl_tcp_local_port(int fd);

#endif
