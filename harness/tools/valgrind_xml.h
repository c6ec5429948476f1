/* valgrind_xml.h: valgrind's XML reports in a small tool-neutral form. */
#ifndef RACELAB_VALGRIND_XML_H
#define RACELAB_VALGRIND_XML_H

#include <stddef.h>
#include "engine/finding.h"
#include "engine/sources.h"
#include "tools/tool.h"

/* One frame of a stack; any field may be NULL (line 0) when unknown. */
struct rl_vg_frame {
    char *fn;   /* function name */
    char *dir;  /* folder of the source file, as debug info names it */
    char *file; /* source file name */
    char *obj;  /* the executable or library */
    int line;
};

/*
 * A stack, innermost frame first.  label says what the stack shows: NULL
 * for an error's first stack (where it happened), else the auxwhat text
 * printed just before it ("Address ... free'd", "This conflicts with a
 * previous write ...") or "other_segment_start"/"other_segment_end" (drd).
 */
struct rl_vg_stack {
    char *label;
    struct rl_vg_frame *v;
    size_t n;
};

/* One <error> element. */
struct rl_vg_error {
    char *kind; /* "Race", "LockOrder", "ConflictingAccess", ... */
    char *what; /* <what> or <xwhat><text> */
    char **aux; /* every <auxwhat> and <xauxwhat><text>, in order */
    size_t naux;
    struct rl_vg_stack *stacks;
    size_t nstacks;
    int tid; /* valgrind's thread number, 0 when not given */
};

struct rl_vg_report {
    struct rl_vg_error *errors; /* complete <error> elements only */
    size_t nerrors;
    /*
     * Stacks printed outside any element after the final status: in XML
     * mode valgrind 3.19 writes there the stacks of the descriptors still
     * open at exit (--track-fds), in the order of its text log.
     */
    struct rl_vg_stack *exit_stacks;
    size_t nexit_stacks;
    int finished;     /* saw <state>FINISHED</state> */
    int complete;     /* saw </valgrindoutput>: not truncated */
    int fatal_signal; /* the signal that ended the program, else 0 */
};

/*
 * Parses a report.  A truncated document (a run killed at its timeout) is
 * not an error: every complete <error> is kept and complete stays 0.  An
 * empty file counts as truncated.  Returns -1 when the file cannot be read
 * or is malformed before its end.
 */
int rl_vg_parse_file(const char *path, struct rl_vg_report *r, char *err,
                     size_t errlen);
int rl_vg_parse_buffer(const char *buf, size_t len, struct rl_vg_report *r,
                       char *err, size_t errlen);
void rl_vg_report_free(struct rl_vg_report *r);

/* One "Open ..." entry of the text log's FILE DESCRIPTORS section. */
struct rl_vg_open_fd {
    int fd;
    char *desc;    /* the rest of the line, e.g. "file descriptor 5: /x" */
    int inherited; /* "<inherited from parent>": not opened by the program */
};

struct rl_vg_fd_list {
    struct rl_vg_open_fd *v;
    size_t n;
    int found; /* 1 when the log had a FILE DESCRIPTORS section */
};

/* Reads the descriptors open at exit from a --track-fds text log. */
int rl_vg_parse_fd_log(const char *path, struct rl_vg_fd_list *l, char *err,
                       size_t errlen);
void rl_vg_fd_list_free(struct rl_vg_fd_list *l);

/* The user's name for the frame's source file, or NULL when the frame is
 * not in one of the user's files (libc, valgrind, no debug info). */
const char *rl_vg_frame_source(const struct rl_vg_frame *f,
                               const struct rl_sources *src);

/* The innermost frame of st in one of the user's files, past the
 * program's own wrappers (lib/user_wrapper.h), or NULL; *given receives
 * the user's name of that file. */
const struct rl_vg_frame *rl_vg_user_frame(const struct rl_vg_stack *st,
                                           const struct rl_sources *src,
                                           const char **given);

/*
 * Adds (or merges into) a finding with this id and tool, located at the
 * innermost user frame of each stack in stacks[] (NULL entries skipped).
 * Nothing is added when no stack has a user frame: such reports are about
 * libc or the runtime.  A finding of the same id and tool with the same
 * first location absorbs the new one (drd and helgrind report a racy
 * counter++ as a read and a write).  Returns the finding, or NULL.
 */
struct rl_finding *rl_vg_add_finding(struct rl_findings *out, const char *id,
                                     const char *tool,
                                     const struct rl_sources *src,
                                     const struct rl_vg_stack *const stacks[],
                                     size_t nstacks, const char *detail);

/*
 * The command shared by the three tools: valgrind --tool=NAME with an XML
 * report in WORKDIR/NAME.xml and a text log in WORKDIR/NAME.log, then the
 * tool's own options (NULL-terminated), the program and its arguments.
 */
int rl_vg_prepare(struct rl_run *run, const char *const tool_opts[], char *err,
                  size_t errlen);
/*
 * A report of a run that cannot be read (err says why): valgrind writes
 * it in the run's folder, where the program can delete or garble it, so
 * once the sandbox ran the program that is the run's failure
 * (run->tool_failed, err cleared, 0), not racelab's; -1 when the program
 * never ran (err kept).
 */
int rl_vg_report_lost(struct rl_run *run, char *err);

/* WORKDIR/NAME.xml and WORKDIR/NAME.log of a run; free() the result. */
char *rl_vg_xml_path(const struct rl_run *run);
char *rl_vg_log_path(const struct rl_run *run);

#endif
