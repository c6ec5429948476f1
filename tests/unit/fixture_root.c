/* fixture_root.c: map paths in captured tool reports onto this checkout. */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fixture_root.h"

void fixture_remap_sources(struct rl_sources *src)
{
    char captured[PATH_MAX] = "", here[PATH_MAX];
    FILE *f = fopen("tests/fixtures/capture-root", "r");
    ck_assert_msg(f != NULL, "cannot open 'tests/fixtures/capture-root'");
    ck_assert(fgets(captured, sizeof captured, f) != NULL);
    fclose(f);
    captured[strcspn(captured, "\n")] = '\0';
    ck_assert(getcwd(here, sizeof here) != NULL);
    rl_sources_remap(src, captured, here);
}
