#!/usr/bin/env bash
# tsan-self.sh: a few real checks and gradings with the harness built under
# ThreadSanitizer (`make tsan-self` builds it first). Each one runs the
# runner's worker pool with several tools at once; it passes when racelab
# gives its usual verdict and TSan reported nothing in racelab itself.
#
# The programs checked are TSan builds too and race by design, but their
# reports go into the logs racelab captures; the harness's own reports go
# to build/tsan-self/reports/tsan.PID (tests/tsan-self/tsan_self_options.c)
# and stop it with exit status 66. racelab's own stderr is searched too.
# Exit status: 0 clean, 1 a report or a wrong verdict.
set -uo pipefail
cd "$(dirname "$0")/.."

dir=build/tsan-self
racelab=$dir/bin/racelab
out=$dir/out
[[ -x $racelab ]] || { echo "tsan-self: build $racelab first" >&2; exit 1; }
rm -rf "$dir/reports" "$out"
mkdir -p "$dir/reports" "$out"
# grade finds labs/ beside bin/ otherwise: build/tsan-self has none.
export RACELAB_LABS=$PWD/labs
failed=0

# run NAME STATUS ARGS...: racelab ARGS must exit with STATUS, TSan-clean.
run() {
  local name=$1 want=$2 start=$SECONDS status
  shift 2
  "$racelab" "$@" >"$out/$name.out" 2>"$out/$name.err"
  status=$?
  local why=""
  if [[ $status -eq 66 ]] || grep -q "WARNING: ThreadSanitizer" "$out/$name.err"; then
    why="ThreadSanitizer report in racelab"
  elif [[ $status -ne $want ]]; then
    why="exit status $status, expected $want"
  fi
  if [[ -n $why ]]; then
    echo "tsan-self: $name: FAIL: $why (racelab $*)"
    tail -n 40 "$out/$name.err"
    failed=1
  else
    echo "tsan-self: $name: ok ($((SECONDS - start)) s)"
  fi
}

run check-race 1 check tests/cases/race_counter.c
run check-clean 0 check tests/cases/ok_thread_pool.c
run check-server 0 check --server solutions/04-threads/echoserver.c \
    labs/common/csapp.c
run check-schedules 1 check --schedules 200 tests/sched/lost_update.c
run check-deadlock 1 check tests/cases/deadlock_with_leak.c
run grade-server 0 grade 04-threads solutions/04-threads
run grade-tests 0 grade 06-counter solutions/06-counter

for report in "$dir"/reports/tsan*; do
  [[ -e $report ]] || continue
  echo "tsan-self: FAIL: ThreadSanitizer report in the harness: $report"
  head -n 60 "$report"
  failed=1
done
if [[ $failed -eq 0 ]]; then
  echo "tsan-self: the harness ran clean under ThreadSanitizer"
fi
exit $failed
