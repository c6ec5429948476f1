/* preflight.h: checks that TSan, valgrind and the sandbox work here. */
#ifndef RACELAB_PREFLIGHT_H
#define RACELAB_PREFLIGHT_H

#include <stdio.h>

#include "lib/sandbox.h"

struct rl_preflight {
    int tsan_ok;       /* a racy clang -fsanitize=thread program, run as
                          `setarch $(uname -m) -R prog`, reports the race */
    int valgrind_ok;   /* `valgrind --tool=memcheck true` runs cleanly */
    int namespaces_ok; /* the sandbox gets pid+net namespaces */
    int cgroup_ok;     /* the sandbox gets a memory and/or pids cgroup */
    int from_cache;    /* 1: the verdict came from the cache file */
    /* Runs of user code as a uid of their own (lib/run_uid.h): checked
     * when not from the cache (racelab doctor).  run_uid_checked 0: not
     * looked at; run_uid_ok 1: a confined run got its own uid;
     * run_uid_isolation: what the confined run said. */
    int run_uid_checked, run_uid_ok;
    /* The same run: it saw a filesystem view of its own (view_ok), its
     * work folder was a size-limited tmpfs (disk_ok). */
    int view_ok, disk_ok;
    char run_uid_isolation[RL_ISOLATION_MAX];
    char isolation[RL_ISOLATION_MAX]; /* the sandbox's own description */
    char message[1024]; /* what does not work, each with its exact fix;
                           "" when everything works */
    /* The same, one tool at a time (a check says which tool it lacked):
     * "" when that tool works. */
    char tsan_why[512], valgrind_why[512];
};

/*
 * Runs the checks (about a second), or reads a cached verdict keyed by
 * the clang, valgrind and setarch binaries, the kernel, the uid and
 * vm.mmap_rnd_bits.  Only a fully good verdict is cached, so a fix is
 * seen at once.  The cache is ${XDG_CACHE_HOME:-$HOME/.cache}/racelab/
 * preflight; an unwritable cache only costs time.
 * Returns 0 when tsan_ok and valgrind_ok, else -1 (p->message says why).
 */
int rl_preflight_run(struct rl_preflight *p);
/* The same, choosing whether the cache may be read and written. */
int rl_preflight_run_cached(struct rl_preflight *p, int use_cache);
/* Prints the verdict for people: one "ok" line, or problems and fixes. */
void rl_preflight_print(const struct rl_preflight *p, FILE *out);

#endif
