/* elf_object.h: the section names and defined global symbols of a
 * relocatable ELF object (what `readelf -S` and `nm -g --defined-only`
 * show), read without running another program. */
#ifndef RACELAB_ELF_OBJECT_H
#define RACELAB_ELF_OBJECT_H

#include <stddef.h>

struct rl_elf_object {
    char **sections;  /* NULL-terminated */
    char **symbols;   /* global and weak symbols the object defines */
    char **undefined; /* symbols it uses and others define */
};

/* Reads path (at most max_bytes); -1 with err filled when it is not a
 * well-formed 64-bit ELF object. */
int rl_elf_object_read(const char *path, size_t max_bytes,
                       struct rl_elf_object *o, char *err, size_t errlen);
void rl_elf_object_free(struct rl_elf_object *o);

#endif
