/* check_lib.c: the small shared modules of harness/lib/ (/proc reads, the
 * clock, spawning, the TCP line client, the user's-wrapper rule). */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/sources.h"
#include "lib/clock.h"
#include "lib/escape_bytes.h"
#include "lib/procfs.h"
#include "lib/program_end.h"
#include "lib/spawn.h"
#include "lib/tcp_client.h"
#include "lib/user_wrapper.h"
#include "tools/valgrind_xml.h"

static char dir[64]; /* /tmp/racelab-lib-XXXXXX */

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/racelab-lib-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static char *write_file(const char *name, const char *text)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* ---- procfs ----------------------------------------------------------- */

START_TEST(test_proc_read)
{
    char buf[8];
    ck_assert_int_eq(rl_proc_read(write_file("a", "hello"), buf, sizeof buf),
                     5);
    ck_assert_str_eq(buf, "hello");
    /* Longer than the buffer: the first len-1 bytes, terminated. */
    ck_assert_int_eq(
        rl_proc_read(write_file("b", "0123456789"), buf, sizeof buf), 7);
    ck_assert_str_eq(buf, "0123456");
    ck_assert_int_eq(rl_proc_read(write_file("c", ""), buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "");
    ck_assert_int_eq(rl_proc_read("/proc/racelab-none", buf, sizeof buf), -1);
}
END_TEST

START_TEST(test_proc_stat)
{
    /* The name may hold spaces and parentheses: the last ')' ends it. */
    const char *p = rl_proc_stat_fields("12 (a) b) S 1 2");
    ck_assert_ptr_nonnull(p);
    ck_assert_str_eq(p, "S 1 2");
    ck_assert_ptr_null(rl_proc_stat_fields("12 (trunc"));
    ck_assert_int_eq(rl_proc_state(getpid()), 'R');
    ck_assert_int_eq(rl_proc_state(0x7ffffff0), 0);
    ck_assert(rl_proc_cpu_seconds(getpid(), 1) >= 0);
    ck_assert(rl_proc_cpu_seconds(0x7ffffff0, 0) < 0);
    ck_assert_int_eq(rl_proc_ns_pid("Name:\tx\nNSpid:\t4242\t7\nX:\t1\n"), 7);
    ck_assert_int_eq(rl_proc_ns_pid("Name:\tx\n"), -1);
    unsigned long long mask = 0;
    ck_assert_int_eq(rl_proc_status_mask(getpid(), "SigBlk", &mask), 0);
    ck_assert_int_eq(rl_proc_status_mask(getpid(), "Nope", &mask), -1);
    ck_assert_int_gt(rl_proc_count_fds(getpid()), 2);
}
END_TEST

static int note_child(pid_t pid, void *arg)
{
    pid_t *want = arg;
    return pid == *want ? 1 : 0;
}

START_TEST(test_proc_children)
{
    pid_t child = fork();
    if (child == 0) {
        pause();
        _exit(0);
    }
    ck_assert_int_gt(child, 0);
    ck_assert_int_eq(rl_proc_children(getpid(), note_child, &child), 1);
    pid_t other = 1;
    ck_assert_int_eq(rl_proc_children(getpid(), note_child, &other), 0);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    ck_assert_int_eq(rl_proc_children(getpid(), note_child, &child), 0);
}
END_TEST

static void *idle_thread(void *arg)
{
    pthread_barrier_t *b = arg;
    pthread_barrier_wait(b); /* named */
    pthread_barrier_wait(b); /* looked up */
    return NULL;
}

START_TEST(test_proc_find_thread)
{
    pthread_barrier_t b;
    pthread_t t;
    pthread_barrier_init(&b, NULL, 2);
    ck_assert_int_eq(pthread_create(&t, NULL, idle_thread, &b), 0);
    ck_assert_int_eq(pthread_setname_np(t, "racelab-t"), 0);
    pthread_barrier_wait(&b);
    ck_assert_int_eq(rl_proc_count_tasks(getpid()), 2);
    pid_t tid = rl_proc_find_thread(getpid(), "racelab-t");
    ck_assert_int_gt(tid, 0);
    ck_assert_int_ne(tid, getpid());
    ck_assert_int_eq(rl_proc_find_thread(getpid(), "racelab"), 0);
    pthread_barrier_wait(&b);
    pthread_join(t, NULL);
    pthread_barrier_destroy(&b);
}
END_TEST

/* ---- clock and spawn -------------------------------------------------- */

START_TEST(test_clock)
{
    double t0 = rl_now();
    uint64_t n0 = rl_now_ns();
    rl_sleep_ms(20);
    ck_assert(rl_now() - t0 >= 0.02);
    ck_assert(rl_now_ns() - n0 >= 20000000ull);
}
END_TEST

START_TEST(test_spawn_capture)
{
    char *out = NULL;
    char *echo[] = {"sh", "-c", "echo out; echo err >&2", NULL};
    ck_assert_int_eq(rl_spawn_capture(echo, &out), 0);
    ck_assert_str_eq(out, "out\n"); /* stderr is not captured */
    free(out);
    char *fails[] = {"false", NULL};
    ck_assert_int_eq(rl_spawn_capture(fails, &out), -1);
    char *missing[] = {"racelab-no-such-program", NULL};
    ck_assert_int_eq(rl_spawn_capture(missing, &out), -1);
}
END_TEST

/* ---- TCP line client -------------------------------------------------- */

START_TEST(test_tcp_read_line)
{
    int sv[2];
    char buf[16];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ck_assert_int_eq(rl_tcp_send_all(sv[0], "ab\ncd", 5, 1000), 0);
    ck_assert_int_eq(rl_tcp_read_line(sv[1], buf, sizeof buf, 1000), 0);
    ck_assert_str_eq(buf, "ab\n"); /* and not a byte past it */
    double t0 = rl_now();
    ck_assert_int_eq(rl_tcp_read_line(sv[1], buf, sizeof buf, 100), -1);
    ck_assert(rl_now() - t0 >= 0.09);
    ck_assert_str_eq(buf, "cd"); /* no newline came in time */
    ck_assert_int_eq(rl_tcp_send_all(sv[0], "ef", 2, 1000), 0);
    close(sv[0]);
    ck_assert_int_eq(rl_tcp_read_line(sv[1], buf, sizeof buf, 1000), -2);
    ck_assert_str_eq(buf, "ef");
    close(sv[1]);
}
END_TEST

static int listener(unsigned *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(listen(fd, 4), 0);
    socklen_t len = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &len);
    *port = ntohs(a.sin_port);
    return fd;
}

START_TEST(test_tcp_connect)
{
    unsigned port;
    int l = listener(&port);
    for (int wait_ms = -1; wait_ms <= 1000; wait_ms += 1001) {
        int c = socket(AF_INET, SOCK_STREAM, 0);
        ck_assert_int_eq(rl_tcp_connect(c, port, wait_ms), 0);
        ck_assert_uint_gt(rl_tcp_local_port(c), 0);
        int s = accept(l, NULL, NULL);
        ck_assert_int_ge(s, 0);
        close(s); /* the server lets go: the client sees end-of-file */
        ck_assert_int_eq(rl_tcp_sees_eof(c, 1000), 1);
        close(c);
    }
    close(l); /* nobody listens any more */
    int c = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_eq(rl_tcp_connect(c, port, 1000), -1);
    ck_assert_int_eq(errno, ECONNREFUSED);
    close(c);
}
END_TEST

START_TEST(test_tcp_no_eof_while_held)
{
    unsigned port;
    int l = listener(&port);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_eq(rl_tcp_connect(c, port, 1000), 0);
    int s = accept(l, NULL, NULL);
    ck_assert_int_eq(rl_tcp_sees_eof(c, 100), 0); /* s is still open */
    close(s);
    close(c);
    close(l);
}
END_TEST

/* ---- the user's own wrappers ------------------------------------------ */

START_TEST(test_user_wrapper_rule)
{
    ck_assert(rl_is_user_wrapper("P", RL_WRAPS_SYNC));
    ck_assert(rl_is_user_wrapper("V", RL_WRAPS_ALL));
    ck_assert(rl_is_user_wrapper("Pthread_mutex_lock", RL_WRAPS_SYNC));
    ck_assert(rl_is_user_wrapper("Sem_wait", RL_WRAPS_SYNC));
    ck_assert(!rl_is_user_wrapper("Malloc", RL_WRAPS_SYNC));
    ck_assert(rl_is_user_wrapper("Malloc", RL_WRAPS_ALL));
    ck_assert(rl_is_user_wrapper("Free", RL_WRAPS_MEMORY));
    ck_assert(!rl_is_user_wrapper("main", RL_WRAPS_ALL));
    ck_assert(!rl_is_user_wrapper("Pop", RL_WRAPS_ALL));
    ck_assert(!rl_is_user_wrapper(NULL, RL_WRAPS_ALL));
    ck_assert(rl_wraps_call("Fork", "fork"));
    ck_assert(rl_wraps_call("ACCEPT", "accept"));
    ck_assert(!rl_wraps_call("fork", "fork")); /* the call itself */
    ck_assert(!rl_wraps_call("Forks", "fork"));
    ck_assert(!rl_wraps_call(NULL, "fork"));
}
END_TEST

/* valgrind's stacks follow the same rule as the sanitizers': the line
 * that called the wrapper, or the wrapper's own when nothing called it
 * from the user's files. */
START_TEST(test_valgrind_skips_wrappers)
{
    char *paths[2], err[256];
    paths[0] = strdup(write_file("prog.c", "int main(void) { return 0; }\n"));
    paths[1] = strdup(write_file("csapp.c", "void P(void) {}\n"));
    struct rl_sources src;
    ck_assert_msg(rl_sources_init(&src, paths, 2, err, sizeof err) == 0, "%s",
                  err);
    struct rl_vg_frame v[] = {
        {"pthread_mutex_lock", NULL, "hg_intercepts.c", NULL, 900},
        {"Pthread_mutex_lock", dir, "csapp.c", NULL, 5},
        {"Malloc", dir, "csapp.c", NULL, 12},
        {"transfer", dir, "prog.c", NULL, 9},
        {"main", dir, "prog.c", NULL, 20},
    };
    struct rl_vg_stack st = {NULL, v, 5};
    const char *given = NULL;
    const struct rl_vg_frame *f = rl_vg_user_frame(&st, &src, &given);
    ck_assert_ptr_nonnull(f);
    ck_assert_str_eq(f->fn, "transfer");
    ck_assert_str_eq(given, paths[0]);
    struct rl_vg_stack only = {NULL, v, 2}; /* nobody called the wrapper */
    f = rl_vg_user_frame(&only, &src, &given);
    ck_assert_ptr_nonnull(f);
    ck_assert_str_eq(f->fn, "Pthread_mutex_lock");
    ck_assert_str_eq(given, paths[1]);
    rl_sources_free(&src);
    free(paths[0]);
    free(paths[1]);
}
END_TEST

/* A NUL or a CR a server sent back shows in the message. */
START_TEST(test_escape_bytes)
{
    char out[64];
    ck_assert_str_eq(rl_escape_bytes("abc\0\r\n", 6, out, sizeof out),
                     "abc\\0\\r\\n");
    ck_assert_str_eq(rl_escape_bytes("say \"hi\"\t\x1b", 10, out, sizeof out),
                     "say \\\"hi\\\"\\t\\x1b");
    /* Capped: what was left out is marked, and no escape is cut. */
    ck_assert_str_eq(rl_escape_bytes("0123456789\0", 11, out, 10), "012345...");
    ck_assert_str_eq(rl_escape_bytes("", 0, out, sizeof out), "");
}
END_TEST

/* A server that died says how, and what it wrote last on stderr. */
START_TEST(test_program_end_note)
{
    char err[] = "line one\nline two\nline three\nbind: Address in use\n";
    struct rl_sandbox_result r = {.signal = SIGSEGV};
    char note[256] = "client 1 got no echo";
    r.err = err;
    r.err_len = strlen(err);
    rl_program_end_note(&r, "the server", note, sizeof note);
    ck_assert_str_eq(note, "client 1 got no echo; the server died of SIGSEGV "
                           "(Segmentation fault); the end of its stderr: "
                           "\"line two\\nline three\\nbind: Address in "
                           "use\"");
    struct rl_sandbox_result q = {.exited = 1, .exit_status = 3};
    note[0] = '\0';
    rl_program_end_note(&q, "the server", note, sizeof note);
    ck_assert_str_eq(note, "the server exited by itself with status 3, "
                           "writing nothing to stderr");
}
END_TEST

Suite *make_lib_suite(void)
{
    Suite *s = suite_create("lib");
    TCase *proc = tcase_create("Procfs");
    tcase_add_checked_fixture(proc, setup, teardown);
    tcase_add_test(proc, test_proc_read);
    tcase_add_test(proc, test_proc_stat);
    tcase_add_test(proc, test_proc_children);
    tcase_add_test(proc, test_proc_find_thread);
    suite_add_tcase(s, proc);
    TCase *run = tcase_create("ClockSpawn");
    tcase_add_test(run, test_clock);
    tcase_add_test(run, test_spawn_capture);
    suite_add_tcase(s, run);
    TCase *tcp = tcase_create("TcpClient");
    tcase_set_timeout(tcp, 10);
    tcase_add_test(tcp, test_tcp_read_line);
    tcase_add_test(tcp, test_tcp_connect);
    tcase_add_test(tcp, test_tcp_no_eof_while_held);
    suite_add_tcase(s, tcp);
    TCase *wrap = tcase_create("UserWrapper");
    tcase_add_checked_fixture(wrap, setup, teardown);
    tcase_add_test(wrap, test_user_wrapper_rule);
    tcase_add_test(wrap, test_valgrind_skips_wrappers);
    suite_add_tcase(s, wrap);
    TCase *text = tcase_create("Escapes");
    tcase_set_tags(text, "fast"); /* no tool runs: make test-fast */
    tcase_add_test(text, test_escape_bytes);
    tcase_add_test(text, test_program_end_note);
    suite_add_tcase(s, text);
    return s;
}
