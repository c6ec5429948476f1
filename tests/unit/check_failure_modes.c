/* check_failure_modes.c: the failure-mode table is complete, the policy and
 * grading read it, and docs/failure-modes.md describes the same IDs, in the
 * same order, with the same authoritative tools. */
#include <check.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/failure_modes.h"
#include "engine/finding.h"
#include "engine/policy.h"
#include "tools/tool.h"
#include "test_files.h"

static const struct rl_failure_mode *const modes = rl_failure_modes;

/* A name a finding can carry in its "seen by" list: a tool of the registry,
 * or one of the checks that act as tools without being in it. */
static int is_tool_name(const char *name)
{
    return rl_tool_find(name) != NULL || strcmp(name, "server") == 0 ||
           strcmp(name, "sched") == 0;
}

/* Text that reads as prose: starts with a capital, ends with a full stop. */
static int is_sentences(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && isupper((unsigned char)s[0]) && s[n - 1] == '.' &&
           !strstr(s, "  ") && s[n - 2] != ' ';
}

static size_t nauthorities(const struct rl_failure_mode *m)
{
    size_t n = 0;
    while (n < RL_MAX_AUTHORITIES && m->authorities[n])
        n++;
    return n;
}

/* ---- Table ---- */

START_TEST(every_id_has_a_complete_entry)
{
    ck_assert_ptr_nonnull(modes[0].id);
    for (const struct rl_failure_mode *m = modes; m->id; m++) {
        ck_assert_msg(m->id[0] &&
                          strspn(m->id, "abcdefghijklmnopqrstuvwxyz-") ==
                              strlen(m->id),
                      "'%s': IDs are lowercase words joined by '-'", m->id);
        ck_assert_ptr_eq(rl_failure_mode_find(m->id), m); /* no duplicate */
        ck_assert_msg(m->title && m->title[0], "%s: no title", m->id);
        ck_assert_msg(m->explanation && is_sentences(m->explanation),
                      "%s: explanation missing or not sentences", m->id);
        ck_assert_msg(m->fix && is_sentences(m->fix),
                      "%s: fix missing or not sentences", m->id);
        /* The title is a phrase after "id: " on a line of at most 80
         * columns; the explanation says more than it. */
        ck_assert_msg(!strchr(m->title, '\n'), "%s: title not one line", m->id);
        ck_assert_msg(m->title[strlen(m->title) - 1] != '.',
                      "%s: title ends with a full stop", m->id);
        ck_assert_int_le(strlen(m->id) + 2 + strlen(m->title), 80);
        ck_assert_msg(strcmp(m->explanation, m->fix) != 0, "%s", m->id);
        ck_assert_msg(strlen(m->explanation) > strlen(m->title), "%s", m->id);
    }
}
END_TEST

/* A missing authority would silently drop every finding of the ID. */
START_TEST(every_id_has_known_authoritative_tools)
{
    for (const struct rl_failure_mode *m = modes; m->id; m++) {
        size_t n = nauthorities(m);
        ck_assert_msg(n > 0, "%s: no authoritative tool", m->id);
        for (size_t i = 0; i < n; i++) {
            const char *tool = m->authorities[i];
            ck_assert_msg(is_tool_name(tool), "%s: unknown tool '%s'", m->id,
                          tool);
            for (size_t j = 0; j < i; j++)
                ck_assert_msg(strcmp(m->authorities[j], tool) != 0,
                              "%s: '%s' twice", m->id, tool);
            ck_assert(rl_failure_mode_trusts(m->id, tool));
            ck_assert(rl_policy_is_authoritative(m->id, tool));
        }
        for (size_t i = n; i < RL_MAX_AUTHORITIES; i++)
            ck_assert_ptr_null(m->authorities[i]);
    }
}
END_TEST

/* The choices that correct programs under tests/cases prove: a tool that
 * reports an ID on correct code only confirms it. */
START_TEST(unreliable_tools_only_confirm)
{
    ck_assert(!rl_failure_mode_trusts("data-race", "helgrind"));
    ck_assert(!rl_failure_mode_trusts("data-race", "drd"));
    ck_assert(rl_failure_mode_trusts("data-race", "tsan"));
    ck_assert(!rl_failure_mode_trusts("lock-order-inversion", "tsan"));
    ck_assert(!rl_failure_mode_trusts("lock-order-inversion", "helgrind"));
    ck_assert(rl_failure_mode_trusts("lock-order-inversion", "probe"));
    ck_assert(!rl_failure_mode_trusts("data-race", "bogus"));
    ck_assert(!rl_failure_mode_trusts("bogus", "tsan"));
    ck_assert(!rl_failure_mode_trusts("data-race", NULL));
    ck_assert(!rl_failure_mode_trusts(NULL, "tsan"));
}
END_TEST

/* Grading shows these beside tests that never finished; an inversion
 * that did not deadlock did not stop anything. */
START_TEST(hang_classes_are_the_ids_of_programs_that_never_finish)
{
    int nhang = 0;
    for (const struct rl_failure_mode *m = modes; m->id; m++) {
        ck_assert_int_eq(rl_failure_mode_is_hang(m->id), m->hang);
        nhang += m->hang;
    }
    ck_assert_int_eq(nhang, 3);
    ck_assert(rl_failure_mode_is_hang("deadlock"));
    ck_assert(rl_failure_mode_is_hang("livelock"));
    ck_assert(rl_failure_mode_is_hang("starvation"));
    ck_assert(!rl_failure_mode_is_hang("lock-order-inversion"));
    ck_assert(!rl_failure_mode_is_hang("bogus"));
    ck_assert(!rl_failure_mode_is_hang(NULL));
}
END_TEST

START_TEST(unknown_id_is_not_found)
{
    ck_assert_ptr_null(rl_failure_mode_find("race"));
    ck_assert_ptr_null(rl_failure_mode_find("Data-Race"));
    ck_assert_ptr_null(rl_failure_mode_find(""));
    ck_assert_ptr_null(rl_failure_mode_find(NULL));
}
END_TEST

static void assert_fix_says(const char *id, const char *remedy)
{
    const struct rl_failure_mode *m = rl_failure_mode_find(id);
    ck_assert_ptr_nonnull(m);
    ck_assert_msg(strstr(m->fix, remedy), "%s: fix lacks '%s'", id, remedy);
}

/* The lecture's fixes are the ones students are graded on. */
START_TEST(fixes_name_the_lecture_remedies)
{
    assert_fix_says("connfd-race", "Never pass &connfd");
    assert_fix_says("zombie-children", "while (waitpid(-1, 0, WNOHANG) > 0)");
    assert_fix_says("thread-leak", "pthread_detach(pthread_self())");
    assert_fix_says("errno-clobber", "int olderrno = errno;");
    assert_fix_says("errno-clobber", "errno = olderrno;");
    assert_fix_says("signal-unsafe-call", "volatile sig_atomic_t");
}
END_TEST

/* ---- Docs ---- */

/* docs/failure-modes.md, found from this file's own path so the runner
 * works from the repository root or from an absolute build. */
static char *docs_text(void)
{
    const char *me = __FILE__, *suffix = "tests/unit/check_failure_modes.c";
    size_t root = strlen(me) - strlen(suffix);
    ck_assert_str_eq(me + root, suffix);
    char path[1024];
    snprintf(path, sizeof path, "%.*sdocs/failure-modes.md", (int)root, me);
    char *text = test_read_all(path);
    ck_assert_msg(text != NULL, "cannot read '%s'", path);
    return text;
}

/* The start of the ID's section ("## `id`"), or NULL. */
static const char *section(const char *text, const char *id)
{
    char heading[64];
    snprintf(heading, sizeof heading, "\n## `%s`\n", id);
    return strstr(text, heading);
}

START_TEST(docs_have_a_section_per_id_in_table_order)
{
    char *text = docs_text();
    const char *last = text;
    for (const struct rl_failure_mode *m = modes; m->id; m++) {
        const char *s = section(text, m->id);
        ck_assert_msg(s, "docs lack the section '## `%s`'", m->id);
        ck_assert_msg(s > last, "docs: '%s' out of the table's order", m->id);
        last = s;
    }
    free(text);
}
END_TEST

/* The section's "- Authoritative:" item names in bold (**tsan**) exactly
 * the table's authoritative tools. */
static void assert_docs_authorities(const char *text,
                                    const struct rl_failure_mode *m)
{
    const char *s = section(text, m->id);
    ck_assert_ptr_nonnull(s);
    const char *end = strstr(s + 1, "\n## ");
    const char *item = strstr(s, "\n- Authoritative:");
    ck_assert_msg(item && (!end || item < end),
                  "docs: '%s' has no '- Authoritative:' line", m->id);
    const char *item_end = strstr(item + 1, "\n- ");
    if (!item_end)
        item_end = item + strlen(item);
    size_t nbold = 0;
    for (const char *b = strstr(item, "**"); b && b < item_end;
         b = strstr(b + 2, "**")) {
        const char *close = strstr(b + 2, "**");
        ck_assert_ptr_nonnull(close);
        char tool[32];
        snprintf(tool, sizeof tool, "%.*s", (int)(close - b - 2), b + 2);
        ck_assert_msg(rl_failure_mode_trusts(m->id, tool),
                      "docs: '%s' names '%s', the table does not", m->id, tool);
        nbold++;
        b = close;
    }
    ck_assert_msg(nbold == nauthorities(m),
                  "docs: '%s' names %zu authoritative tools, the table %zu",
                  m->id, nbold, nauthorities(m));
}

START_TEST(docs_name_the_tables_authoritative_tools)
{
    char *text = docs_text();
    for (const struct rl_failure_mode *m = modes; m->id; m++)
        assert_docs_authorities(text, m);
    free(text);
}
END_TEST

/* A self-deadlock is a deadlock with its own text, never lock-order
 * advice; without the flag the mode's own text. */
START_TEST(self_deadlock_has_its_own_text)
{
    const char *name = "x";
    const struct rl_failure_mode *plain = rl_failure_mode_find("deadlock");
    const struct rl_failure_mode *self =
        rl_failure_mode_explain("deadlock", RL_FINDING_SELF_DEADLOCK, &name);
    ck_assert_ptr_nonnull(self);
    ck_assert_str_eq(name, "self-deadlock");
    ck_assert_str_eq(self->id, "deadlock");
    ck_assert(self != plain);
    ck_assert(is_sentences(self->explanation) && is_sentences(self->fix));
    ck_assert_ptr_null(strstr(self->fix, "order"));
    ck_assert_ptr_nonnull(strstr(self->fix, "RECURSIVE"));
    ck_assert(rl_failure_mode_explain("deadlock", 0, &name) == plain);
    ck_assert_ptr_null(name);
    /* The flag means nothing to another mode. */
    ck_assert(
        rl_failure_mode_explain("livelock", RL_FINDING_SELF_DEADLOCK, NULL) ==
        rl_failure_mode_find("livelock"));
    ck_assert_ptr_null(rl_failure_mode_explain("no-such-id", 0, NULL));
    /* A livelock kept in step by a barrier: no random back-off advice. */
    self =
        rl_failure_mode_explain("livelock", RL_FINDING_LOCKSTEP_BARRIER, &name);
    ck_assert_str_eq(name, "lockstep-barrier");
    ck_assert_ptr_null(strstr(self->fix, "back off for a random"));
    ck_assert_ptr_nonnull(
        strstr(rl_failure_mode_find("livelock")->fix, "random"));
    /* A starved reader is not told to prefer writers. */
    self =
        rl_failure_mode_explain("starvation", RL_FINDING_READER_STARVED, &name);
    ck_assert_str_eq(name, "reader-starved");
    ck_assert_ptr_null(strstr(self->fix, "writer-preferring"));
    ck_assert_ptr_nonnull(
        strstr(rl_failure_mode_find("starvation")->fix, "writer-preferring"));
}
END_TEST

Suite *make_failure_modes_suite(void)
{
    Suite *s = suite_create("failure_modes");
    TCase *table = tcase_create("Table");
    tcase_set_tags(table, "fast"); /* no tool runs: make test-fast */
    tcase_add_test(table, every_id_has_a_complete_entry);
    tcase_add_test(table, every_id_has_known_authoritative_tools);
    tcase_add_test(table, unreliable_tools_only_confirm);
    tcase_add_test(table,
                   hang_classes_are_the_ids_of_programs_that_never_finish);
    tcase_add_test(table, unknown_id_is_not_found);
    tcase_add_test(table, fixes_name_the_lecture_remedies);
    tcase_add_test(table, self_deadlock_has_its_own_text);
    suite_add_tcase(s, table);

    TCase *docs = tcase_create("Docs");
    tcase_set_tags(docs, "fast"); /* no tool runs: make test-fast */
    tcase_add_test(docs, docs_have_a_section_per_id_in_table_order);
    tcase_add_test(docs, docs_name_the_tables_authoritative_tools);
    suite_add_tcase(s, docs);
    return s;
}
