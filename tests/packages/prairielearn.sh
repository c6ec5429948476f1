# shellcheck shell=bash
# prairielearn.sh (sourced by run.sh): the question's tests/ at
# <mock>/grade/tests, the student's files at <mock>/grade/student, the
# entrypoint as info.json names it (bash /grade/tests/run.sh).
pl=$work/pl
q=$work/out/$lab-prairielearn/racelab-$lab
info=$q/info.json
check "prairielearn info.json" "$info" '.type == "v3" and .gradingMethod == "External" and (.uuid | test("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"))'
check "prairielearn info.json" "$info" '.externalGradingOptions | .enabled == true and .image == "prairielearn/grader-c" and .entrypoint == "bash /grade/tests/run.sh" and .timeout <= 600'
grep -q "<pl-file-upload file-names=\"$student\">" "$q/question.html" && grep -q '<pl-external-grader-results>' "$q/question.html" &&
  ok || fail "prairielearn question.html: no upload of $student or no results element"

pl_run() { # submission
  rm -rf "$pl"
  mkdir -p "$pl/grade/student"
  cp -R "$q/tests" "$pl/grade/tests"
  # as a mount may give them: no execute bits
  chmod -R a-x+X "$pl/grade/tests"
  cp -RP "$work/subs/$1/." "$pl/grade/student/"
  RACELAB_PLATFORM_ROOT=$pl bash "$pl/grade/tests/run.sh" >"$work/pl-$1.log" 2>&1
  rc=$?
  results=$pl/grade/results/results.json
}

pl_fields() { # what expected
  check "$1" "$results" ".gradable == true and .score == ($2 / $max)"
  check "$1" "$results" '(.message | type) == "string" and (.output | type) == "string"'
  check "$1" "$results" ".tests | length == $nchecks"
  check "$1" "$results" 'all(.tests[]; (.name | type) == "string" and (.description | type) == "string"
      and (.points | type) == "number" and (.max_points | type) == "number"
      and (.message | type) == "string" and (.output | type) == "string" and .points <= .max_points)'
  check "$1" "$results" "[.tests[].max_points] | add == $max"
  check "$1" "$results" "[.tests[].points] | add == $2"
  [[ $(stat -c %s "$results" 2>/dev/null || echo 0) -lt 1000000 ]] && ok || fail "$1: results over 1 MB"
}

for s in correct buggy buggy-nested broken hostile empty; do
  pl_run "$s"
  [[ $rc -eq 0 ]] && ok || fail "prairielearn $s: run.sh exit $rc"
  case $s in
    hostile) pl_fields "prairielearn $s" "${expect[buggy]}" ;;
    *) pl_fields "prairielearn $s" "${expect[$s]}" ;;
  esac
  cp "$results" "$work/pl-$s.json" 2>/dev/null
done
# racelab could give the student's runs uids of their own (its runtimes
# readable by them: a 0700 folder would make it run them as root)
grep -q "isolation: own uid" "$work/pl-correct.log" && ok ||
  fail "prairielearn correct: the runs were not each under a uid of its own"
check "prairielearn empty" "$work/pl-empty.json" ".tests[0].message | contains(\"$student\")"
check "prairielearn broken" "$work/pl-broken.json" '.tests[0].points == 0 and (.tests[0].output | test("error"))'

# racelab missing from the question (a broken upload): exit 0, not gradable.
rm -f "$q/tests/racelab/bin/racelab.bak"
mv "$q/tests/racelab/bin/racelab" "$q/tests/racelab/bin/racelab.bak"
pl_run correct
mv "$q/tests/racelab/bin/racelab.bak" "$q/tests/racelab/bin/racelab"
[[ $rc -eq 0 ]] && ok || fail "prairielearn without racelab: run.sh exit $rc"
check "prairielearn without racelab" "$results" '.gradable == false and (.message | test("not installed"))'
