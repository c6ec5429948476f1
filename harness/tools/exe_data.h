/* exe_data.h: a copy of a live program's global variables (the writable
 * data and bss of its executable), taken when the probe decides a hang:
 * the pointers in it lead to the locks on the heap (bank.acct[3].lock). */
#ifndef RACELAB_EXE_DATA_H
#define RACELAB_EXE_DATA_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct rl_exe_data {
    uint64_t lo;          /* run-time address of bytes[0] */
    size_t len;           /* 0: no copy */
    unsigned char *bytes; /* to free */
};

/* Copies the executable's writable mappings (and the bss right after
 * them), at most 4 MB, from /proc/pid/mem.  0, or -1 (out left empty). */
int rl_exe_data_read(pid_t pid, struct rl_exe_data *out);
void rl_exe_data_free(struct rl_exe_data *d);

#endif
