/* fds.c: the probe's descriptor tracking: who opened each fd, and which are
 * still open when the main process exits. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "probe_conn.h"
#include "probe_events.h"

#define REAL(name)                                                             \
    ({                                                                         \
        if (!real_##name)                                                      \
            real_##name = (__typeof__(name) *)rlp_real(#name);                 \
        real_##name;                                                           \
    })
#define DECLARE_REAL(name) static __typeof__(name) *real_##name

/* Fortified and large-file entry points a program may bind to. */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);
int fcntl64(int fd, int cmd, ...);

DECLARE_REAL(open);
DECLARE_REAL(open64);
DECLARE_REAL(__open_2);
DECLARE_REAL(__open64_2);
DECLARE_REAL(openat);
DECLARE_REAL(openat64);
DECLARE_REAL(__openat_2);
DECLARE_REAL(__openat64_2);
DECLARE_REAL(creat);
DECLARE_REAL(creat64);
DECLARE_REAL(socket);
DECLARE_REAL(socketpair);
DECLARE_REAL(accept);
DECLARE_REAL(accept4);
DECLARE_REAL(pipe);
DECLARE_REAL(pipe2);
DECLARE_REAL(dup);
DECLARE_REAL(dup2);
DECLARE_REAL(dup3);
DECLARE_REAL(fcntl);
DECLARE_REAL(fcntl64);
DECLARE_REAL(epoll_create);
DECLARE_REAL(epoll_create1);
DECLARE_REAL(eventfd);
DECLARE_REAL(timerfd_create);
DECLARE_REAL(signalfd);
DECLARE_REAL(fopen);
DECLARE_REAL(fopen64);
DECLARE_REAL(freopen);
DECLARE_REAL(tmpfile);
DECLARE_REAL(fclose);
DECLARE_REAL(close);
DECLARE_REAL(close_range);
DECLARE_REAL(closefrom);

/*
 * Descriptors the program opened, indexed by fd.  `kind` is published
 * last and cleared first: close clears it before the kernel frees the
 * number, so a concurrent open that reuses the number writes after us.
 * dev/ino tell, at exit, whether the fd is still the object opened here
 * (it may have been closed by a path the probe does not see and reused).
 */
enum { MAX_FDS = 1024 };
struct fd_slot {
    const char *kind; /* NULL: not the program's, or closed */
    dev_t dev;
    ino_t ino;
    struct rlp_site site;
};
static struct fd_slot fds[MAX_FDS];

static int trackable(int fd)
{
    return rlp && fd > 2 && fd < MAX_FDS;
}

static const char *kind_of_mode(mode_t mode)
{
    if (S_ISSOCK(mode))
        return "socket";
    if (S_ISFIFO(mode))
        return "pipe";
    if (S_ISDIR(mode))
        return "directory";
    if (S_ISCHR(mode) || S_ISBLK(mode))
        return "device";
    return "file";
}

/* Records fd as opened here by the program (kind NULL: from its mode). */
static void track(int fd, const char *kind)
{
    if (!trackable(fd))
        return;
    int saved = errno;
    struct fd_slot *s = &fds[fd];
    struct stat st;
    __atomic_store_n(&s->kind, NULL, __ATOMIC_RELEASE);
    rlp_capture_site(&s->site, 0);
    /* No frame of the executable: the probe's or a library's own fd. */
    if (s->site.pc[0] != 0 && fstat(fd, &st) == 0) {
        s->dev = st.st_dev;
        s->ino = st.st_ino;
        __atomic_store_n(&s->kind, kind ? kind : kind_of_mode(st.st_mode),
                         __ATOMIC_RELEASE);
    }
    errno = saved;
}

static void untrack(int fd)
{
    if (fd > 2 && fd < MAX_FDS)
        __atomic_store_n(&fds[fd].kind, NULL, __ATOMIC_RELEASE);
}

/* A copy of `from` (dup, F_DUPFD) is the same kind of object. */
static void track_copy(int fd, int from)
{
    const char *kind = NULL;
    if (from >= 0 && from < MAX_FDS)
        kind = __atomic_load_n(&fds[from].kind, __ATOMIC_ACQUIRE);
    track(fd, kind);
}

/* Brackets a call that may open descriptors (errno blame in handlers). */
#define OPENS(type, unsafe_name, name, ...)                                    \
    ({                                                                         \
        int token = RLP_HCALL_BEGIN(unsafe_name);                              \
        type ret = REAL(name)(__VA_ARGS__);                                    \
        RLP_HCALL_END(token);                                                  \
        ret;                                                                   \
    })

static mode_t mode_arg(int flags, va_list ap)
{
    return __OPEN_NEEDS_MODE(flags) ? va_arg(ap, mode_t) : 0;
}

int open(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    int fd = OPENS(int, NULL, open, path, flags, mode);
    track(fd, NULL);
    return fd;
}

int open64(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    int fd = OPENS(int, NULL, open64, path, flags, mode);
    track(fd, NULL);
    return fd;
}

int __open_2(const char *path, int flags)
{
    int fd = OPENS(int, NULL, __open_2, path, flags);
    track(fd, NULL);
    return fd;
}

int __open64_2(const char *path, int flags)
{
    int fd = OPENS(int, NULL, __open64_2, path, flags);
    track(fd, NULL);
    return fd;
}

int openat(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    int fd = OPENS(int, NULL, openat, dirfd, path, flags, mode);
    track(fd, NULL);
    return fd;
}

int openat64(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    int fd = OPENS(int, NULL, openat64, dirfd, path, flags, mode);
    track(fd, NULL);
    return fd;
}

int __openat_2(int dirfd, const char *path, int flags)
{
    int fd = OPENS(int, NULL, __openat_2, dirfd, path, flags);
    track(fd, NULL);
    return fd;
}

int __openat64_2(int dirfd, const char *path, int flags)
{
    int fd = OPENS(int, NULL, __openat64_2, dirfd, path, flags);
    track(fd, NULL);
    return fd;
}

int creat(const char *path, mode_t mode)
{
    int fd = OPENS(int, NULL, creat, path, mode);
    track(fd, NULL);
    return fd;
}

int creat64(const char *path, mode_t mode)
{
    int fd = OPENS(int, NULL, creat64, path, mode);
    track(fd, NULL);
    return fd;
}

int socket(int domain, int type, int protocol)
{
    int fd = OPENS(int, NULL, socket, domain, type, protocol);
    track(fd, "socket");
    return fd;
}

int socketpair(int domain, int type, int protocol, int sv[2])
{
    int ret = OPENS(int, NULL, socketpair, domain, type, protocol, sv);
    if (ret == 0) {
        track(sv[0], "socketpair");
        track(sv[1], "socketpair");
    }
    return ret;
}

int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
    rlp_conn_accepting();
    int conn = OPENS(int, NULL, accept, fd, addr, len);
    track(conn, "accepted connection");
    rlp_conn_accepted(conn);
    return conn;
}

int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
    rlp_conn_accepting();
    int conn = OPENS(int, NULL, accept4, fd, addr, len, flags);
    track(conn, "accepted connection");
    rlp_conn_accepted(conn);
    return conn;
}

int pipe(int ends[2])
{
    int ret = OPENS(int, NULL, pipe, ends);
    if (ret == 0) {
        track(ends[0], "pipe read end");
        track(ends[1], "pipe write end");
    }
    return ret;
}

int pipe2(int ends[2], int flags)
{
    int ret = OPENS(int, NULL, pipe2, ends, flags);
    if (ret == 0) {
        track(ends[0], "pipe read end");
        track(ends[1], "pipe write end");
    }
    return ret;
}

int dup(int old)
{
    int fd = OPENS(int, NULL, dup, old);
    track_copy(fd, old);
    return fd;
}

int dup2(int old, int fd)
{
    int ret = OPENS(int, NULL, dup2, old, fd);
    if (ret >= 0 && old != fd)
        track_copy(ret, old);
    return ret;
}

int dup3(int old, int fd, int flags)
{
    int ret = OPENS(int, NULL, dup3, old, fd, flags);
    if (ret >= 0)
        track_copy(ret, old);
    return ret;
}

/* fcntl's third argument is an int, a long or a pointer: glibc itself
 * reads it as a pointer, and so do we. */
int fcntl(int fd, int cmd, ...)
{
    va_list ap;
    va_start(ap, cmd);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    int ret = OPENS(int, NULL, fcntl, fd, cmd, arg);
    if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)
        track_copy(ret, fd);
    return ret;
}

int fcntl64(int fd, int cmd, ...)
{
    va_list ap;
    va_start(ap, cmd);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    int ret = OPENS(int, NULL, fcntl64, fd, cmd, arg);
    if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)
        track_copy(ret, fd);
    return ret;
}

int epoll_create(int size)
{
    int fd = OPENS(int, NULL, epoll_create, size);
    track(fd, "epoll");
    return fd;
}

int epoll_create1(int flags)
{
    int fd = OPENS(int, NULL, epoll_create1, flags);
    track(fd, "epoll");
    return fd;
}

int eventfd(unsigned int initval, int flags)
{
    int fd = OPENS(int, NULL, eventfd, initval, flags);
    track(fd, "eventfd");
    return fd;
}

int timerfd_create(int clockid, int flags)
{
    int fd = OPENS(int, NULL, timerfd_create, clockid, flags);
    track(fd, "timerfd");
    return fd;
}

int signalfd(int fd, const sigset_t *mask, int flags)
{
    int ret = OPENS(int, NULL, signalfd, fd, mask, flags);
    if (fd == -1)
        track(ret, "signalfd");
    return ret;
}

/* Streams: glibc opens and closes their fds internally, out of sight of
 * the open and close wrappers. */
static FILE *track_stream(FILE *f, const char *kind)
{
    if (f)
        track(fileno(f), kind);
    return f;
}

FILE *fopen(const char *path, const char *mode)
{
    FILE *f = OPENS(FILE *, "fopen", fopen, path, mode);
    return track_stream(f, "file stream");
}

FILE *fopen64(const char *path, const char *mode)
{
    FILE *f = OPENS(FILE *, "fopen", fopen64, path, mode);
    return track_stream(f, "file stream");
}

FILE *freopen(const char *path, const char *mode, FILE *old)
{
    if (old)
        untrack(fileno(old));
    FILE *f = OPENS(FILE *, "freopen", freopen, path, mode, old);
    return track_stream(f, "file stream");
}

FILE *tmpfile(void)
{
    FILE *f = OPENS(FILE *, "tmpfile", tmpfile);
    return track_stream(f, "temporary file stream");
}

int fclose(FILE *f)
{
    if (f)
        untrack(fileno(f));
    return OPENS(int, "fclose", fclose, f);
}

/* Forgotten before the kernel frees the number (see struct fd_slot). */
int close(int fd)
{
    rlp_conn_using(fd);
    untrack(fd);
    rlp_conn_closing(fd);
    return OPENS(int, NULL, close, fd);
}

int close_range(unsigned int first, unsigned int last, int flags)
{
    if (!(flags & CLOSE_RANGE_CLOEXEC))
        for (unsigned int fd = first; fd <= last && fd < MAX_FDS; fd++)
            untrack((int)fd);
    return OPENS(int, NULL, close_range, first, last, flags);
}

void closefrom(int lowfd)
{
    for (int fd = lowfd < 0 ? 0 : lowfd; fd < MAX_FDS; fd++)
        untrack(fd);
    int token = RLP_HCALL_BEGIN(NULL);
    REAL(closefrom)(lowfd);
    RLP_HCALL_END(token);
}

/* Still the object opened at the recorded site, and still open? */
static int still_open(int fd, const struct fd_slot *s)
{
    struct stat st;
    if (REAL(fcntl)(fd, F_GETFD) == -1)
        return 0;
    return fstat(fd, &st) == 0 && st.st_dev == s->dev && st.st_ino == s->ino;
}

static int same_site(const struct rlp_site *a, const struct rlp_site *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

/* One event per opening site and kind, so that a server leaking a
 * descriptor per connection cannot fill the table: "fd 5 (socket) and 3
 * more ...".  (A pipe's two ends share a site, not a kind.) */
static void report_leaks(int fd, const char *const kinds[MAX_FDS],
                         char leaked[MAX_FDS])
{
    int more = 0;
    for (int other = fd + 1; other < MAX_FDS; other++)
        if (leaked[other] && kinds[other] == kinds[fd] &&
            same_site(&fds[other].site, &fds[fd].site)) {
            leaked[other] = 0;
            more++;
        }
    char detail[RLP_DETAIL] = "fd ";
    rlp_detail_num(detail, fd);
    rlp_detail_cat(detail, " (");
    rlp_detail_cat(detail, kinds[fd]);
    rlp_detail_cat(detail, ")");
    if (more > 0) {
        rlp_detail_cat(detail, " and ");
        rlp_detail_num(detail, more);
        rlp_detail_cat(detail, " more opened here are still open at exit");
    } else {
        rlp_detail_cat(detail, " opened here is still open at exit");
    }
    rlp_event_add(RLP_E_FD_LEAK, &fds[fd].site, NULL, fd, RLP_EV_AT_EXIT,
                  detail);
}

void rlp_fds_exit_check(void)
{
    /* Threads still run during exit: each kind is read once. */
    static const char *kinds[MAX_FDS];
    static char leaked[MAX_FDS];
    int saved = errno;
    for (int fd = 3; fd < MAX_FDS; fd++) {
        kinds[fd] = __atomic_load_n(&fds[fd].kind, __ATOMIC_ACQUIRE);
        leaked[fd] = kinds[fd] && still_open(fd, &fds[fd]);
    }
    for (int fd = 3; fd < MAX_FDS; fd++)
        if (leaked[fd])
            report_leaks(fd, kinds, leaked);
    errno = saved;
}

/* Resolved before main, so no dlsym runs later inside a handler. */
__attribute__((constructor(102))) static void fds_init(void)
{
    REAL(open);
    REAL(open64);
    REAL(__open_2);
    REAL(__open64_2);
    REAL(openat);
    REAL(openat64);
    REAL(__openat_2);
    REAL(__openat64_2);
    REAL(creat);
    REAL(creat64);
    REAL(socket);
    REAL(socketpair);
    REAL(accept);
    REAL(accept4);
    REAL(pipe);
    REAL(pipe2);
    REAL(dup);
    REAL(dup2);
    REAL(dup3);
    REAL(fcntl);
    REAL(fcntl64);
    REAL(epoll_create);
    REAL(epoll_create1);
    REAL(eventfd);
    REAL(timerfd_create);
    REAL(signalfd);
    REAL(fopen);
    REAL(fopen64);
    REAL(freopen);
    REAL(tmpfile);
    REAL(fclose);
    REAL(close);
    REAL(close_range);
    REAL(closefrom);
}
