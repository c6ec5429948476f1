/* unit_main.c: runs every Check suite of tests/unit in one runner. */
#include <check.h>
#include <stdlib.h>

#define SUITE(maker) Suite *maker(void);
#include "suites.h"
#undef SUITE

int main(void)
{
    SRunner *runner = srunner_create(NULL);
#define SUITE(maker) srunner_add_suite(runner, maker());
#include "suites.h"
#undef SUITE
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
