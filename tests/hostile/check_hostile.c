/* check_hostile.c: submissions and result files that try to forge a grade,
 * hang or crash the grader, or forge the report's lines.  Each submission
 * is graded with bin/racelab grade --json, from a copy in a scratch
 * folder; each must finish (exit 0), score at most what its limit says
 * (the starter's score: a trick must earn nothing), name its problem in
 * a message, leave no raw ESC or CR in the text report, leave the
 * course tree (labs/, solutions/) as it was, and leave no process of the
 * run alive.  The result-file parsers
 * are also fed hostile files directly.  Run from the repository's root. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <dirent.h>
#include <libgen.h>

#include "grade/check_xml.h"
#include "grade/submission_check.h"
#include "grade/lab_tests.h"
#include "lib/run_uid.h"
#include "report/escape.h"
#include "sched/sched_explore.h"

/* What a case's folder becomes before grading (made at run time: git
 * does not keep FIFOs and hard links, and a symbolic link in the tree
 * would point at the solution from the repository itself). */
enum setup {
    AS_IS,
    SYMLINK_TO_SOLUTION, /* counter.c -> solutions/06-counter/counter.c */
    HARD_LINK,           /* counter.c and other.c: one file, two names */
    FIFO,                /* counter.c is a FIFO nobody writes */
    HUGE,                /* the starter with 2 MiB of comments */
};

struct hostile_case {
    const char *name; /* tests/hostile/cases/<name>, or a setup's name */
    enum setup setup;
    int max_score;       /* lab 06's starter scores 3/15 */
    const char *message; /* in some check's message, or NULL */
    const char *never;   /* never in the text report, or NULL */
    const char *lab;     /* NULL: 06-counter */
    const char *shown;   /* in the text report, or NULL */
};

static const struct hostile_case cases[] = {
    {"tsan-options", AS_IS, 0, "defines __tsan_default_options", NULL},
    {"sanitizer-prefix", AS_IS, 0, "defines __sanitizer_", NULL},
    {"no-sanitize-attribute", AS_IS, 0, "attribute no_sanitize", NULL},
    {"destructor-forged-log", AS_IS, 0, "constructor or destructor", NULL},
    {"constructor-sched-results", AS_IS, 0, "constructor or destructor", NULL},
    {"test-code-forged-log", AS_IS, 0, "calls getenv", NULL},
    {"atexit-forged-log", AS_IS, 0, "this lab's code has no use for", NULL},
    {"check-symbol", AS_IS, 0, "defines srunner_ntests_failed", NULL},
    {"main-in-library-lab", AS_IS, 0, "defines main", NULL},
    {"pthread-interposer", AS_IS, 0, "defines pthread_mutex_lock", NULL},
    {"inline-syscall", AS_IS, 0, "inline assembly", NULL},
    {"tsan-ignore-calls", AS_IS, 0, "calls __tsan_ignore_thread_begin", NULL},
    {"compiler-escapes", AS_IS, 0, "does not compile", NULL},
    {"not-text", AS_IS, 0, "is not a text file", NULL},
    {"empty-file", AS_IS, 0, "does not compile", NULL},
    {"missing-file", AS_IS, 0, "has no", NULL},
    {"symlink-to-solution", SYMLINK_TO_SOLUTION, 0, "is a symbolic link", NULL},
    {"hard-link", HARD_LINK, 0, "hard link", NULL},
    {"fifo", FIFO, 0, "is a FIFO", NULL},
    {"huge-file", HUGE, 0, "is too large", NULL},
    /* The one that runs: its output imitates a report, and changes
     * nothing. */
    {"fake-report-lines", AS_IS, 3, NULL, "score: 15/15"},
    /* A server's answer is quoted in the echo check's message: escaped.
     * Lab 01's starter scores 4/10. */
    {"server-echoes-escapes", AS_IS, 4, "got back", NULL, "01-iterative",
     "got back \"\\r\\x1b[2KPASS"},
    /* Programs that try to outlive, flood or harm the run (server labs:
     * lab 06's submission check refuses the calls they need).  Each
     * names its processes "rlhostile": none may be left once the grade
     * is done.  Lab 01's starter scores 2/10, lab 02's 13/20. */
    {"fork-bomb", AS_IS, 13, NULL, NULL, "02-process"},
    {"daemon", AS_IS, 13, NULL, NULL, "02-process"},
    {"sigterm-ignorer", AS_IS, 2, "closed client 1's connection", NULL,
     "01-iterative"},
    {"infinite-output", AS_IS, 2, NULL, NULL, "01-iterative",
     "the rest was dropped"},
    /* It takes memory before it listens: the probe run gives up on it
     * after 5 s, before 4 GiB are touched on a slow machine; the words
     * for the OOM kill are tested with a small limit in
     * tests/unit/check_limit_words.c. */
    {"memory-hog", AS_IS, 2, "never listened", NULL, "01-iterative"},
    {"signals-grader", AS_IS, 2, "closed client 1's connection", NULL,
     "01-iterative"},
    {"cgroup-escape", AS_IS, 2, NULL, NULL, "01-iterative"},
    {"crash-at-start", AS_IS, 2, "crashed with SIGSEGV", "never listened",
     "01-iterative"},
    {"wrong-port", AS_IS, 2, "never listened", NULL, "01-iterative"},
    /* Issue 11 item 6: nothing served, nothing measured, and so no
     * point for a forbidden ID it could not show. */
    {"never-accepts", AS_IS, 2, NULL, NULL, "02-process"},
    {"accept-and-close", AS_IS, 2, NULL, NULL, "02-process"},
    /* Breaks LeakSanitizer's check (it made racelab exit 3): the leak
     * check is not measured, the rest is judged.  Its tests/labs model,
     * 04-threads/copy-never-freed, scores 18/20. */
    {"leak-check-blocked", AS_IS, 18, "asan could not finish", NULL,
     "04-threads"},
    /* A "FATAL: ThreadSanitizer" line it writes into TSan's log (exit 3
     * before): TSan's checks are not measured. */
    {"forged-tsan-fatal", AS_IS, 18, "tsan could not finish", NULL,
     "04-threads"},
    /* Deletes valgrind's report in its folder (exit 3 before): a working
     * lab 01 server (10/10 without the trick) loses the fd-leak check. */
    {"deletes-valgrind-report", AS_IS, 8, "memcheck could not finish", NULL,
     "01-iterative"},
};
enum { NCASES = sizeof cases / sizeof cases[0] };

static char *read_text(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0, got;
    char *buf = malloc(cap + 1);
    while ((got = fread(buf + n, 1, cap - n, f)) > 0)
        if ((n += got) == cap)
            buf = realloc(buf, (cap *= 2) + 1);
    buf[n] = '\0';
    fclose(f);
    if (len)
        *len = n;
    return buf;
}

/* A hash of every file under labs/ and solutions/, names and bytes. */
static char *tree_hash(void)
{
    FILE *p = popen("find labs solutions -print0 | LC_ALL=C sort -z | "
                    "xargs -0 sha256sum 2>&1 | sha256sum",
                    "r");
    ck_assert_ptr_nonnull(p);
    char line[256] = "";
    ck_assert_ptr_nonnull(fgets(line, sizeof line, p));
    pclose(p);
    return strdup(line);
}

static int run(const char *command)
{
    int st = system(command);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void set_up_folder(const struct hostile_case *c, const char *dir)
{
    char cmd[4096];
    const char *starter = "labs/06-counter/counter.c";
    char *path = NULL;
    ck_assert(asprintf(&path, "%s/counter.c", dir) > 0);
    switch (c->setup) {
    case AS_IS:
        snprintf(cmd, sizeof cmd, "cp -R tests/hostile/cases/%s/. %s", c->name,
                 dir);
        ck_assert_int_eq(run(cmd), 0);
        break;
    case SYMLINK_TO_SOLUTION: {
        char *target = realpath("solutions/06-counter/counter.c", NULL);
        ck_assert_ptr_nonnull(target);
        ck_assert_int_eq(symlink(target, path), 0);
        free(target);
        break;
    }
    case HARD_LINK: {
        char *other = NULL;
        ck_assert(asprintf(&other, "%s/other.c", dir) > 0);
        snprintf(cmd, sizeof cmd, "cp %s %s", starter, other);
        ck_assert_int_eq(run(cmd), 0);
        ck_assert_int_eq(link(other, path), 0);
        free(other);
        break;
    }
    case FIFO:
        ck_assert_int_eq(mkfifo(path, 0644), 0);
        break;
    case HUGE: {
        snprintf(cmd, sizeof cmd, "cp %s %s", starter, path);
        ck_assert_int_eq(run(cmd), 0);
        FILE *f = fopen(path, "a");
        ck_assert_ptr_nonnull(f);
        for (int i = 0; i < 40000; i++)
            fputs("/* padding padding padding padding padding padding */\n", f);
        fclose(f);
        break;
    }
    }
    free(path);
}

/* 1 when the file's first bytes (NULs as spaces) hold want. */
static int proc_file_has(const char *path, const char *want)
{
    char buf[4096];
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return 0;
    for (ssize_t i = 0; i < n; i++)
        if (buf[i] == '\0')
            buf[i] = ' ';
    buf[n] = '\0';
    return strstr(buf, want) != NULL;
}

static int proc_link_has(const char *path, const char *want)
{
    char buf[4096];
    ssize_t n = readlink(path, buf, sizeof buf - 1);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    return strstr(buf, want) != NULL;
}

/* How many processes of the grade under dir are still alive: named
 * "rlhostile" (the cases name themselves so), or running a program of
 * racelab's scratch (TMPDIR is dir), or in a folder of it.  Found ones
 * are killed, so that a failure leaves nothing behind. */
static int survivors(const char *dir, char *pids, size_t len)
{
    DIR *proc = opendir("/proc");
    ck_assert_ptr_nonnull(proc);
    struct dirent *d;
    int n = 0;
    pids[0] = '\0';
    while ((d = readdir(proc)) != NULL) {
        char *end;
        long pid = strtol(d->d_name, &end, 10);
        if (*end || pid <= 0 || pid == getpid())
            continue;
        char path[64];
        int found = 0;
        snprintf(path, sizeof path, "/proc/%ld/comm", pid);
        found |= proc_file_has(path, "rlhostile");
        snprintf(path, sizeof path, "/proc/%ld/cmdline", pid);
        found |= proc_file_has(path, dir);
        snprintf(path, sizeof path, "/proc/%ld/cwd", pid);
        found |= proc_link_has(path, dir);
        if (!found)
            continue;
        size_t used = strlen(pids);
        snprintf(pids + used, len - used, " %ld", pid);
        kill((pid_t)pid, SIGKILL);
        n++;
    }
    closedir(proc);
    return n;
}

/* 1 when some check's message holds want. */
static int some_message_has(json_t *doc, const char *want)
{
    size_t i;
    json_t *c;
    json_array_foreach (json_object_get(doc, "checks"), i, c) {
        const char *m = json_string_value(json_object_get(c, "message"));
        if (m && strstr(m, want))
            return 1;
    }
    return 0;
}

START_TEST(hostile_submission)
{
    const struct hostile_case *c = &cases[_i];
    /* HOSTILE_FILTER=name grades that case alone (the edit loop). */
    const char *only = getenv("HOSTILE_FILTER");
    if (only && *only && !strstr(c->name, only))
        return;
    char *before = tree_hash();
    char dir[] = "/tmp/racelab-hostile.XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    /* racelab's scratch goes here too (TMPDIR): the runs' uids need to
     * reach it. */
    ck_assert_int_eq(chmod(dir, 0755), 0);
    char *sub = NULL, *cmd = NULL;
    ck_assert(asprintf(&sub, "%s/submission", dir) > 0);
    ck_assert_int_eq(mkdir(sub, 0755), 0);
    set_up_folder(c, sub);
    /* timeout: a grader that hangs on the case fails it, not the suite. */
    ck_assert(asprintf(&cmd,
                       "TMPDIR=%s nice -n 10 timeout 150 bin/racelab grade "
                       "%s %s --json %s/grade.json >%s/grade.txt "
                       "2>%s/stderr.txt",
                       dir, c->lab ? c->lab : "06-counter", sub, dir, dir,
                       dir) > 0);
    int status = run(cmd);
    char left[512];
    int nleft = survivors(dir, left, sizeof left);
    ck_assert_msg(nleft == 0, "%s: %d processes of the run left:%s", c->name,
                  nleft, left);
    ck_assert_msg(status == 0, "%s: racelab grade exited %d", c->name, status);
    char path[512];
    snprintf(path, sizeof path, "%s/grade.json", dir);
    json_error_t jerr;
    json_t *doc = json_load_file(path, 0, &jerr);
    ck_assert_msg(doc != NULL, "%s: no JSON: %s", c->name, jerr.text);
    int score = (int)json_integer_value(json_object_get(doc, "score"));
    ck_assert_msg(score <= c->max_score, "%s: scored %d, at most %d allowed",
                  c->name, score, c->max_score);
    if (c->message)
        ck_assert_msg(some_message_has(doc, c->message),
                      "%s: no message says '%s'", c->name, c->message);
    json_decref(doc);
    const char *texts[] = {"grade.txt", "stderr.txt"};
    for (int t = 0; t < 2; t++) {
        snprintf(path, sizeof path, "%s/%s", dir, texts[t]);
        size_t len = 0;
        char *text = read_text(path, &len);
        ck_assert_ptr_nonnull(text);
        ck_assert_msg(!memchr(text, '\x1b', len) && !memchr(text, '\r', len),
                      "%s: raw ESC or CR in %s", c->name, texts[t]);
        if (c->shown && t == 0)
            ck_assert_msg(strstr(text, c->shown), "%s: the report lacks '%s'",
                          c->name, c->shown);
        if (c->never && t == 0)
            ck_assert_msg(!strstr(text, c->never), "%s: the report says '%s'",
                          c->name, c->never);
        free(text);
    }
    char *after = tree_hash();
    ck_assert_msg(strcmp(before, after) == 0, "%s: the course tree changed",
                  c->name);
    snprintf(path, sizeof path, "rm -rf %s", dir);
    run(path);
    free(before);
    free(after);
    free(sub);
    free(cmd);
}
END_TEST

/* ---- confinement: lab 01 servers that attack the grader ------------- */

/*
 * Each attack is lab 01's starter (4/10) whose main first runs a piece of
 * code against the grader, then serves.  What it found it sends back for
 * every line a client sends, where the echo check's message quotes it
 * ("got back ..."), and prints it: the widest channel into the report.
 * "LEAKED" or "WROTE" starts the answer when something got through,
 * "BLOCKED" when everything was refused.  The source is made at run time,
 * so that it names the checkout's and the submission's real paths (what
 * an attacker learns from argv, /proc/self/cwd or debug information).
 */
struct attack {
    const char *name;
    const char *code;   /* the body of attack(); CHECKOUT and SUBMISSION */
    int fallback;       /* also run with the view forced off */
    int fallback_leaks; /* ... where reading it is what the view stops */
};

static const char attack_prelude[] =
    "/* echoserver.c: a hostile lab 01 server (tests/hostile) */\n"
    "#include \"csapp.h\"\n"
    "#include <dirent.h>\n"
    "#include <stdarg.h>\n"
    "#include <sys/mount.h>\n"
    "static char got[4096], blocked[4096];\n"
    "static void say(char *buf, const char *fmt, ...)\n"
    "{\n"
    "    va_list ap;\n"
    "    size_t n = strlen(buf);\n"
    "    va_start(ap, fmt);\n"
    "    vsnprintf(buf + n, 4096 - n, fmt, ap);\n"
    "    va_end(ap);\n"
    "}\n"
    "static void try_read(const char *path)\n"
    "{\n"
    "    char data[100];\n"
    "    int fd = open(path, O_RDONLY);\n"
    "    ssize_t n = fd < 0 ? -1 : read(fd, data, sizeof data - 1);\n"
    "    if (fd >= 0)\n"
    "        close(fd);\n"
    "    if (n > 0) {\n"
    "        data[n] = 0;\n"
    "        for (ssize_t i = 0; i < n; i++)\n"
    "            if (data[i] == '\\n' || data[i] == '\\r') data[i] = '|';\n"
    "        say(got, \"LEAKED %s: %s; \", path, data);\n"
    "    } else {\n"
    "        say(blocked, \"BLOCKED read %s: %s; \", path,\n"
    "            n == 0 ? \"empty\" : strerror(errno));\n"
    "    }\n"
    "}\n"
    "static void try_write(const char *path, int flags)\n"
    "{\n"
    "    int fd = open(path, O_WRONLY | flags, 0644);\n"
    "    if (fd >= 0) {\n"
    "        say(got, \"WROTE %s; \", path);\n"
    "        close(fd);\n"
    "    } else {\n"
    "        say(blocked, \"BLOCKED write %s: %s; \", path, strerror(errno));\n"
    "    }\n"
    "}\n"
    "static void try_remove(const char *path)\n"
    "{\n"
    "    if (unlink(path) == 0 || rmdir(path) == 0)\n"
    "        say(got, \"WROTE (removed) %s; \", path);\n"
    "    else\n"
    "        say(blocked, \"BLOCKED remove %s: %s; \", path, "
    "strerror(errno));\n"
    "}\n";

static const char attack_server[] =
    "static void echo(int connfd)\n"
    "{\n"
    "    char line[MAXLINE];\n"
    "    ssize_t n;\n"
    "    char answer[8192];\n"
    "    snprintf(answer, sizeof answer, \"%s%s\\n\", got, blocked);\n"
    "    while ((n = readline(connfd, line, sizeof line)) > 0)\n"
    "        if (writen(connfd, answer, strlen(answer)) < 0)\n"
    "            break;\n"
    "}\n"
    "int main(int argc, char **argv)\n"
    "{\n"
    "    if (argc != 2) {\n"
    "        fprintf(stderr, \"usage: %s PORT\\n\", argv[0]);\n"
    "        exit(2);\n"
    "    }\n"
    "    attack(argv);\n"
    "    printf(\"%s%s\\n\", got, blocked);\n"
    "    fprintf(stderr, \"%s%s\\n\", got, blocked);\n"
    "    fflush(stdout);\n"
    "    int listenfd = Open_listenfd(argv[1]);\n"
    "    for (;;) {\n"
    "        struct sockaddr_storage addr;\n"
    "        socklen_t len = sizeof addr;\n"
    "        int connfd = Accept(listenfd, (SA *)&addr, &len);\n"
    "        echo(connfd);\n"
    "        Close(connfd);\n"
    "    }\n"
    "}\n";

static const struct attack attacks[] = {
    {"read-solution",
     "    try_read(CHECKOUT \"/solutions/01-iterative/echoserver.c\");\n"
     "    try_read(CHECKOUT \"/labs/01-iterative/rubric.json\");\n"
     "    try_read(CHECKOUT \"/harness/lib/sandbox.c\");\n"
     "    try_read(\"/proc/self/cwd/../../../solutions/01-iterative/"
     "echoserver.c\");\n",
     1, 1},
    {"read-shadow",
     "    try_read(\"/etc/shadow\");\n"
     "    try_read(\"/etc/gshadow\");\n",
     1, 0},
    {"proc-1-root",
     "    try_read(\"/proc/1/root/etc/hostname\");\n"
     "    try_read(\"/proc/1/root\" CHECKOUT \"/labs/01-iterative/"
     "rubric.json\");\n"
     "    try_read(\"/proc/1/cwd/\" \"labs/01-iterative/rubric.json\");\n"
     "    try_read(\"/proc/1/environ\");\n",
     0, 0},
    {"sys-class-net",
     "    DIR *d = opendir(\"/sys/class/net\");\n"
     "    struct dirent *e;\n"
     "    int others = 0;\n"
     "    while (d && (e = readdir(d)))\n"
     "        if (e->d_name[0] != '.' && strcmp(e->d_name, \"lo\") != 0) {\n"
     "            say(got, \"LEAKED interface %s; \", e->d_name);\n"
     "            others++;\n"
     "        }\n"
     "    if (d)\n"
     "        closedir(d);\n"
     "    if (!others)\n"
     "        say(blocked, \"BLOCKED /sys/class/net: lo only; \");\n",
     0, 0},
    {"umount-proc",
     "    if (umount2(\"/proc\", MNT_DETACH) == 0) {\n"
     "        say(got, \"WROTE (unmounted /proc); \");\n"
     "        try_read(\"/proc/1/cmdline\");\n"
     "    } else {\n"
     "        say(blocked, \"BLOCKED umount /proc: %s; \", strerror(errno));\n"
     "    }\n",
     0, 0},
    {"write-outside",
     "    try_write(CHECKOUT \"/labs/01-iterative/rubric.json\", O_APPEND);\n"
     "    try_write(CHECKOUT \"/bin/racelab\", O_APPEND);\n"
     "    try_write(CHECKOUT \"/labs/planted.c\", O_CREAT | O_EXCL);\n"
     /* /tmp is its own in the view: the test looks in the host's. */
     "    int fd = open(\"/tmp/racelab-hostile-planted\", O_WRONLY | "
     "O_CREAT, 0644);\n"
     "    if (fd >= 0)\n"
     "        close(fd);\n",
     1, 0},
    {"delete-submission",
     "    try_remove(SUBMISSION \"/echoserver.c\");\n"
     "    try_remove(SUBMISSION);\n"
     "    try_remove(CHECKOUT \"/solutions/01-iterative/echoserver.c\");\n",
     1, 0},
    /* 600 MiB in 32 MiB files: more than its work folder's 512 MiB. */
    /* The probe's table, mapped by the grader while the program runs,
     * cut to nothing under it: the grader must not die of SIGBUS. */
    {"truncate-probe-table",
     "    sleep(1); /* the grader maps the table meanwhile */\n"
     "    if (truncate(\"probe.shm\", 0) == 0)\n"
     "        say(blocked, \"BLOCKED (cut probe.shm; the grader lives); \");\n"
     "    else\n"
     "        say(blocked, \"BLOCKED truncate probe.shm: %s; \", "
     "strerror(errno));\n"
     "    sleep(1);\n",
     0, 0},
    {"fill-disk",
     "    static char block[1 << 20];\n"
     "    int mib = 0;\n"
     "    const char *why = \"stopped\";\n"
     "    for (int f = 0; f < 19 && mib < 600; f++) {\n"
     "        char name[32];\n"
     "        snprintf(name, sizeof name, \"fill-%d\", f);\n"
     "        int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);\n"
     "        if (fd < 0) { why = strerror(errno); break; }\n"
     "        for (int i = 0; i < 32; i++, mib++)\n"
     "            if (write(fd, block, sizeof block) != sizeof block) {\n"
     "                why = strerror(errno); f = 99; break;\n"
     "            }\n"
     "        close(fd);\n"
     "    }\n"
     "    if (mib >= 600)\n"
     "        say(got, \"WROTE %d MiB; \", mib);\n"
     "    else\n"
     "        say(blocked, \"BLOCKED fill at %d MiB: %s; \", mib, why);\n",
     0, 0},
};
enum { NATTACKS = sizeof attacks / sizeof attacks[0] };

/* The attack's source in sub/echoserver.c. */
static void write_attack(const struct attack *a, const char *sub)
{
    char cwd[4096], path[4200];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    snprintf(path, sizeof path, "%s/echoserver.c", sub);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "#define CHECKOUT \"%s\"\n#define SUBMISSION \"%s\"\n", cwd,
            sub);
    fputs(attack_prelude, f);
    fprintf(f, "static void attack(char **argv)\n{\n    (void)argv;\n%s}\n",
            a->code);
    fputs(attack_server, f);
    fclose(f);
    ck_assert_int_eq(chmod(path, 0644), 0);
}

/* labs/, solutions/, the harness's binary and the rubric, hashed. */
static char *course_hash(void)
{
    FILE *p = popen("find labs solutions bin/racelab harness -print0 | "
                    "LC_ALL=C sort -z | xargs -0 sha256sum 2>&1 | sha256sum",
                    "r");
    ck_assert_ptr_nonnull(p);
    char line[256] = "";
    ck_assert_ptr_nonnull(fgets(line, sizeof line, p));
    pclose(p);
    return strdup(line);
}

/* Grades the attack (view forced off when noview); returns the text
 * report, with the JSON document in *doc and stderr checked too. */
static char *grade_attack(const struct attack *a, int noview, json_t **doc,
                          char *dir, size_t dirlen)
{
    snprintf(dir, dirlen, "/tmp/racelab-hostile.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(chmod(dir, 0755), 0);
    char sub[512], cmd[2048], path[600];
    snprintf(sub, sizeof sub, "%s/submission", dir);
    ck_assert_int_eq(mkdir(sub, 0755), 0);
    write_attack(a, sub);
    unlink("/tmp/racelab-hostile-planted");
    snprintf(cmd, sizeof cmd,
             "%s nice -n 10 timeout 150 bin/racelab grade 01-iterative %s "
             "--json %s/grade.json >%s/grade.txt 2>%s/stderr.txt",
             noview ? "RACELAB_SANDBOX=noview" : "", sub, dir, dir, dir);
    int status = run(cmd);
    ck_assert_msg(status == 0, "%s: racelab grade exited %d", a->name, status);
    snprintf(path, sizeof path, "%s/grade.json", dir);
    json_error_t jerr;
    *doc = json_load_file(path, 0, &jerr);
    ck_assert_msg(*doc != NULL, "%s: no JSON: %s", a->name, jerr.text);
    /* Everything the student would be shown, in one text. */
    char *all = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&all, &len);
    const char *files[] = {"grade.txt", "grade.json", "stderr.txt"};
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        char *text = read_text(path, NULL);
        ck_assert_ptr_nonnull(text);
        fprintf(m, "%s\n", text);
        free(text);
    }
    fclose(m);
    /* Its folder and file are still there; the host's /tmp has no file
     * of it. */
    snprintf(path, sizeof path, "%s/echoserver.c", sub);
    char cwd[4096];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    /* (Without the view, a checkout other users cannot reach runs it as
     * root: fallback_attack checks that this is said.) */
    int as_root = noview && geteuid() == 0 && !rl_run_uid_can_read(cwd);
    ck_assert_msg(as_root || access(path, R_OK) == 0, "%s: its file is gone",
                  a->name);
    /* World-writable folders are shared without a view (docs say so). */
    ck_assert_msg(noview || access("/tmp/racelab-hostile-planted", F_OK) != 0,
                  "%s: planted a file in the host's /tmp", a->name);
    unlink("/tmp/racelab-hostile-planted");
    return all;
}

/* Up to 600 bytes of text around what, for a failure's message (Check
 * refuses long ones); the start of text when what is not there. */
static const char *excerpt(const char *text, const char *what)
{
    static char buf[640];
    const char *at = what ? strstr(text, what) : NULL;
    if (!at)
        at = text;
    else if (at - text > 200)
        at -= 200;
    else
        at = text;
    snprintf(buf, sizeof buf, "%.600s", at);
    return buf;
}

/* 1 when some string of the JSON's "isolation" list holds want. */
static int isolation_has(json_t *doc, const char *want)
{
    size_t i;
    json_t *v;
    json_array_foreach (json_object_get(doc, "isolation"), i, v)
        if (json_string_value(v) && strstr(json_string_value(v), want))
            return 1;
    return 0;
}

static void remove_dir(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    run(cmd);
}

/* With its view: nothing leaks, nothing is written, the score is at most
 * the starter's, and the answer shows the attack ran and was refused. */
START_TEST(confined_attack)
{
    const struct attack *a = &attacks[_i];
    char *before = course_hash();
    char dir[256];
    json_t *doc = NULL;
    char *all = grade_attack(a, 0, &doc, dir, sizeof dir);
    int score = (int)json_integer_value(json_object_get(doc, "score"));
    ck_assert_msg(score <= 4, "%s: scored %d, the starter 4", a->name, score);
    ck_assert_msg(!strstr(all, "LEAKED"), "%s: got through: %s", a->name,
                  excerpt(all, "LEAKED"));
    ck_assert_msg(!strstr(all, "WROTE"), "%s: got through: %s", a->name,
                  excerpt(all, "WROTE"));
    ck_assert_msg(some_message_has(doc, "BLOCKED"),
                  "%s: no message shows the attack was refused: %s", a->name,
                  excerpt(all, "got back"));
    ck_assert_msg(strstr(all, "private filesystem view") &&
                      strstr(all, "work folder limited to 512 MiB"),
                  "%s: the isolation does not say so: %s", a->name,
                  excerpt(all, "isolation"));
    ck_assert_msg(isolation_has(doc, ", private filesystem view, "),
                  "%s: the JSON's isolation does not say so", a->name);
    char *after = course_hash();
    ck_assert_msg(strcmp(before, after) == 0, "%s: the course changed",
                  a->name);
    json_decref(doc);
    free(all);
    free(before);
    free(after);
    remove_dir(dir);
}
END_TEST

/* The view forced off (RACELAB_SANDBOX=noview, as where namespaces are
 * refused): the runs say so, and the uid alone still keeps root's files
 * as they were, /etc/shadow unread and the submission in place; what only
 * the view hides (a world-readable checkout) is read, as docs say. */
START_TEST(fallback_attack)
{
    const struct attack *a = &attacks[_i];
    if (!a->fallback)
        return;
    /* A checkout other users cannot reach (a clone in a 0700 folder, as
     * CI's): without the view no run uid can read the probe or the
     * sources, so the runs would go as root (said in their isolation:
     * tests/unit/check_run_uid.c), and these attacks would really harm
     * the checkout the later suites use.  Not run then. */
    char cwd[4096];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    if (geteuid() == 0 && !rl_run_uid_can_read(cwd))
        return;
    char *before = course_hash();
    char dir[256];
    json_t *doc = NULL;
    char *all = grade_attack(a, 1, &doc, dir, sizeof dir);
    int score = (int)json_integer_value(json_object_get(doc, "score"));
    ck_assert_msg(score <= 4, "%s: scored %d, the starter 4", a->name, score);
    ck_assert_msg(strstr(all, "no filesystem view: disabled "
                              "(RACELAB_SANDBOX=noview)"),
                  "%s: the isolation does not say the view is off: %s", a->name,
                  excerpt(all, "isolation"));
    ck_assert_msg(isolation_has(doc, ", no filesystem view: disabled"),
                  "%s: the JSON's isolation does not say so", a->name);
    ck_assert_msg(!strstr(all, "WROTE"), "%s: wrote: %s", a->name,
                  excerpt(all, "WROTE"));
    if (a->fallback_leaks)
        ck_assert_msg(strstr(all, "LEAKED"), "%s: expected the read: %s",
                      a->name, excerpt(all, "got back"));
    else
        ck_assert_msg(!strstr(all, "LEAKED") &&
                          some_message_has(doc, "BLOCKED"),
                      "%s: %s", a->name, excerpt(all, "LEAKED"));
    char *after = course_hash();
    ck_assert_msg(strcmp(before, after) == 0, "%s: the course changed",
                  a->name);
    json_decref(doc);
    free(all);
    free(before);
    free(after);
    remove_dir(dir);
}
END_TEST

/* The solution named by #include, by absolute path and by "../": the
 * compiler cannot see it, and no byte of it reaches a report. */
START_TEST(include_solution_refused)
{
    char *before = course_hash();
    char cwd[4096];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    char dir[] = "/tmp/racelab-hostile.XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(chmod(dir, 0755), 0);
    char sub[512], path[600], cmd[2048];
    snprintf(sub, sizeof sub, "%s/submission", dir);
    ck_assert_int_eq(mkdir(sub, 0755), 0);
    snprintf(path, sizeof path, "%s/echoserver.c", sub);
    FILE *f = fopen(path, "w");
    fprintf(f, "#include \"%s/solutions/01-iterative/echoserver.c\"\n", cwd);
    fclose(f);
    snprintf(cmd, sizeof cmd,
             "timeout 150 bin/racelab grade 01-iterative %s --json "
             "%s/grade.json >%s/grade.txt 2>%s/stderr.txt",
             sub, dir, dir, dir);
    ck_assert_int_eq(run(cmd), 0);
    snprintf(path, sizeof path, "%s/grade.json", dir);
    json_t *doc = json_load_file(path, 0, NULL);
    ck_assert_ptr_nonnull(doc);
    ck_assert_int_eq(json_integer_value(json_object_get(doc, "score")), 0);
    ck_assert(some_message_has(doc, "does not compile"));
    json_decref(doc);
    /* A line of the solution that the starter does not have. */
    char *solution = read_text("solutions/01-iterative/echoserver.c", NULL);
    char *starter = read_text("labs/01-iterative/echoserver.c", NULL);
    char line[256] = "";
    for (char *p = solution, *nl; p && (nl = strchr(p, '\n')); p = nl + 1) {
        size_t n = (size_t)(nl - p);
        if (n < 20 || n >= sizeof line)
            continue;
        memcpy(line, p, n);
        line[n] = 0;
        if (!strstr(starter, line))
            break;
        line[0] = 0;
    }
    ck_assert_msg(line[0], "no line of the solution to look for");
    const char *files[] = {"grade.txt", "grade.json", "stderr.txt"};
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        char *text = read_text(path, NULL);
        ck_assert_ptr_nonnull(text);
        ck_assert_msg(!strstr(text, line), "%s shows the solution: %s",
                      files[i], line);
        free(text);
    }
    free(solution);
    free(starter);
    char *after = course_hash();
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    remove_dir(dir);
}
END_TEST

/* ---- the parsers, fed directly ------------------------------------- */

static char scratch[] = "/tmp/racelab-hostile-files.XXXXXX";

static void make_scratch(void)
{
    if (!mkdtemp(scratch))
        abort();
}

static void remove_scratch(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", scratch);
    run(cmd);
}

static char *write_file(const char *name, const char *text)
{
    char *path = NULL;
    if (asprintf(&path, "%s/%s", scratch, name) < 0)
        abort();
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

START_TEST(xml_entity_bomb_fails_fast)
{
    char *path = write_file(
        "bomb.xml",
        "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n"
        "<!ENTITY lol1 "
        "\"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
        "<!ENTITY lol2 "
        "\"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
        "<!ENTITY lol3 "
        "\"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
        "<!ENTITY lol4 "
        "\"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
        "<!ENTITY lol5 "
        "\"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
        "<!ENTITY lol6 "
        "\"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
        "<!ENTITY lol7 "
        "\"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
        "<!ENTITY lol8 "
        "\"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
        "<!ENTITY lol9 "
        "\"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
        "]>\n<testsuites xmlns=\"http://check.sourceforge.net/ns\"><suite>"
        "<title>&lol9;</title></suite></testsuites>\n");
    struct rl_ck_results r;
    char err[256];
    double t0 = now();
    ck_assert_int_eq(rl_ck_results_read(path, &r, err, sizeof err), -1);
    ck_assert(now() - t0 < 1.0);
    ck_assert_msg(strstr(err, "document type"), "%s", err);
    free(path);
}
END_TEST

START_TEST(xml_log_as_fifo_does_not_hang)
{
    char *path = NULL;
    ck_assert(asprintf(&path, "%s/fifo.xml", scratch) > 0);
    ck_assert_int_eq(mkfifo(path, 0644), 0);
    struct rl_ck_results r;
    char err[256];
    ck_assert_int_eq(rl_ck_results_read(path, &r, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "FIFO"), "%s", err);
    free(path);
}
END_TEST

START_TEST(xml_log_as_symlink_is_refused)
{
    char *path = NULL;
    ck_assert(asprintf(&path, "%s/link.xml", scratch) > 0);
    ck_assert_int_eq(symlink("/etc/passwd", path), 0);
    struct rl_ck_results r;
    char err[256];
    ck_assert_int_eq(rl_ck_results_read(path, &r, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "symbolic link"), "%s", err);
    free(path);
}
END_TEST

START_TEST(xml_log_too_large)
{
    char *path = NULL;
    ck_assert(asprintf(&path, "%s/big.xml", scratch) > 0);
    FILE *f = fopen(path, "w");
    fputs("<testsuites>", f);
    for (int i = 0; i < (5 << 20) / 64; i++)
        fputs("<!-- xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx -->",
              f);
    fclose(f);
    struct rl_ck_results r;
    char err[256];
    ck_assert_int_eq(rl_ck_results_read(path, &r, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "too large"), "%s", err);
    free(path);
}
END_TEST

static const char log_head[] =
    "<?xml version=\"1.0\"?>\n<testsuites "
    "xmlns=\"http://check.sourceforge.net/ns\"><suite><title>counter</title>";
#define TEST_XML(id)                                                           \
    "<test result=\"success\"><fn>check_counter.c:1</fn><id>" id               \
    "</id><description>totals</description><message>Passed</message></test>"

static char *verify(const char *name, const char *body)
{
    char *text = NULL;
    ck_assert(asprintf(&text, "%s%s</suite></testsuites>\n", log_head, body) >
              0);
    char *path = write_file(name, text);
    struct rl_ck_results r;
    char err[256];
    ck_assert_int_eq(rl_ck_results_read(path, &r, err, sizeof err), 0);
    struct rl_lab_tests t;
    char *sources[] = {"labs/06-counter/tests/check_counter.c", NULL};
    rl_lab_tests_read(sources, &t);
    ck_assert_int_eq(t.n, 3);
    char *why = rl_lab_tests_verify(&t, &r, NULL, NULL);
    rl_lab_tests_free(&t);
    rl_ck_results_free(&r);
    free(path);
    free(text);
    return why;
}

START_TEST(forged_test_lists_are_caught)
{
    char *why = verify("ok.xml", TEST_XML("edge_cases") TEST_XML("locked_total")
                                     TEST_XML("fast_total"));
    ck_assert_ptr_null(why);
    why = verify("unknown.xml", TEST_XML("edge_cases") TEST_XML("locked_total")
                                    TEST_XML("fast_total") TEST_XML("bonus"));
    ck_assert_msg(why && strstr(why, "'bonus'"), "%s", why);
    free(why);
    why = verify("twice.xml",
                 TEST_XML("edge_cases") TEST_XML("edge_cases")
                     TEST_XML("locked_total") TEST_XML("fast_total"));
    ck_assert_msg(why && strstr(why, "twice"), "%s", why);
    free(why);
    why = verify("missing.xml", TEST_XML("edge_cases") TEST_XML("fast_total"));
    ck_assert_msg(why && strstr(why, "lacks test 'locked_total'"), "%s", why);
    free(why);
}
END_TEST

START_TEST(sched_results_bounds_checked)
{
    static const char *const forged[] = {
        "trace 1 -1 0\nstep 0 1 4 0 0 0 0 0 0 0\nend\n",
        "trace 1 99999999999 0\nend\n",
        "trace 1 1 0\nstep 9999 1 4 0 0 0 0 0 0 0\nend\n",
        "trace 1 1 0\nstep 0 1 4 0 0 0 0 0 0 0\nstep 0 1 4 0 0 0 0 0 0 0\n"
        "end\n",
        "trace 1 0 0\nwaiter 70000 1 0 0 0 0 0 0 0 0 0 0 0\nend\n",
        "trace 1 0 0\noutput 99999999\nend\n",
        "trace 1 2 0\nstep 0 1 4 0 0 0 0 0 0 0\n",
    };
    for (size_t i = 0; i < sizeof forged / sizeof *forged; i++) {
        char name[32];
        snprintf(name, sizeof name, "sched%zu.out", i);
        char *path = write_file(name, forged[i]);
        struct rl_explore x = {0};
        char err[256] = "";
        ck_assert_int_eq(rl_sched_parse(path, &x, err, sizeof err), -1);
        ck_assert_msg(strstr(err, "the program wrote into them"), "%s", err);
        rl_explore_free(&x);
        free(path);
    }
    char *path = write_file(
        "good.out",
        "calibrate 38\nseed 1 exit 0 signal 0 verdict none steps 38\n"
        "trace 1 1 0\nstep 0 1 4 10 0 0 0 0 0 0\noutput 3\nhi\nend\n");
    struct rl_explore x = {0};
    char err[256] = "";
    ck_assert_int_eq(rl_sched_parse(path, &x, err, sizeof err), 0);
    ck_assert_int_eq(x.nseeds, 1);
    ck_assert_int_eq(x.ntraces, 1);
    ck_assert_int_eq(x.traces[0].nsteps, 1);
    rl_explore_free(&x);
    free(path);
}
END_TEST

START_TEST(escapes_shown_not_obeyed)
{
    char *s = rl_escape_text("ok\tline\n\x1b[2K\rPASS \x7f\xff\xe2\x80\xae"
                             "é",
                             100);
    ck_assert_str_eq(s, "ok\tline\n\\x1b[2K\\rPASS \\x7f\\xff\\u202eé");
    free(s);
    s = rl_escape_text("abcdefghij", 4);
    ck_assert_str_eq(s, "abcd... (6 more bytes dropped)");
    free(s);
}
END_TEST

/* ---- correct code is never refused --------------------------------- */

/* Every student file of one folder graded as a submission of lab. */
static void check_folder(const char *lab, const char *dir, json_t *files,
                         int library_lab)
{
    size_t i;
    json_t *f;
    json_array_foreach (files, i, f) {
        const char *name = json_string_value(f);
        char path[4096], labdir[512];
        snprintf(path, sizeof path, "%s/%s", dir, name);
        snprintf(labdir, sizeof labdir, "labs/%s", lab);
        if (access(path, F_OK) != 0)
            continue;
        char *why = rl_submission_file_problem(name, path);
        ck_assert_msg(!why, "%s refused: %s", path, why);
        char *includes[] = {labdir, NULL};
        int internal = 0;
        char err[256] = "";
        why = rl_submission_symbols_problem(name, path, includes, library_lab,
                                            &internal, err, sizeof err);
        ck_assert_msg(!why, "%s refused: %s", path, why);
        ck_assert_msg(!internal, "%s: %s", path, err);
    }
}

/* Each lab's starter, solution and seeded-bug variants (tests/labs/):
 * the checks refuse only what no honest submission needs. */
START_TEST(no_lab_code_is_refused)
{
    DIR *labs = opendir("labs");
    ck_assert_ptr_nonnull(labs);
    struct dirent *d;
    int nlabs = 0;
    while ((d = readdir(labs)) != NULL) {
        char path[512];
        snprintf(path, sizeof path, "labs/%s/rubric.json", d->d_name);
        json_t *rubric = json_load_file(path, 0, NULL);
        if (!rubric)
            continue;
        nlabs++;
        json_t *files = json_object_get(rubric, "student_files");
        int library_lab = 0;
        const char *key;
        json_t *run;
        json_object_foreach (json_object_get(rubric, "runs"), key, run)
            library_lab |= json_is_true(json_object_get(run, "check_tests"));
        snprintf(path, sizeof path, "labs/%s", d->d_name);
        check_folder(d->d_name, path, files, library_lab);
        snprintf(path, sizeof path, "solutions/%s", d->d_name);
        check_folder(d->d_name, path, files, library_lab);
        snprintf(path, sizeof path, "tests/labs/%s", d->d_name);
        DIR *variants = opendir(path);
        struct dirent *v;
        while (variants && (v = readdir(variants)) != NULL) {
            if (v->d_name[0] == '.')
                continue;
            char vdir[1024];
            snprintf(vdir, sizeof vdir, "%s/%s", path, v->d_name);
            struct stat st;
            if (stat(vdir, &st) == 0 && S_ISDIR(st.st_mode))
                check_folder(d->d_name, vdir, files, library_lab);
        }
        if (variants)
            closedir(variants);
        json_decref(rubric);
    }
    closedir(labs);
    ck_assert_int_ge(nlabs, 9);
}
END_TEST

static Suite *make_hostile_suite(void)
{
    Suite *s = suite_create("hostile");
    TCase *files = tcase_create("files");
    tcase_add_unchecked_fixture(files, make_scratch, remove_scratch);
    tcase_add_test(files, xml_entity_bomb_fails_fast);
    tcase_add_test(files, xml_log_as_fifo_does_not_hang);
    tcase_add_test(files, xml_log_as_symlink_is_refused);
    tcase_add_test(files, xml_log_too_large);
    tcase_add_test(files, forged_test_lists_are_caught);
    tcase_add_test(files, sched_results_bounds_checked);
    tcase_add_test(files, escapes_shown_not_obeyed);
    tcase_set_timeout(files, 30);
    suite_add_tcase(s, files);
    TCase *honest = tcase_create("honest");
    tcase_add_test(honest, no_lab_code_is_refused);
    tcase_set_timeout(honest, 300);
    suite_add_tcase(s, honest);
    /* The confinement (docs/isolation.md): root only, as the runs get a
     * uid and a view of their own only then. */
    if (geteuid() == 0) {
        TCase *confine = tcase_create("confine");
        tcase_add_loop_test(confine, confined_attack, 0, NATTACKS);
        tcase_add_test(confine, include_solution_refused);
        tcase_set_timeout(confine, 200);
        suite_add_tcase(s, confine);
        TCase *fallback = tcase_create("fallback");
        tcase_add_loop_test(fallback, fallback_attack, 0, NATTACKS);
        tcase_set_timeout(fallback, 200);
        suite_add_tcase(s, fallback);
    }
    TCase *subs = tcase_create("submissions");
    tcase_add_loop_test(subs, hostile_submission, 0, NCASES);
    tcase_set_timeout(subs, 200);
    suite_add_tcase(s, subs);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(make_hostile_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
