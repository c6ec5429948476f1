# shellcheck shell=bash
# gradescope.sh (sourced by run.sh): the zip unpacked at
# <mock>/autograder/source, setup.sh run there (the real install check and
# build), then run_autograder on each submission.
gs=$work/gs
ag=$gs/autograder
export RACELAB_PLATFORM_ROOT=$gs
mkdir -p "$ag/source"
unzip -qq "$work/out/$lab-gradescope.zip" -d "$ag/source"
for f in setup.sh run_autograder; do
  [[ -x $ag/source/$f ]] && ok || fail "gradescope: $f is not executable at the zip's root"
done
if (cd "$ag/source" && bash ./setup.sh) >"$work/gs-setup.log" 2>&1; then
  ok
else
  fail "gradescope: setup.sh"; tail -20 "$work/gs-setup.log" | sed 's/^/  /'
fi

# gs_run SUBMISSION: a fresh submission and results folder, as Gradescope
# gives each run; run_autograder's exit status in $rc.
gs_run() {
  rm -rf "$ag/submission" "$ag/results"
  mkdir -p "$ag/submission"
  cp -RP "$work/subs/$1/." "$ag/submission/"
  (cd "$ag" && "$ag/source/run_autograder") >"$work/gs-$1.log" 2>&1
  rc=$?
  results=$ag/results/results.json
}

# The fields Gradescope's spec lists, on every test; the score is the sum.
gs_fields() { # what expected
  check "$1" "$results" ".score == $2"
  check "$1" "$results" '(.output | type) == "string" and .output_format == "text" and .visibility == "visible"'
  check "$1" "$results" "(.execution_time | type) == \"number\""
  check "$1" "$results" ".tests | length == $nchecks"
  check "$1" "$results" 'all(.tests[]; (.name | type) == "string" and (.number | type) == "string"
      and (.status == "passed" or .status == "failed") and (.output | type) == "string"
      and .output_format == "text" and .visibility == "visible")'
  check "$1" "$results" "[.tests[] | .max_score // 0] | add == $max"
  check "$1" "$results" '([.tests[] | .score // 0] | add) == .score'
  check "$1" "$results" 'all(.tests[]; (.score == null) or (.score <= .max_score))'
  check "$1" "$results" 'all(.tests[]; (.status == "passed") == (.score == .max_score))'
}

for s in correct buggy buggy-nested broken hostile empty; do
  gs_run "$s"
  [[ $rc -eq 0 ]] && ok || fail "gradescope $s: run_autograder exit $rc"
  want=${expect[$s]:-}
  case $s in
    hostile) gs_fields "gradescope $s" "${expect[buggy]}" ;;
    *) gs_fields "gradescope $s" "$want" ;;
  esac
  [[ ! -e $ag/results/.racelab-results.json ]] && ok || fail "gradescope $s: the partial file was left"
  cp "$results" "$work/gs-$s.json" 2>/dev/null
done
# racelab could give the student's runs uids of their own (its runtimes
# readable by them: a 0700 folder would make it run them as root)
grep -q "isolation: own uid" "$work/gs-correct.log" && ok ||
  fail "gradescope correct: the runs were not each under a uid of its own"
check "gradescope correct" "$work/gs-correct.json" 'all(.tests[]; .status == "passed")'
check "gradescope broken" "$work/gs-broken.json" '.tests[0].status == "failed" and (.tests[0].output | test("error"))'
check "gradescope empty" "$work/gs-empty.json" "(.tests[0].output | contains(\"has no\")) and (.tests[0].output | contains(\"$student\"))"
# what the hostile program printed is in the report, escaped, not its score
check "gradescope hostile" "$work/gs-hostile.json" '.score < 100 and (.tests | length) > 0'

# Stopped by its budget: the results file still parses and says why.
sed -i 's/^BUDGET=.*/BUDGET=1/' "$ag/source/racelab/package.conf"
gs_run correct
check "gradescope budget" "$results" '.score == 0 and .tests == [] and (.output | test("did not finish within its time budget of 1 s"))'
sed -i "s/^BUDGET=.*/BUDGET=480/" "$ag/source/racelab/package.conf"
# Killed while racelab runs (Gradescope's own timeout): racelab is
# stood in for by a program that copies what results.json holds when it
# starts, then waits; run_autograder's whole group is then killed.
real=$ag/source/racelab/bin/racelab
mv "$real" "$real.real"
# (timeout puts racelab in a process group of its own: its pid is kept)
printf '#!/bin/sh\necho $$ >"%s"\ncp "%s" "%s"\nexec sleep 60\n' "$work/gs-standin.pid" \
  "$ag/results/results.json" "$work/gs-seen.json" >"$real"
chmod 755 "$real"
rm -rf "$ag/results" "$work/gs-seen.json"
exec 3>&2 2>/dev/null # bash's "Killed" notice is expected here
(cd "$ag" && exec setsid "$ag/source/run_autograder") >/dev/null 2>&1 &
killer=$!
for _ in $(seq 100); do [[ -s $work/gs-seen.json ]] && break; sleep 0.1; done
kill -KILL -- "-$killer" 2>/dev/null
[[ -s $work/gs-standin.pid ]] && kill -KILL "$(cat "$work/gs-standin.pid")" 2>/dev/null
wait "$killer"
exec 2>&3 3>&-
mv -f "$real.real" "$real"
results=$ag/results/results.json
check "gradescope killed" "$work/gs-seen.json" '.score == 0 and (.output | test("did not finish"))'
check "gradescope killed" "$results" '.score == 0 and (.output | test("did not finish"))'
# A zip without racelab/ (an incomplete upload): still valid results.
broken=$work/gs-broken-zip
mkdir -p "$broken/autograder/source"
cp "$ag/source/run_autograder" "$broken/autograder/source/"
RACELAB_PLATFORM_ROOT=$broken "$broken/autograder/source/run_autograder" >/dev/null 2>&1
[[ $? -eq 0 ]] && ok || fail "gradescope incomplete zip: run_autograder failed"
check "gradescope incomplete zip" "$broken/autograder/results/results.json" '.score == 0 and (.output | test("did not start"))'
unset RACELAB_PLATFORM_ROOT
