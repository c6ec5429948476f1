/* sanitizer_report.h: the text reports of TSan, ASan, LSan and UBSan. */
#ifndef RACELAB_SANITIZER_REPORT_H
#define RACELAB_SANITIZER_REPORT_H

#include <stddef.h>

#include "engine/finding.h"
#include "engine/sources.h"

/* One line of a stack: "#3 on_signal /x/y.c:10:5 (prog+0xd016c)". */
struct rl_san_frame {
    int index;      /* the N of #N */
    char *function; /* NULL when the runtime printed none or "<null>" */
    char *file;     /* NULL when only a module is known */
    int line;       /* 0 when not printed */
    int column;     /* 0 when not printed */
    char *module;   /* "prog+0xd016c" when printed, else NULL */
};

/*
 * A part of a report: its first line (the heading, e.g. "Previous write
 * of size 8 at 0x... by thread T1:") and the stack printed under it.  The
 * stack printed right under a report's headline has an empty heading.
 */
struct rl_san_section {
    char *heading;
    struct rl_san_frame *frames;
    size_t nframes;
};

/* One report, from its headline to its SUMMARY line. */
struct rl_san_report {
    char *tool;  /* "ThreadSanitizer", "AddressSanitizer", "LeakSanitizer",
                  * "UndefinedBehaviorSanitizer" */
    char *kind;  /* "data race", "heap-use-after-free", "detected memory
                  * leaks", "runtime error", ... */
    char *title; /* the headline after the tool name, pid removed */
    int pid;     /* 0 when the headline has none */
    int fatal;   /* the runtime itself failed (FATAL:, fatal error) */
    /* UBSan names the place in its headline: "f.c:11:9: runtime error" */
    struct rl_san_frame where;
    struct rl_san_section *sections;
    size_t nsections;
};

struct rl_san_reports {
    struct rl_san_report *v;
    size_t n, cap;
};

/* Appends every report found in text (a whole log). */
void rl_san_parse_text(const char *text, struct rl_san_reports *out);
/* Appends every report of one log file. */
int rl_san_parse_file(const char *path, struct rl_san_reports *out, char *err,
                      size_t errlen);
/*
 * Appends the reports of every dir/prefix.<pid> file (the runtimes add
 * the pid to log_path, so forked children write files of their own), in
 * pid order; *nfiles (may be NULL) is how many files there were.
 */
int rl_san_parse_logs(const char *dir, const char *prefix,
                      struct rl_san_reports *out, size_t *nfiles, char *err,
                      size_t errlen);
void rl_san_reports_free(struct rl_san_reports *r);

/* The first section whose heading starts with prefix, or NULL. */
const struct rl_san_section *rl_san_find_section(const struct rl_san_report *r,
                                                 const char *prefix);

/*
 * The user's frame of a stack: the innermost frame in one of the user's
 * files, except that the program's own thin wrapper (CS:APP's P, V,
 * Pthread_create, Malloc ...) gives way to its caller when the caller is
 * the user's too.  NULL when no frame is the user's.  *file (may be NULL)
 * gets the user's name for the frame's file.
 */
const struct rl_san_frame *rl_san_user_frame(const struct rl_san_section *s,
                                             const struct rl_sources *src,
                                             const char **file);

/* What the two sanitizer tools (tool_tsan.c, tool_asan.c) share. */

/*
 * The llvm-symbolizer the runtimes should use, into buf: without one they
 * print no file:line and no frame would be the user's.  Looks in PATH for
 * llvm-symbolizer, then llvm-symbolizer-14, then in /usr/lib/llvm-14/bin
 * (Debian package llvm-14).  -1 with err filled when there is none.
 */
int rl_san_find_symbolizer(char *buf, size_t len, char *err, size_t errlen);

/*
 * The options every runtime of a run gets, followed by rest:
 * "log_path='DIR/NAME':symbolize=1:external_symbolizer_path='...':REST".
 * Quoted, so that folders with blanks or colons work; NULL with err filled
 * when a path holds a quote or no symbolizer is found.  Free the result.
 */
char *rl_san_options(const char *dir, const char *name, const char *rest,
                     char *err, size_t errlen);

/*
 * Findings being collected from one run's reports, with a key each, so
 * that a bug reported twice (two pcs on the same lines, the same leak in
 * two processes) becomes one finding.
 */
struct rl_san_collector {
    struct rl_findings list;
    char **keys; /* parallel to list.v */
    const char *tool;
};

/* The finding with this key, created with id when new (*fresh = 1). */
struct rl_finding *rl_san_collect(struct rl_san_collector *c, const char *key,
                                  const char *id, int *fresh);
/* Moves the findings to the end of out and frees the keys. */
void rl_san_collect_finish(struct rl_san_collector *c, struct rl_findings *out);

/* "file:line" or "file" (line 0) of a user frame, for keys and details. */
void rl_san_place(char *buf, size_t len, const char *file,
                  const struct rl_san_frame *f);

/*
 * A section heading as a reader wants it: addresses ("at 0x...",
 * "(0x...)", "(tid=..., running)") and the final colon removed, the first
 * letter in lower case: "write of size 8 by thread T2".
 */
void rl_san_clean_heading(char *buf, size_t len, const char *heading);

/* One side of a report (an access, a free, an allocation): its section,
 * the innermost user frame in it, and the user's name for that file. */
struct rl_san_side {
    const struct rl_san_section *sec;
    const struct rl_san_frame *frame; /* NULL: no frame of the user's */
    const char *file;
};

void rl_san_side_find(struct rl_san_side *s, const struct rl_san_section *sec,
                      const struct rl_sources *sources);
/* Adds the side's user frame as a location of f, if it has one. */
void rl_san_side_add(struct rl_finding *f, const struct rl_san_side *s);
/* Records the side as one of f's sides (finding.h: what it did and every
 * frame of its stack in the user's files), if it has a user frame. */
void rl_san_side_record(struct rl_finding *f, const char *what,
                        const struct rl_san_side *s,
                        const struct rl_sources *sources);
/* Appends "what at file:line (function)" for a side with a user frame. */
void rl_san_side_detail(struct rl_finding *f, const char *what,
                        const struct rl_san_side *s);

#endif
