/* elf_object.c: sections and defined symbols of an ELF object.  Every
 * offset read from the file is checked against its size: the object was
 * compiled from code nobody vetted. */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/elf_object.h"
#include "lib/xalloc.h"

struct image {
    const unsigned char *p;
    size_t n;
};

/* 1 when [off, off+len) lies inside the image. */
static int inside(const struct image *im, unsigned long long off,
                  unsigned long long len)
{
    return off <= im->n && len <= im->n - off;
}

/* The NUL-terminated string at off in the string table sh, or NULL. */
static const char *string_at(const struct image *im, const Elf64_Shdr *sh,
                             unsigned long long off)
{
    if (!inside(im, sh->sh_offset, sh->sh_size) || off >= sh->sh_size)
        return NULL;
    const char *s = (const char *)im->p + sh->sh_offset + off;
    return memchr(s, '\0', sh->sh_size - off) ? s : NULL;
}

static char *read_all(const char *path, size_t max, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = xmalloc(max + 1);
    *n = fread(buf, 1, max + 1, f);
    fclose(f);
    if (*n > max) {
        free(buf);
        return NULL;
    }
    return buf;
}

static void push(char ***list, size_t *n, const char *s)
{
    *list = xrealloc(*list, (*n + 2) * sizeof **list);
    (*list)[(*n)++] = xstrdup(s);
    (*list)[*n] = NULL;
}

static int parse(const struct image *im, struct rl_elf_object *o)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)im->p;
    if (!inside(im, 0, sizeof *eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
        eh->e_ident[EI_CLASS] != ELFCLASS64 ||
        eh->e_shentsize != sizeof(Elf64_Shdr) ||
        !inside(im, eh->e_shoff,
                (unsigned long long)eh->e_shnum * sizeof(Elf64_Shdr)) ||
        eh->e_shoff % 8 || eh->e_shstrndx >= eh->e_shnum)
        return -1;
    const Elf64_Shdr *sh = (const Elf64_Shdr *)(im->p + eh->e_shoff);
    size_t nsec = 0, nsym = 0, nundef = 0;
    for (size_t i = 0; i < eh->e_shnum; i++) {
        const char *name = string_at(im, &sh[eh->e_shstrndx], sh[i].sh_name);
        if (!name)
            return -1;
        push(&o->sections, &nsec, name);
    }
    for (size_t i = 0; i < eh->e_shnum; i++) {
        if (sh[i].sh_type != SHT_SYMTAB)
            continue;
        if (sh[i].sh_link >= eh->e_shnum ||
            sh[i].sh_entsize != sizeof(Elf64_Sym) ||
            !inside(im, sh[i].sh_offset, sh[i].sh_size) || sh[i].sh_offset % 8)
            return -1;
        const Elf64_Sym *sym = (const Elf64_Sym *)(im->p + sh[i].sh_offset);
        size_t n = sh[i].sh_size / sizeof *sym;
        for (size_t j = 0; j < n; j++) {
            int bind = ELF64_ST_BIND(sym[j].st_info);
            if (bind != STB_GLOBAL && bind != STB_WEAK &&
                bind != STB_GNU_UNIQUE)
                continue;
            const char *name =
                string_at(im, &sh[sh[i].sh_link], sym[j].st_name);
            if (!name)
                return -1;
            if (name[0] && sym[j].st_shndx == SHN_UNDEF)
                push(&o->undefined, &nundef, name);
            else if (name[0])
                push(&o->symbols, &nsym, name);
        }
    }
    if (!o->sections)
        push(&o->sections, &nsec, "");
    if (!o->symbols)
        o->symbols = xcalloc(1, sizeof *o->symbols);
    if (!o->undefined)
        o->undefined = xcalloc(1, sizeof *o->undefined);
    return 0;
}

int rl_elf_object_read(const char *path, size_t max_bytes,
                       struct rl_elf_object *o, char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    size_t n = 0;
    char *buf = read_all(path, max_bytes, &n);
    if (!buf) {
        snprintf(err, errlen, "cannot read the object '%s'", path);
        return -1;
    }
    struct image im = {(const unsigned char *)buf, n};
    int rc = parse(&im, o);
    free(buf);
    if (rc != 0) {
        rl_elf_object_free(o);
        snprintf(err, errlen, "'%s' is not an ELF object racelab can read",
                 path);
    }
    return rc;
}

static void free_list(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

void rl_elf_object_free(struct rl_elf_object *o)
{
    free_list(o->sections);
    free_list(o->symbols);
    free_list(o->undefined);
    memset(o, 0, sizeof *o);
}
