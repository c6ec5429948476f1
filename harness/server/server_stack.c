/* server_stack.c: the calls a blocked thread is inside, from its stack. */
#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server/server_stack.h"
#include "lib/xalloc.h"

/* The most of a stack read: a few frames with large buffers fit. */
enum { STACK_BYTES = 256 * 1024 };

struct func {
    uint64_t start, size;
};

/* The executable file, mapped, with its function symbols. */
struct image {
    const unsigned char *data;
    size_t size;
    const Elf64_Phdr *ph;
    size_t nph;
    struct func *funcs; /* sorted by start */
    size_t nfuncs;
};

static int cmp_func(const void *a, const void *b)
{
    const struct func *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* Function symbols of one symbol table section (symtab or dynsym). */
static void add_funcs(struct image *im, const Elf64_Shdr *sh)
{
    if (sh->sh_offset + sh->sh_size > im->size || sh->sh_entsize == 0)
        return;
    size_t n = sh->sh_size / sh->sh_entsize;
    const Elf64_Sym *sym = (const Elf64_Sym *)(im->data + sh->sh_offset);
    for (size_t i = 0; i < n; i++) {
        if (ELF64_ST_TYPE(sym[i].st_info) != STT_FUNC || sym[i].st_value == 0 ||
            sym[i].st_shndx == SHN_UNDEF)
            continue;
        im->funcs = xrealloc(im->funcs, (im->nfuncs + 1) * sizeof *im->funcs);
        im->funcs[im->nfuncs++] =
            (struct func){sym[i].st_value, sym[i].st_size};
    }
}

static int image_open(const char *path, struct image *im)
{
    memset(im, 0, sizeof *im);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0)
        return -1;
    if (fstat(fd, &st) != 0 || (size_t)st.st_size < sizeof(Elf64_Ehdr)) {
        close(fd);
        return -1;
    }
    void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (m == MAP_FAILED)
        return -1;
    im->data = m;
    im->size = (size_t)st.st_size;
    const Elf64_Ehdr *eh = m;
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
        eh->e_ident[EI_CLASS] != ELFCLASS64 ||
        eh->e_phoff + eh->e_phnum * sizeof(Elf64_Phdr) > im->size ||
        eh->e_shoff + eh->e_shnum * sizeof(Elf64_Shdr) > im->size)
        return -1;
    im->ph = (const Elf64_Phdr *)(im->data + eh->e_phoff);
    im->nph = eh->e_phnum;
    const Elf64_Shdr *sh = (const Elf64_Shdr *)(im->data + eh->e_shoff);
    for (size_t i = 0; i < eh->e_shnum; i++)
        if (sh[i].sh_type == SHT_SYMTAB)
            add_funcs(im, &sh[i]);
    qsort(im->funcs, im->nfuncs, sizeof *im->funcs, cmp_func);
    return 0;
}

static void image_close(struct image *im)
{
    if (im->data)
        munmap((void *)im->data, im->size);
    free(im->funcs);
}

/* The bytes [vaddr-len, vaddr) of executable code in the file, or NULL. */
static const unsigned char *code_before(const struct image *im, uint64_t vaddr,
                                        size_t len)
{
    for (size_t i = 0; i < im->nph; i++) {
        const Elf64_Phdr *p = &im->ph[i];
        if (p->p_type != PT_LOAD || !(p->p_flags & PF_X))
            continue;
        if (vaddr < p->p_vaddr + len || vaddr > p->p_vaddr + p->p_filesz)
            continue;
        uint64_t off = p->p_offset + (vaddr - p->p_vaddr) - len;
        return off + len <= im->size ? im->data + off : NULL;
    }
    return NULL;
}

/* The function holding vaddr, or NULL. */
static const struct func *func_at(const struct image *im, uint64_t vaddr)
{
    size_t lo = 0, hi = im->nfuncs;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (im->funcs[mid].start <= vaddr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    const struct func *f = &im->funcs[lo - 1];
    return vaddr < f->start + (f->size ? f->size : 1) ? f : NULL;
}

enum call_kind { NOT_A_CALL, DIRECT_CALL, INDIRECT_CALL };

/*
 * What the instruction ending at ret is (x86-64): `call rel32` (e8,
 * with its target), or an indirect call through a register or memory
 * (ff /2: through the GOT, a function pointer).
 */
static enum call_kind call_before(const struct image *im, uint64_t ret,
                                  uint64_t *target)
{
#if defined(__x86_64__)
    const unsigned char *b = code_before(im, ret, 6); /* b[0..5] */
    if (!b)
        return NOT_A_CALL;
    if (b[1] == 0xe8) {
        int32_t rel;
        memcpy(&rel, b + 2, sizeof rel);
        *target = ret + (uint64_t)(int64_t)rel;
        return DIRECT_CALL;
    }
    if (b[0] == 0xff && b[1] == 0x15)
        return INDIRECT_CALL; /* call *disp32(%rip): the GOT, -fno-plt */
    if (b[4] == 0xff && (b[5] & 0xf8) == 0xd0)
        return INDIRECT_CALL; /* call *%reg */
    if (b[3] == 0xff && (b[4] & 0xf8) == 0x50 && b[4] != 0x54)
        return INDIRECT_CALL; /* call *disp8(%reg) */
    return NOT_A_CALL;
#else
    (void)im;
    (void)ret;
    (void)target;
    return INDIRECT_CALL; /* no decoder: trust the chain of functions */
#endif
}

/* The load base of exe in pid (runtime address minus file address), and
 * the bounds of the mapping holding sp.  0, or -1. */
static int read_maps(pid_t pid, const char *exe, const struct image *im,
                     unsigned long sp, uint64_t *base, unsigned long *stack_end)
{
    char path[64], line[PATH_MAX + 128], real[PATH_MAX];
    struct stat st;
    if (!realpath(exe, real) || stat(real, &st) != 0)
        return -1;
    snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    int found = 0;
    *stack_end = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned long start, end, off, ino;
        char perms[8];
        if (sscanf(line, "%lx-%lx %7s %lx %*s %lu", &start, &end, perms, &off,
                   &ino) != 5)
            continue;
        if (sp >= start && sp < end)
            *stack_end = end;
        if (!found && off == 0 && ino == (unsigned long)st.st_ino) {
            /* The first PT_LOAD maps file offset 0. */
            uint64_t vaddr = 0;
            for (size_t i = 0; i < im->nph; i++)
                if (im->ph[i].p_type == PT_LOAD) {
                    vaddr = im->ph[i].p_vaddr - im->ph[i].p_offset;
                    break;
                }
            *base = start - vaddr;
            found = 1;
        }
    }
    fclose(f);
    return found && *stack_end ? 0 : -1;
}

/* Up to STACK_BYTES of the stack from sp; returns the words read. */
static size_t read_stack(pid_t pid, unsigned long sp, unsigned long end,
                         uint64_t **words)
{
    char path[64];
    sp &= ~7ul;
    size_t len = end - sp < STACK_BYTES ? end - sp : STACK_BYTES;
    snprintf(path, sizeof path, "/proc/%d/mem", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    *words = xmalloc(len ? len : 8);
    ssize_t n = fd >= 0 ? pread(fd, *words, len, (off_t)sp) : -1;
    if (fd >= 0)
        close(fd);
    return n > 0 ? (size_t)n / 8 : 0;
}

/* Is w a return address after a call, and which kind?  Fills *ret. */
static enum call_kind return_address(const struct image *im, uint64_t base,
                                     uint64_t w, uint64_t *ret,
                                     uint64_t *target)
{
    if (w < base)
        return NOT_A_CALL;
    *ret = w - base;
    return call_before(im, *ret, target);
}

/* The chain of callers above the innermost frame at words[first]: each
 * one a direct call of the function holding the frame inside it. */
static int chain_from(const struct image *im, uint64_t base, const uint64_t *w,
                      size_t n, size_t first, struct rlp_site *site)
{
    uint64_t ret = w[first] - base, target = 0;
    int depth = 0;
    site->pc[depth++] = ret - 1;
    const struct func *inner = func_at(im, ret - 1);
    for (size_t i = first + 1; i < n && depth < RLP_MAX_FRAMES; i++) {
        enum call_kind k = return_address(im, base, w[i], &ret, &target);
        /* Only a direct call of the function inside it proves a frame:
         * stale return addresses abound in uninitialized buffers (the
         * probe's own backtraces leave copies of _start's), and a call
         * through a pointer (a thread's start, from libc) ends the
         * program's part of the chain anyway. */
        if (k != DIRECT_CALL || !inner || target != inner->start)
            continue;
        site->pc[depth++] = ret - 1;
        inner = func_at(im, ret - 1);
    }
    return depth;
}

/*
 * The innermost frame is a call out of the executable (the libc call
 * that blocks).  A stale address of an earlier such call may lie in
 * the frames above: of the first few candidates, the one with the
 * longest chain of callers wins (the first one on a tie).
 */
static int best_chain(const struct image *im, uint64_t base, const uint64_t *w,
                      size_t n, struct rlp_site *site)
{
    int best = 0, tried = 0;
    for (size_t i = 0; i < n && tried < 8; i++) {
        uint64_t ret, target = 0;
        enum call_kind k = return_address(im, base, w[i], &ret, &target);
        if (k == NOT_A_CALL || (k == DIRECT_CALL && func_at(im, target)))
            continue;
        struct rlp_site s = {{0}};
        int depth = chain_from(im, base, w, n, i, &s);
        tried++;
        if (depth > best) {
            best = depth;
            *site = s;
        }
    }
    return best;
}

/* ---- signal frames -------------------------------------------------- */

/* The code a signal handler returns to (glibc's __restore_rt), which
 * calls rt_sigreturn: "mov $15, %rax; syscall" on x86-64, "mov x8,
 * #139; svc #0" on AArch64. */
#if defined(__x86_64__)
static const unsigned char RESTORER[] = {0x48, 0xc7, 0xc0, 0x0f, 0x00,
                                         0x00, 0x00, 0x0f, 0x05};
#elif defined(__aarch64__)
static const unsigned char RESTORER[] = {0x68, 0x11, 0x80, 0xd2,
                                         0x01, 0x00, 0x00, 0xd4};
#else
static const unsigned char RESTORER[] = {0};
#endif

struct code_range {
    unsigned long start, end;
};

/* Executable mappings of pid other than exe's (libc's among them). */
static size_t other_code(pid_t pid, unsigned long exe_ino, struct code_range *v,
                         size_t max)
{
    char path[64], line[PATH_MAX + 128];
    size_t n = 0;
    snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return 0;
    while (n < max && fgets(line, sizeof line, f)) {
        unsigned long start, end, off, ino;
        char perms[8];
        if (sscanf(line, "%lx-%lx %7s %lx %*s %lu", &start, &end, perms, &off,
                   &ino) == 5 &&
            perms[2] == 'x' && ino != 0 && ino != exe_ino)
            v[n++] = (struct code_range){start, end};
    }
    fclose(f);
    return n;
}

/*
 * The index of the first word that is a signal handler's return address
 * (the kernel pushes the restorer's address when it starts a handler),
 * or n.  A thread blocked inside a SIGCHLD handler has its handler's
 * frames below that word and the code the signal interrupted above it:
 * the blocking call is the handler's, however long the chain above.
 */
static size_t signal_frame(pid_t pid, const char *exe, const uint64_t *w,
                           size_t n)
{
    struct code_range code[64];
    struct stat st;
    if (sizeof RESTORER < 4 || stat(exe, &st) != 0)
        return n;
    size_t ncode = other_code(pid, (unsigned long)st.st_ino, code, 64);
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/mem", (int)pid);
    int fd = ncode ? open(path, O_RDONLY | O_CLOEXEC) : -1;
    if (fd < 0)
        return n;
    size_t found = n;
    for (size_t i = 0; i < n && found == n; i++) {
        for (size_t k = 0; k < ncode; k++) {
            unsigned char b[sizeof RESTORER];
            if (w[i] < code[k].start || w[i] >= code[k].end)
                continue;
            if (pread(fd, b, sizeof b, (off_t)w[i]) == (ssize_t)sizeof b &&
                memcmp(b, RESTORER, sizeof b) == 0)
                found = i;
            break;
        }
    }
    close(fd);
    return found;
}

int rl_stack_site(pid_t pid, unsigned long sp, const char *exe,
                  struct rlp_site *site)
{
    struct image im;
    uint64_t base = 0, *words = NULL;
    unsigned long end = 0;
    int depth = 0;
    memset(site, 0, sizeof *site);
    if (image_open(exe, &im) == 0 &&
        read_maps(pid, exe, &im, sp, &base, &end) == 0) {
        size_t n = read_stack(pid, sp, end, &words);
        size_t handler = signal_frame(pid, exe, words, n);
        if (handler < n)
            depth = best_chain(&im, base, words, handler, site);
        if (depth == 0)
            depth = best_chain(&im, base, words, n, site);
    }
    free(words);
    image_close(&im);
    return depth;
}
