/* workdir.h: racelab's scratch folders, removed when a command ends. */
#ifndef RACELAB_WORKDIR_H
#define RACELAB_WORKDIR_H

#include <stddef.h>

/* Creates a fresh folder under $TMPDIR (or /tmp); NULL with err filled. */
char *rl_workdir_create(const char *prefix, char *err, size_t errlen);
/* Creates dir/name and returns its path. */
char *rl_workdir_sub(const char *dir, const char *name, char *err,
                     size_t errlen);
/* Removes the folder and everything in it, unless RACELAB_KEEP is set
 * (then it says where it is, for whoever debugs racelab). */
void rl_workdir_remove(const char *dir);
/* The folder that holds the racelab executable (and racelab-probe.so). */
const char *rl_harness_dir(void);

#endif
