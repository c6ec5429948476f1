/* data_names.c: a global's address inside an array or struct to the
 * expression a student wrote, from the executable's DWARF through gdb. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/data_names.h"
#include "lib/spawn.h"
#include "lib/xalloc.h"

/*
 * The Python run inside gdb, one line per string (joined with "\n" inside
 * exec's literal, so it contains no double quote).  For each address it
 * asks gdb which symbol holds it, then walks that variable's type: an
 * array step adds "[i]", a struct or union step adds ".field".  The walk
 * stops at a pthread or semaphore type: its insides are libc's, not the
 * student's.  Only numbers reach the script: symbol names come from the
 * student's program and are never part of the code gdb runs.
 */
static const char *const script[] = {
    "import gdb",
    "def walk(t, off, s):",
    "    name = str(t)",
    "    t = t.strip_typedefs()",
    "    if name.startswith('pthread_') or name == 'sem_t':",
    "        return s",
    "    if t.code == gdb.TYPE_CODE_ARRAY:",
    "        et = t.target()",
    "        n = et.sizeof",
    "        if n == 0:",
    "            return s",
    "        i = off // n",
    "        return walk(et, off - i * n, '%s[%d]' % (s, i + t.range()[0]))",
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
    "for a in ADDRS:",
    "    try:",
    "        n = name_of(a)",
    "    except Exception:",
    "        n = None",
    "    if n:",
    "        print('%d %s' % (a, n))",
};

static char *python_command(const struct rl_data_name *v, size_t n)
{
    size_t cap = 4096 + 24 * n;
    for (size_t i = 0; i < sizeof script / sizeof *script; i++)
        cap += strlen(script[i]) + 2;
    char *cmd = xmalloc(cap);
    size_t len = (size_t)snprintf(cmd, cap, "python exec(\"ADDRS = [");
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(cmd + len, cap - len, "%s%llu", i ? ", " : "",
                                (unsigned long long)v[i].offset);
    len += (size_t)snprintf(cmd + len, cap - len, "]\\n");
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

int rl_data_names_resolve(const char *exe, struct rl_data_name *v, size_t n)
{
    if (n == 0)
        return 0;
    char *cmd = python_command(v, n);
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
