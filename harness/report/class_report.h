/* class_report.h: what a class got wrong, from the per-student grades
 * that `make grade LAB=NN SUBMISSIONS=root` leaves in grades/LAB/: each
 * student's <name>.json (racelab grade --json) and .racelab/<name>, the
 * grading script's note of how that grading went (its status, seconds,
 * missing files).  Loaded once, then written as HTML and Markdown. */
#ifndef RACELAB_CLASS_REPORT_H
#define RACELAB_CLASS_REPORT_H

#include <stddef.h>
#include <stdio.h>

struct rl_class_student {
    char *name; /* the submission's folder name (untrusted) */
    int graded; /* a readable grade JSON */
    char *why;  /* not graded, or graded with a caveat; or NULL */
    int score, max_score;
    double seconds;    /* wall time of its grading; < 0 unknown */
    int *check_passed; /* per class check: 1, 0, or -1 not in its JSON */
    int not_measured;  /* checks whose message says "not measured" */
};

/* One failure-mode ID across the class. */
struct rl_class_mode {
    char *id, *title, *explanation;
    size_t submissions; /* how many submissions have it */
    char *where;        /* "counter.c:15" of the typical case */
    char *source;       /* that line's text (untrusted), or NULL */
    char *example;      /* the submission it is from (untrusted) */
    char **who;         /* every submission that has it, by name */
};

struct rl_class {
    char *lab;
    char **checks; /* names, in the rubric's order */
    int *check_max;
    size_t nchecks;
    struct rl_class_student *students; /* by name */
    size_t nstudents;
    struct rl_class_mode *modes; /* most submissions first */
    size_t nmodes;
};

/* Reads dir (grades/LAB); 0, or -1 with err filled. */
int rl_class_load(const char *dir, struct rl_class *c, char *err,
                  size_t errlen);
void rl_class_free(struct rl_class *c);

/* Counts for both formats. */
size_t rl_class_graded(const struct rl_class *c);
/* Students who passed check i, of those graded. */
size_t rl_class_passed(const struct rl_class *c, size_t i);
/* Indices of the graded students, slowest first (free it); *n of them. */
size_t *rl_class_slowest(const struct rl_class *c, size_t *n);
/* Histogram of the graded scores: nbins bins over 0..max; bin i counts
 * scores in [lo(i), hi(i)], labels written to label[i] (free them). */
size_t rl_class_histogram(const struct rl_class *c, size_t **counts,
                          char ***labels);

/* The two views; 0, or -1 on a write error. */
int rl_class_html(const struct rl_class *c, FILE *out);
int rl_class_md(const struct rl_class *c, FILE *out);

#endif
