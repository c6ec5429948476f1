#!/usr/bin/env bash
# bench-labs.sh: wall time of `racelab grade` per lab, for the starter and
# for the reference solution, and how long each tool run of it took.
# Figures to read, not a test.  Target on the 2-core machine: at most 15 s
# per lab.  BENCH_LABS="04-threads 06-counter" limits the labs.
set -uo pipefail
cd "$(dirname "$0")/.."

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
now() { date +%s.%N; }

# Seconds of one grading; the run lines of its report go to $tmp/runs.
grade_seconds() {
  local start end
  start=$(now)
  bin/racelab grade "$1" ${2:+"$2"} >"$tmp/out.txt" 2>&1
  end=$(now)
  sed -n '/^runs:$/,/^$/p' "$tmp/out.txt" | sed '1d;/^$/d' >"$tmp/runs"
  echo "$end - $start" | bc -l
}

labs=${BENCH_LABS:-$(for r in labs/*/rubric.json; do basename "$(dirname "$r")"; done)}
printf '%-22s %10s %10s %8s %8s\n' lab starter_s solution_s starter solution
for lab in $labs; do
  s=$(grade_seconds "$lab" "")
  cp "$tmp/runs" "$tmp/starter.runs"
  s_score=$(sed -n 's/^score: //p' "$tmp/out.txt")
  r=$(grade_seconds "$lab" "solutions/$lab")
  r_score=$(sed -n 's/^score: //p' "$tmp/out.txt")
  printf '%-22s %10.2f %10.2f %8s %8s\n' "$lab" "$s" "$r" "$s_score" "$r_score"
  sed 's/^/    starter  /' "$tmp/starter.runs"
  sed 's/^/    solution /' "$tmp/runs"
  # The iterative-blocking verdict: how long client 2's read waited before
  # the evidence was complete (target: within 1 s of its write).
  latency=$(grep -o "client 2's read waited [0-9.]* s" "$tmp/out.txt" | head -n 1)
  [[ -n $latency ]] && echo "    solution iterative-blocking verdict: $latency"
done
echo "starter_s, solution_s: racelab grade of the lab's starter and of its"
echo "reference solution, all runs of the rubric (target: 15 s or less)"
