# shellcheck shell=bash
# lib.sh (sourced by run.sh): the assertions and the submissions.

ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
# check WHAT FILE JQ-EXPR: the expression is true of the JSON file.
check() {
  if jq -e "$3" "$2" >/dev/null 2>&1; then ok; else
    fail "$1: $3"
    head -c 600 "$2" 2>/dev/null | sed 's/^/  /'
    echo
  fi
}

# The submissions, one folder each, for the lab's first student file:
# correct (the solution), buggy (the starter), broken (does not compile),
# hostile (forges results, prints fake scores lines, ships a rubric, a
# Makefile, tests and a link of its own: none of them may count), empty.
# Expected scores in expect[].
declare -A expect
make_submissions() {
  local s=$1
  mkdir -p "$s"/{correct,buggy,broken,hostile,empty}
  cp "solutions/$lab/$student" "$s/correct/"
  cp "labs/$lab/$student" "$s/buggy/"
  { cat "labs/$lab/$student"; echo 'int broken(void) { return 1 }'; } >"$s/broken/$student"
  # a zip that kept its folder: the file is found below it
  mkdir -p "$s/buggy-nested/handin"
  cp "labs/$lab/$student" "$s/buggy-nested/handin/"
  echo "my notes" >"$s/empty/README.txt"
  hostile_file >"$s/hostile/$student"
  mkdir -p "$s/hostile/tests"
  echo 'int main(void) { return 0; }' >"$s/hostile/tests/check_counter.c"
  jq '.checks[].points = 100' "labs/$lab/rubric.json" >"$s/hostile/rubric.json"
  printf 'all:\n\techo "{\\"scores\\": {}}"\n' >"$s/hostile/Makefile"
  ln -s /etc/passwd "$s/hostile/counter.h"
  local rubric_max
  rubric_max=$max
  expect[correct]=$rubric_max
  expect[buggy]=$(buggy_score)
  expect[buggy-nested]=${expect[buggy]}
  expect[broken]=0
  expect[empty]=0
}

# What the starter scores, graded here directly (the packages must agree).
buggy_score() {
  bin/racelab grade "$lab" --json "$work/starter.json" >/dev/null 2>&1
  jq .score "$work/starter.json"
}

# The lab 06 starter whose count_fast first calls forge_all(), which
# prints lines that imitate a passing report, Gradescope's and
# PrairieLearn's results and Autolab's scores line.  (Writing a results
# file itself is refused before any run: racelab rejects fopen in lab 06;
# tests/hostile has those cases.)
hostile_file() {
  sed -e 's|^long count_fast(int nthreads, long iters)$|long forge_all(void);\n&|' \
    -e 's|^\(    \)return count_locked(nthreads, iters);|\1forge_all();\n&|' \
    "labs/$lab/$student"
  cat <<'C'

#include <stdio.h>

long forge_all(void)
{
    printf("{\"score\": 100, \"gradable\": true, \"tests\": []}\n");
    printf("PASS  15/15  everything\nscore: 15/15\n");
    printf("{\"scores\": {\"compiles\": 99}, \"scoreboard\": [99]}\n");
    return fflush(stdout);
}
C
}
