/* symbolize.c: probe sites (executable offsets) to the user's source lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/symbolize.h"
#include "tools/data_names.h"
#include "lib/spawn.h"
#include "lib/user_wrapper.h"
#include "lib/xalloc.h"

/* One frame as addr2line printed it; file is NULL unless it is the user's. */
struct raw_frame {
    char *function;
    const char *file;
    int line;
};

/* An offset and its inline chain, innermost first. */
struct resolved {
    uint64_t pc;
    struct raw_frame *frames;
    size_t n;
};

struct data_sym {
    uint64_t addr, size;
    char *name;
};

struct rl_symbolizer {
    char *exe;
    const struct rl_sources *src;
    struct resolved *pcs; /* sorted by pc after rl_symbolizer_run */
    size_t npcs, cap;
    struct data_sym *syms;
    size_t nsyms;
    struct rl_data_name *data; /* queued data offsets and their paths */
    size_t ndata;
    int data_named;         /* name_data ran */
    struct rl_exe_data mem; /* the globals while it hung, or empty */
    uint64_t exe_base;      /* run-time base of the executable then */
};

struct rl_symbolizer *rl_symbolizer_new(const char *exe,
                                        const struct rl_sources *src)
{
    struct rl_symbolizer *s = xcalloc(1, sizeof *s);
    s->exe = xstrdup(exe);
    s->src = src;
    return s;
}

void rl_symbolizer_free(struct rl_symbolizer *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->npcs; i++) {
        for (size_t j = 0; j < s->pcs[i].n; j++)
            free(s->pcs[i].frames[j].function);
        free(s->pcs[i].frames);
    }
    for (size_t i = 0; i < s->nsyms; i++)
        free(s->syms[i].name);
    for (size_t i = 0; i < s->ndata; i++)
        free(s->data[i].name);
    free(s->data);
    rl_exe_data_free(&s->mem);
    free(s->pcs);
    free(s->syms);
    free(s->exe);
    free(s);
}

void rl_symbolizer_add(struct rl_symbolizer *s, uint64_t pc)
{
    if (pc == 0)
        return;
    for (size_t i = 0; i < s->npcs; i++)
        if (s->pcs[i].pc == pc)
            return;
    if (s->npcs == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->pcs = xrealloc(s->pcs, s->cap * sizeof *s->pcs);
    }
    s->pcs[s->npcs++] = (struct resolved){.pc = pc};
}

void rl_symbolizer_set_memory(struct rl_symbolizer *s,
                              const struct rl_exe_data *mem, uint64_t exe_base)
{
    rl_exe_data_free(&s->mem);
    if (!mem || !mem->len)
        return;
    s->mem.bytes = xmalloc(mem->len);
    memcpy(s->mem.bytes, mem->bytes, mem->len);
    s->mem.len = mem->len;
    s->mem.lo = mem->lo;
    s->exe_base = exe_base;
    s->data_named = 0;
}

void rl_symbolizer_add_data(struct rl_symbolizer *s, uint64_t offset)
{
    for (size_t i = 0; i < s->ndata; i++)
        if (s->data[i].offset == offset)
            return;
    s->data = xrealloc(s->data, (s->ndata + 1) * sizeof *s->data);
    s->data[s->ndata++] = (struct rl_data_name){.offset = offset};
    s->data_named = 0; /* named again, with this one, when next asked */
}

/* An object's address as an offset into the executable (a heap or stack
 * address gives an offset no symbol holds). */
static void add_object(struct rl_symbolizer *s, const struct rlp_shm *shm,
                       uint64_t addr)
{
    if (addr && addr >= shm->exe_base)
        rl_symbolizer_add_data(s, addr - shm->exe_base);
}

void rl_symbolizer_add_site(struct rl_symbolizer *s,
                            const struct rlp_site *site)
{
    for (int i = 0; i < RLP_MAX_FRAMES && site->pc[i]; i++)
        rl_symbolizer_add(s, site->pc[i]);
}

void rl_symbolizer_add_table(struct rl_symbolizer *s, const struct rlp_shm *shm)
{
    for (uint32_t i = 0; i < shm->nthreads && i < RLP_MAX_THREADS; i++) {
        const struct rlp_thread *t = &shm->threads[i];
        rl_symbolizer_add_site(s, &t->wait_site);
        rl_symbolizer_add_site(s, &t->create_site);
        rl_symbolizer_add_site(s, &t->trylock_site);
        rl_symbolizer_add(s, t->start_routine);
        add_object(s, shm, t->wait_object);
        add_object(s, shm, t->cond_wait_cond);
        add_object(s, shm, t->cond_wait_mutex);
        for (uint32_t j = 0; j < t->nheld && j < RLP_MAX_HELD; j++) {
            rl_symbolizer_add_site(s, &t->held[j].site);
            add_object(s, shm, t->held[j].lock);
        }
    }
    for (uint32_t i = 0; i < shm->nedges && i < RLP_MAX_EDGES; i++) {
        rl_symbolizer_add_site(s, &shm->edges[i].first_site);
        rl_symbolizer_add_site(s, &shm->edges[i].second_site);
        add_object(s, shm, shm->edges[i].first);
        add_object(s, shm, shm->edges[i].second);
    }
    for (uint32_t i = 0; i < shm->nevents && i < RLP_MAX_EVENTS; i++) {
        rl_symbolizer_add_site(s, &shm->events[i].site);
        rl_symbolizer_add_site(s, &shm->events[i].site2);
    }
}

/* Runs argv, returns its whole standard output (NUL-terminated). */
static int run_capture(char *const argv[], char **out, char *err, size_t errlen)
{
    if (rl_spawn_capture(argv, out) == 0)
        return 0;
    snprintf(err, errlen, "cannot run '%s' on '%s'", argv[0],
             argv[1] ? argv[1] : "");
    return -1;
}

static struct resolved *find_pc(const struct rl_symbolizer *s, uint64_t pc)
{
    for (size_t i = 0; i < s->npcs; i++)
        if (s->pcs[i].pc == pc)
            return &s->pcs[i];
    return NULL;
}

/* "file.c:12 (discriminator 3)" into the user's name and line. */
static void add_frame(struct rl_symbolizer *s, struct resolved *r,
                      const char *fn, char *where)
{
    char *colon = strrchr(where, ':');
    int line = 0;
    if (colon) {
        *colon = '\0';
        line = atoi(colon + 1);
    }
    r->frames = xrealloc(r->frames, (r->n + 1) * sizeof *r->frames);
    struct raw_frame *f = &r->frames[r->n++];
    f->function = strcmp(fn, "??") == 0 ? NULL : xstrdup(fn);
    f->file = line > 0 ? rl_sources_match(s->src, where) : NULL;
    f->line = line;
}

/* addr2line -a prints each address, then function/location line pairs. */
static void parse_addr2line(struct rl_symbolizer *s, char *text)
{
    struct resolved *cur = NULL;
    char *save = NULL, *fn = NULL;
    for (char *line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "0x", 2) == 0 && !fn) {
            cur = find_pc(s, strtoull(line, NULL, 16));
        } else if (!fn) {
            fn = line;
        } else {
            if (cur)
                add_frame(s, cur, fn, line);
            fn = NULL;
        }
    }
}

static int cmp_sym(const void *a, const void *b)
{
    const struct data_sym *x = a, *y = b;
    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* nm -S lines: "0000000000004040 0000000000000028 B m_a". */
static void parse_nm(struct rl_symbolizer *s, char *text)
{
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        unsigned long long addr, size;
        char type, name[256];
        if (sscanf(line, "%llx %llx %c %255[^\n]", &addr, &size, &type, name) !=
                4 ||
            !strchr("bBdDsSgG", type))
            continue;
        s->syms = xrealloc(s->syms, (s->nsyms + 1) * sizeof *s->syms);
        s->syms[s->nsyms++] =
            (struct data_sym){addr, size ? size : 1, xstrdup(name)};
    }
    qsort(s->syms, s->nsyms, sizeof *s->syms, cmp_sym);
}

static const struct data_sym *data_sym_at(const struct rl_symbolizer *s,
                                          uint64_t offset)
{
    for (size_t i = 0; s && i < s->nsyms; i++)
        if (offset >= s->syms[i].addr &&
            offset < s->syms[i].addr + s->syms[i].size)
            return &s->syms[i];
    return NULL;
}

/* The queued offsets that lie in a global, named by one gdb run the first
 * time a name is asked for (a program with no finding never pays for
 * it); the others, and all of them without gdb, keep nm's "name+offset". */
static void name_data(struct rl_symbolizer *s)
{
    s->data_named = 1;
    struct rl_data_name *ask = xcalloc(s->ndata + 1, sizeof *ask);
    size_t n = 0;
    for (size_t i = 0; i < s->ndata; i++) {
        int in_global = data_sym_at(s, s->data[i].offset) != NULL;
        if (s->data[i].name || (!in_global && !s->mem.len))
            continue;
        ask[n].heap = !in_global;
        ask[n++].offset = s->data[i].offset;
    }
    /* ask keeps the queue's order: its names move over one by one. */
    if (n > 0 &&
        rl_data_names_resolve(s->exe, ask, n, &s->mem, s->exe_base) == 0)
        for (size_t i = 0, j = 0; i < s->ndata && j < n; i++)
            if (s->data[i].offset == ask[j].offset)
                s->data[i].name = ask[j++].name;
    free(ask);
}

int rl_symbolizer_run(struct rl_symbolizer *s, char *err, size_t errlen)
{
    char *out = NULL;
    if (s->npcs > 0) {
        char **argv = xcalloc(s->npcs + 8, sizeof *argv);
        size_t n = 0;
        argv[n++] = "addr2line";
        argv[n++] = "-a";
        argv[n++] = "-f";
        argv[n++] = "-i";
        argv[n++] = "-C";
        argv[n++] = "-e";
        argv[n++] = s->exe;
        for (size_t i = 0; i < s->npcs; i++)
            argv[n++] = xasprintf("0x%llx", (unsigned long long)s->pcs[i].pc);
        int rc = run_capture(argv, &out, err, errlen);
        for (size_t i = 7; i < n; i++)
            free(argv[i]);
        free(argv);
        if (rc != 0)
            return -1;
        parse_addr2line(s, out);
        free(out);
    }
    char *nm[] = {"nm", "-C", "-S", "--defined-only", s->exe, NULL};
    if (run_capture(nm, &out, err, errlen) != 0)
        return -1;
    parse_nm(s, out);
    free(out);
    return 0;
}

size_t rl_symbolize_site(const struct rl_symbolizer *s,
                         const struct rlp_site *site, struct rl_frame *out,
                         size_t max)
{
    size_t n = 0;
    for (int i = 0; i < RLP_MAX_FRAMES && site->pc[i] && n < max; i++) {
        const struct resolved *r = find_pc(s, site->pc[i]);
        for (size_t j = 0; r && j < r->n && n < max; j++) {
            const struct raw_frame *f = &r->frames[j];
            if (!f->file)
                continue;
            if (n == 1 && rl_is_user_wrapper(out[0].function, RL_WRAPS_SYNC))
                n = 0; /* an outer frame exists: forget the wrapper */
            out[n++] = (struct rl_frame){f->function, f->file, f->line};
        }
    }
    return n;
}

int rl_symbolize_user_frame(const struct rl_symbolizer *s,
                            const struct rlp_site *site, struct rl_frame *out)
{
    struct rl_frame frames[2];
    if (!s || rl_symbolize_site(s, site, frames, 2) == 0)
        return -1;
    *out = frames[0];
    return 0;
}

const char *rl_symbolize_function(const struct rl_symbolizer *s, uint64_t pc)
{
    const struct resolved *r = s ? find_pc(s, pc) : NULL;
    if (!r || r->n == 0)
        return NULL;
    /* The outermost of an inline chain is the real function. */
    return r->frames[r->n - 1].function;
}

int rl_symbolize_data(const struct rl_symbolizer *s, uint64_t offset, char *buf,
                      size_t len)
{
    /* Naming is a cache filled on first use: the symbolizer is the
     * caller's own (allocated, never a const object), used by one thread. */
    if (s && !s->data_named)
        name_data((struct rl_symbolizer *)s);
    for (size_t i = 0; s && i < s->ndata; i++)
        if (s->data[i].offset == offset && s->data[i].name) {
            snprintf(buf, len, "%s", s->data[i].name);
            return 0;
        }
    for (size_t i = 0; s && i < s->nsyms; i++) {
        const struct data_sym *d = &s->syms[i];
        if (offset < d->addr || offset >= d->addr + d->size)
            continue;
        if (offset == d->addr)
            snprintf(buf, len, "%s", d->name);
        else
            snprintf(buf, len, "%s+%llu", d->name,
                     (unsigned long long)(offset - d->addr));
        return 0;
    }
    return -1;
}

int rl_symbolize_call_argument(const struct rl_symbolizer *s,
                               const struct rlp_site *site, char *buf,
                               size_t len)
{
    struct rl_frame fr;
    if (!s || !site || rl_symbolize_user_frame(s, site, &fr) != 0)
        return -1;
    return rl_call_argument(rl_sources_line(s->src, fr.file, fr.line), buf,
                            len);
}
