/* fixture_root.h: map paths in captured tool reports onto this checkout. */
#ifndef RACELAB_FIXTURE_ROOT_H
#define RACELAB_FIXTURE_ROOT_H

#include "engine/sources.h"

/*
 * The captured reports under tests/fixtures name source files by the
 * absolute path of the checkout they were captured in (kept in
 * tests/fixtures/capture-root).  Makes src read those paths as paths in
 * the current checkout, the working directory of the tests.
 */
void fixture_remap_sources(struct rl_sources *src);

#endif
