/* failure_modes.h: the stable vocabulary of bugs racelab names. */
#ifndef RACELAB_FAILURE_MODES_H
#define RACELAB_FAILURE_MODES_H

struct rl_failure_mode {
    const char *id;          /* stable: reports, JSON, docs and tests use it */
    const char *title;       /* one line */
    const char *explanation; /* two or three sentences: what it means */
    const char *fix;         /* how to fix it */
};

/* All modes, ending with an entry whose id is NULL. */
extern const struct rl_failure_mode rl_failure_modes[];
/* The mode with this id, or NULL. */
const struct rl_failure_mode *rl_failure_mode_find(const char *id);

#endif
