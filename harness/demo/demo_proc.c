/* demo_proc.c: a demo's program built and run live in the sandbox, the
 * same confinement as a check's runs (own uid, namespaces, cgroups), and
 * small reads of /proc about it while it runs. */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "demo/demo.h"
#include "demo/demo_proc.h"
#include "demo/demo_screen.h"
#include "lib/clock.h"
#include "lib/procfs.h"
#include "lib/tcp_client.h"
#include "lib/workdir.h"
#include "lib/xalloc.h"
#include "server/server_driver.h"
#include "server/server_evidence.h"
#include "tools/tool_probe.h"

/* The folders every lab's program includes from (as its Makefile does). */
static char *const include_dirs[] = {"labs/common", "labs/sync-common", NULL};

static int build(struct demo_proc *p, const char *const *files)
{
    size_t n = 0;
    while (files[n])
        n++;
    if (rl_sources_init(&p->src, (char *const *)files, n, p->error,
                        sizeof p->error) != 0)
        return -1;
    p->dir = rl_workdir_create("racelab-demo", p->error, sizeof p->error);
    if (!p->dir)
        return -1;
    int wanted[RL_VARIANT_COUNT] = {0};
    wanted[RL_VARIANT_PLAIN] = 1;
    struct rl_build_extras extras = {include_dirs, NULL};
    if (rl_build_all_with(&p->src, wanted, &extras, p->dir, &p->build, p->error,
                          sizeof p->error) != 0 ||
        p->build.failed[RL_VARIANT_PLAIN]) {
        if (!p->error[0])
            snprintf(p->error, sizeof p->error, "it did not compile: %s",
                     p->build.output[RL_VARIANT_PLAIN]
                         ? p->build.output[RL_VARIANT_PLAIN]
                         : "");
        return -1;
    }
    return 0;
}

/* Until the server's listening socket shows in its namespace's table. */
static int wait_listening(struct demo_proc *p)
{
    for (double t0 = rl_now(); rl_now() - t0 < 10;) {
        struct demo_tcp_view v;
        if (p->pid <= 0)
            p->pid = rl_sandbox_program_pid(p->sb);
        if (p->pid > 0 && demo_tcp_view(p, 0, &v) == 0 && v.listening)
            return 0;
        rl_sleep_ms(20);
    }
    snprintf(p->error, sizeof p->error, "the server never listened");
    return -1;
}

int demo_proc_start(struct demo_proc *p, const char *const *files, int flags,
                    double timeout)
{
    int server = flags & DEMO_SERVER, with_probe = flags & DEMO_PROBE;
    memset(p, 0, sizeof *p);
    if (build(p, files) != 0)
        return -1;
    struct rl_run *run = &p->run;
    run->sources = &p->src;
    run->exe = p->build.exe[RL_VARIANT_PLAIN];
    run->harness_dir = rl_harness_dir();
    run->timeout = timeout;
    run->server = server;
    char *wd = rl_workdir_sub(p->dir, "run", p->error, sizeof p->error);
    if (!wd)
        return -1;
    run->workdir = wd;
    rl_sandbox_opts_for_program(&run->sandbox, run->timeout, wd);
    if (server) {
        p->port = rl_server_pick_port();
        snprintf(p->port_arg, sizeof p->port_arg, "%d", p->port);
        p->args[0] = p->port_arg;
        run->program_args = p->args;
        /* a server that never reaps keeps a zombie per client */
        run->sandbox.max_procs = RL_SANDBOX_SERVER_PROCS;
    }
    if (with_probe) {
        run->tool = rl_tool_find("probe");
        if (!run->tool || run->tool->prepare(run, p->error, sizeof p->error))
            return -1;
        /* The act reads the probe's table itself; the hang watch would
         * stop a deadlocked program before the hall has seen it. */
        run->sandbox.watch = NULL;
    } else {
        rl_strv_push(&run->argv, run->exe);
        for (char *const *a = run->program_args; a && *a; a++)
            rl_strv_push(&run->argv, *a);
    }
    run->sandbox.env_extra = run->env.v;
    p->sb =
        rl_sandbox_start(run->argv.v, &run->sandbox, p->error, sizeof p->error);
    if (!p->sb)
        return -1;
    p->started = rl_now();
    if (!(flags & (DEMO_SERVER | DEMO_PROBE)))
        return 0; /* run to its end: it may be gone before it is seen */
    for (double t0 = rl_now(); p->pid <= 0 && rl_now() - t0 < 5;) {
        p->pid = rl_sandbox_program_pid(p->sb);
        if (p->pid <= 0)
            rl_sleep_ms(5);
    }
    if (p->pid <= 0) {
        snprintf(p->error, sizeof p->error, "the program did not start");
        return -1;
    }
    return server ? wait_listening(p) : 0;
}

int demo_proc_wait(struct demo_proc *p)
{
    if (!p->sb)
        return -1;
    int rc = rl_sandbox_wait(p->sb, &p->run.result);
    p->sb = NULL;
    return rc;
}

void demo_proc_end(struct demo_proc *p)
{
    if (p->sb) {
        rl_sandbox_stop(p->sb);
        rl_sandbox_wait(p->sb, &p->run.result);
        p->sb = NULL;
    }
    if (p->run.tool && p->run.tool->cleanup)
        p->run.tool->cleanup(&p->run);
    rl_sandbox_result_free(&p->run.result);
    rl_strv_free(&p->run.argv);
    rl_strv_free(&p->run.env);
    free((char *)p->run.workdir);
    rl_build_free(&p->build);
    rl_sources_free(&p->src);
    if (p->dir)
        rl_workdir_remove(p->dir);
    free(p->dir);
    memset(p, 0, sizeof *p);
}

const struct rlp_shm *demo_proc_table(struct demo_proc *p)
{
    return rl_probe_table(&p->run);
}

double demo_proc_age(const struct demo_proc *p)
{
    return rl_now() - p->started;
}

int demo_client(struct demo_proc *p)
{
    int fd = rl_sandbox_socket(p->sb, AF_INET, SOCK_STREAM);
    if (fd < 0)
        return -1;
    if (rl_tcp_connect(fd, (unsigned)p->port, 2000) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int count_zombie(pid_t child, void *arg)
{
    if (rl_proc_state(child) == 'Z')
        ++*(int *)arg;
    return 0;
}

int demo_defunct_count(pid_t pid)
{
    int n = 0;
    return rl_proc_children(pid, count_zombie, &n) < 0 ? -1 : n;
}

int demo_stack_count(pid_t pid, unsigned long *bytes)
{
    *bytes = 0;
    char path[64], line[512];
    snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    /* glibc maps a thread's stack as one region and makes its lowest
     * page(s) inaccessible: a nameless ---p region, then right above it
     * a nameless rw-p one.  (malloc's arenas are the other way round.) */
    unsigned long prev_end = 0;
    int prev_guard = 0, n = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi, off;
        char perms[8], dev[16];
        unsigned long inode;
        int used = 0;
        if (sscanf(line, "%lx-%lx %7s %lx %15s %lu %n", &lo, &hi, perms, &off,
                   dev, &inode, &used) < 6)
            continue;
        int nameless = inode == 0 && (line[used] == '\n' || !line[used]);
        if (nameless && prev_guard && lo == prev_end &&
            strcmp(perms, "rw-p") == 0 && hi - lo >= 64 * 1024) {
            n++;
            *bytes += hi - lo;
        }
        prev_guard = nameless && strcmp(perms, "---p") == 0;
        prev_end = hi;
    }
    fclose(f);
    return n;
}

int demo_tcp_view(struct demo_proc *p, unsigned client_port,
                  struct demo_tcp_view *v)
{
    struct rl_tcp_table t = {0};
    memset(v, 0, sizeof *v);
    if (rl_tcp_table_read(p->pid, &t) != 0)
        return -1;
    const struct rl_tcp_sock *l = rl_tcp_find(&t, (unsigned)p->port, 0);
    if (l && l->state == 0x0A) {
        v->listening = 1;
        v->backlog = l->rx_queue;
    }
    const struct rl_tcp_sock *c =
        client_port ? rl_tcp_find(&t, (unsigned)p->port, client_port) : NULL;
    if (c) {
        v->conn_found = 1;
        v->unread = c->rx_queue;
        v->accepted = c->inode != 0;
    }
    rl_tcp_table_free(&t);
    return 0;
}

int demo_thread_waits(struct demo_proc *p, struct demo_wait *w, size_t max)
{
    struct rl_server_snap s = {0};
    if (rl_server_snap_take(p->pid, &s) != 0)
        return -1;
    size_t n = 0;
    for (size_t i = 0; i < s.ntasks && n < max; i++) {
        const struct rl_task_state *t = &s.tasks[i];
        if (t->child)
            continue;
        const char *call = t->nr >= 0 ? rl_syscall_name(t->nr) : NULL;
        w[n] = (struct demo_wait){t->tid, t->main_thread, "", 0};
        snprintf(w[n].call, sizeof w[n].call, "%s", call ? call : "running");
        for (size_t k = 0; t->inode && k < s.tcp.n; k++)
            if (s.tcp.v[k].inode == t->inode &&
                s.tcp.v[k].local_port == (unsigned)p->port)
                w[n].peer_port = s.tcp.v[k].remote_port;
        n++;
    }
    rl_server_snap_free(&s);
    return (int)n;
}

void demo_show_start(struct demo_screen *s, const struct demo_proc *p,
                     const struct rl_demo_act *a)
{
    char files[512] = "";
    size_t n = 0;
    for (size_t i = 0; i < RL_DEMO_MAX_ARGS && a->argv[i]; i++)
        n +=
            (size_t)snprintf(files + n, n < sizeof files ? sizeof files - n : 0,
                             " %s", a->argv[i]);
    demo_cmd(s, "%s -I labs/common -I labs/sync-common -o prog%s",
             rl_build_command(RL_VARIANT_PLAIN), files);
    demo_cmd(s, "%s./prog%s%s      (in racelab's sandbox)",
             p->run.tool ? "LD_PRELOAD=racelab-probe.so " : "",
             p->port ? " " : "", p->port ? p->run.program_args[0] : "");
}
