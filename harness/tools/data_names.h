/* data_names.h: a global's address inside an array or struct to the
 * expression a student wrote: "accounts+152" becomes "accounts[3].lock". */
#ifndef RACELAB_DATA_NAMES_H
#define RACELAB_DATA_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "tools/exe_data.h"

/* One address to name and, once resolved, its expression (to free). */
struct rl_data_name {
    uint64_t offset; /* executable offset, as nm prints symbols */
    int heap;        /* in no global: found through the globals' pointers */
    char *name;      /* NULL until resolved; NULL when gdb knows nothing */
};

/*
 * Names every entry from the executable's debug information with one gdb
 * run (its Python walks the variable's type: array index, field name).
 * A heap entry (a lock in no global) is named through the pointers in mem,
 * the program's globals copied while it hung (exe_data.h), e.g. the
 * element of the array bank.acct points to: "bank.acct[3].lock".
 * Entries gdb cannot name keep name NULL; without gdb all stay NULL and
 * the caller keeps its "symbol+offset".  0, or -1 when gdb did not run.
 */
int rl_data_names_resolve(const char *exe, struct rl_data_name *v, size_t n,
                          const struct rl_exe_data *mem, uint64_t exe_base);

/* 1 when a name gdb printed is a plain C lvalue path (identifiers, ".",
 * "[N]", "+N"): anything else (a crafted symbol) is dropped. */
int rl_data_name_is_path(const char *name);

/*
 * A lock on the heap or a stack has no variable of its own: the argument
 * of the call that locked it, as the source line writes it.  From
 * "Pthread_mutex_lock(&first->lock);" it writes "first->lock": the first
 * argument of the first call whose name has "lock", "wait", "post" or
 * is P/V, without a leading '&'.  0, or -1 when the line has none or the
 * argument is more than names, "->", ".", "[...]", "*", arithmetic
 * and blanks.
 */
int rl_call_argument(const char *line, char *buf, size_t len);

#endif
