/* data_names.c: a global's address inside an array or struct to the
 * expression a student wrote, from the executable's DWARF through gdb. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/data_names.h"
#include "lib/spawn.h"
#include "lib/xalloc.h"

/*
 * The Python run inside gdb, one line per string (joined with "\n" inside
 * exec's literal, so it contains no double quote).  For each address it
 * asks gdb which symbol holds it, then walks that variable's type: an
 * array step adds "[i]", a struct or union step adds ".field".  The walk
 * stops at a pthread or semaphore type: its insides are libc's, not the
 * student's (an array is looked at first: the name of the type of
 * `pthread_mutex_t fork_lock[5]` starts with "pthread_" too).  Only numbers
 * reach the script: symbol names come from the student's program and are never
 * part of the code gdb runs.  A lock on the heap (HEAP) is named through the
 * nearest pointer below it among the globals (their values read from MEMFILE, a
 * copy taken while the program hung), and only when the offset from it lands
 * exactly on the start of a pthread or semaphore field of the pointed-to type:
 * a pointer to some other block cannot lend its name by chance.
 */
static const char *const script[] = {
    "import gdb",
    "def walk(t, off, s):",
    "    name = str(t)",
    "    t = t.strip_typedefs()",
    "    if t.code == gdb.TYPE_CODE_ARRAY:",
    "        et = t.target()",
    "        n = et.sizeof",
    "        if n == 0:",
    "            return s",
    "        i = off // n",
    "        return walk(et, off - i * n, '%s[%d]' % (s, i + t.range()[0]))",
    "    if name.startswith('pthread_') or name == 'sem_t':",
    "        return s",
    "    if t.code in (gdb.TYPE_CODE_STRUCT, gdb.TYPE_CODE_UNION):",
    "        for f in t.fields():",
    "            if f.name is None or not hasattr(f, 'bitpos'):",
    "                continue",
    "            b = f.bitpos // 8",
    "            if b <= off < b + f.type.sizeof:",
    "                return walk(f.type, off - b, s + '.' + f.name)",
    "    return s if off == 0 else '%s+%d' % (s, off)",
    "def find(name, base):",
    "    cands = []",
    "    g = gdb.lookup_global_symbol(name)",
    "    if g is not None:",
    "        cands.append(g)",
    "    try:",
    "        cands += gdb.lookup_static_symbols(name)",
    "    except Exception:",
    "        pass",
    "    for c in cands:",
    "        try:",
    "            if int(c.value().address) == base:",
    "                return c",
    "        except Exception:",
    "            pass",
    "    return None",
    "def name_of(a):",
    "    info = gdb.execute('info symbol %d' % a, to_string=True).split()",
    "    if len(info) < 3 or info[0] == 'No':",
    "        return None",
    "    off = int(info[2]) if info[1] == '+' else 0",
    "    sym = find(info[0], a - off)",
    "    return None if sym is None else walk(sym.type, off, info[0])",
    "def globals_():",
    "    out = []",
    "    text = gdb.execute('info variables', to_string=True)",
    "    for line in text.split(chr(10)):",
    "        if line.startswith('Non-debugging'):",
    "            break",
    "        line = line.split(':', 1)[-1].strip()",
    "        if not line.endswith(';'):",
    "            continue",
    "        words = line[:-1].split('[')[0].replace('*', ' ').split()",
    "        if words:",
    "            out.append(words[-1])",
    "    return out",
    "def ptr_at(a):",
    "    i = a - LO",
    "    if i < 0 or i + 8 > len(MEM):",
    "        return None",
    "    return int.from_bytes(MEM[i:i + 8], 'little') - BASE",
    "def collect(t, a, s, depth, slots):",
    "    t = t.strip_typedefs()",
    "    if depth > 3:",
    "        return",
    "    if t.code == gdb.TYPE_CODE_PTR:",
    "        tt = t.target()",
    "        u = tt.strip_typedefs()",
    "        if u.code in (gdb.TYPE_CODE_STRUCT, gdb.TYPE_CODE_UNION,",
    "                      gdb.TYPE_CODE_INT, gdb.TYPE_CODE_ARRAY) and "
    "u.sizeof:",
    "            slots.append((s, tt, a))",
    "    elif t.code == gdb.TYPE_CODE_STRUCT:",
    "        for f in t.fields():",
    "            if f.name and hasattr(f, 'bitpos'):",
    "                collect(f.type, a + f.bitpos // 8, s + '.' + f.name,",
    "                        depth + 1, slots)",
    "    elif t.code == gdb.TYPE_CODE_ARRAY and t.target().sizeof:",
    "        lo, hi = t.range()",
    "        for i in range(min(hi - lo + 1, 64)):",
    "            collect(t.target(), a + i * t.target().sizeof,",
    "                    '%s[%d]' % (s, i + lo), depth + 1, slots)",
    "def lands(t, off):",
    "    name = str(t)",
    "    t = t.strip_typedefs()",
    "    if t.code == gdb.TYPE_CODE_ARRAY and t.target().sizeof:",
    "        return lands(t.target(), off % t.target().sizeof)",
    "    if name.startswith('pthread_') or name == 'sem_t':",
    "        return off == 0",
    "    if t.code in (gdb.TYPE_CODE_STRUCT, gdb.TYPE_CODE_UNION):",
    "        for f in t.fields():",
    "            if f.name is None or not hasattr(f, 'bitpos'):",
    "                continue",
    "            b = f.bitpos // 8",
    "            if b <= off < b + f.type.sizeof:",
    "                return lands(f.type, off - b)",
    "    return False",
    "def heap_names():",
    "    slots = []",
    "    for g in globals_():",
    "        for c in [gdb.lookup_global_symbol(g)] + "
    "list(gdb.lookup_static_symbols(g)):",
    "            try:",
    "                collect(c.type, int(c.value().address), g, 0, slots)",
    "            except Exception:",
    "                pass",
    "    for x in HEAP:",
    "        best = None",
    "        for s, tt, a in slots:",
    "            p = ptr_at(a)",
    "            if p is None or p > x or x - p >= (1 << 20):",
    "                continue",
    "            if not lands(tt, (x - p) % tt.strip_typedefs().sizeof):",
    "                continue",
    "            if best is None or x - p < best[0]:",
    "                best = (x - p, s, tt)",
    "        if best:",
    "            d, s, tt = best",
    "            n = tt.strip_typedefs().sizeof",
    "            print('%d %s' % (x, walk(tt, d % n, '%s[%d]' % (s, d // n))))",
    "for a in ADDRS:",
    "    try:",
    "        n = name_of(a)",
    "    except Exception:",
    "        n = None",
    "    if n:",
    "        print('%d %s' % (a, n))",
    "if HEAP:",
    "    try:",
    "        MEM = open(MEMFILE, 'rb').read()",
    "        heap_names()",
    "    except Exception:",
    "        pass",
};

/* "NAME = [1, 2]\n" for the entries of v that are (heap) or are not
 * (in a global) on the heap. */
static size_t list_of(char *cmd, size_t cap, const char *name,
                      const struct rl_data_name *v, size_t n, int heap)
{
    size_t len = (size_t)snprintf(cmd, cap, "%s = [", name);
    for (size_t i = 0, k = 0; i < n; i++)
        if (v[i].heap == heap)
            len += (size_t)snprintf(cmd + len, cap - len, "%s%llu",
                                    k++ ? ", " : "",
                                    (unsigned long long)v[i].offset);
    return len + (size_t)snprintf(cmd + len, cap - len, "]\\n");
}

static char *python_command(const struct rl_data_name *v, size_t n,
                            const char *memfile, uint64_t lo, uint64_t base)
{
    size_t cap = 8192 + 48 * n;
    for (size_t i = 0; i < sizeof script / sizeof *script; i++)
        cap += strlen(script[i]) + 2;
    char *cmd = xmalloc(cap);
    size_t len = (size_t)snprintf(cmd, cap, "python exec(\"");
    len += list_of(cmd + len, cap - len, "ADDRS", v, n, 0);
    len += list_of(cmd + len, cap - len, memfile ? "HEAP" : "NOHEAP", v, n, 1);
    if (!memfile)
        len += (size_t)snprintf(cmd + len, cap - len, "HEAP = []\\n");
    len += (size_t)snprintf(cmd + len, cap - len,
                            "MEMFILE = '%s'\\nLO = %llu\\nBASE = %llu\\n",
                            memfile ? memfile : "", (unsigned long long)lo,
                            (unsigned long long)base);
    for (size_t i = 0; i < sizeof script / sizeof *script; i++)
        len += (size_t)snprintf(cmd + len, cap - len, "%s\\n", script[i]);
    snprintf(cmd + len, cap - len, "\")");
    return cmd;
}

int rl_data_name_is_path(const char *name)
{
    if (!name || !(isalpha((unsigned char)*name) || *name == '_'))
        return 0;
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("_.[]+-", *p))
            return 0;
    return strlen(name) < 200;
}

static void parse(char *out, struct rl_data_name *v, size_t n)
{
    char *save = NULL;
    for (char *line = strtok_r(out, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char *end;
        unsigned long long a = strtoull(line, &end, 10);
        if (end == line || *end != ' ' || !rl_data_name_is_path(end + 1))
            continue;
        for (size_t i = 0; i < n; i++)
            if (v[i].offset == a && !v[i].name)
                v[i].name = xstrdup(end + 1);
    }
}

/* The copy of the program's globals into a file of our own for gdb's
 * Python to read; its name (to free and unlink), or NULL. */
static char *memory_file(const struct rl_exe_data *mem)
{
    if (!mem || !mem->len)
        return NULL;
    char *path = xstrdup("/tmp/racelab-data-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0) {
        free(path);
        return NULL;
    }
    size_t done = 0;
    while (done < mem->len) {
        ssize_t w = write(fd, mem->bytes + done, mem->len - done);
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    close(fd);
    if (done == mem->len)
        return path;
    unlink(path);
    free(path);
    return NULL;
}

int rl_data_names_resolve(const char *exe, struct rl_data_name *v, size_t n,
                          const struct rl_exe_data *mem, uint64_t exe_base)
{
    if (n == 0)
        return 0;
    char *memfile = memory_file(mem);
    char *cmd = python_command(
        v, n, memfile, mem && memfile ? mem->lo - exe_base : 0, exe_base);
    /* -nx and auto-load off: nothing the program's files or sections
     * carry (.gdbinit, .debug_gdb_scripts) runs; no network look-ups. */
    /* timeout: a program's debug information must never stall a report
     * (gdb reads it all before the first answer). */
    char *argv[] = {"timeout",
                    "-s",
                    "KILL",
                    "10",
                    "gdb",
                    "-batch",
                    "-nx",
                    "-iex",
                    "set auto-load off",
                    "-iex",
                    "set debuginfod enabled off",
                    "-iex",
                    "set width unlimited",
                    "-ex",
                    cmd,
                    (char *)exe,
                    NULL};
    char *out = NULL;
    int rc = rl_spawn_capture(argv, &out);
    free(cmd);
    if (memfile) {
        unlink(memfile);
        free(memfile);
    }
    if (rc != 0)
        return -1;
    parse(out, v, n);
    free(out);
    return 0;
}

/* The name that ends just before line[i]: a call's function. */
static int called_name(const char *line, size_t open, char *fn, size_t len)
{
    size_t end = open, start;
    while (end > 0 && line[end - 1] == ' ')
        end--;
    start = end;
    while (start > 0 &&
           (isalnum((unsigned char)line[start - 1]) || line[start - 1] == '_'))
        start--;
    if (start == end || end - start >= len)
        return -1;
    memcpy(fn, line + start, end - start);
    fn[end - start] = '\0';
    return 0;
}

static int is_sync_call(const char *fn)
{
    return strstr(fn, "lock") || strstr(fn, "wait") || strstr(fn, "post") ||
           strcmp(fn, "P") == 0 || strcmp(fn, "V") == 0;
}

int rl_call_argument(const char *line, char *buf, size_t len)
{
    for (const char *p = strchr(line, '('); p; p = strchr(p + 1, '(')) {
        char fn[64];
        if (called_name(line, (size_t)(p - line), fn, sizeof fn) != 0 ||
            !is_sync_call(fn))
            continue;
        const char *a = p + 1;
        while (*a == ' ')
            a++;
        if (*a == '&')
            a++;
        size_t n = 0;
        int depth = 0;
        while (a[n] && (depth > 0 || (a[n] != ',' && a[n] != ')'))) {
            if (a[n] == '[' || a[n] == '(')
                depth++;
            if (a[n] == ']' || a[n] == ')')
                depth--;
            if (!isalnum((unsigned char)a[n]) && !strchr("_->.[]*() %+/", a[n]))
                return -1;
            n++;
        }
        while (n > 0 && a[n - 1] == ' ')
            n--;
        if (n == 0 || n >= len || n > 80 || !a[n])
            return -1;
        memcpy(buf, a, n);
        buf[n] = '\0';
        return 0;
    }
    return -1;
}
