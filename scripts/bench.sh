#!/usr/bin/env bash
# bench.sh: per corpus program, the wall time of `racelab check` with all
# tools, beside the sum of the tool runs it wraps (as each run's sandbox
# measured them).  Figures to read, not a test: nothing here fails on time.
set -uo pipefail
cd "$(dirname "$0")/.."

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%-36s %9s %9s %7s  %s\n' program check_s runs_sum_s ratio slowest_run
total_check=0 total_runs=0
for case in ${RACELAB_BENCH_CASES:-tests/cases/*.c}; do
  options=$(sed -n 's|^// RACELAB: *||p' "$case" | head -n 1)
  start=$(date +%s.%N)
  # shellcheck disable=SC2086
  bin/racelab check $options --json "$tmp/out.json" "$case" >/dev/null 2>&1
  end=$(date +%s.%N)
  [[ -s $tmp/out.json ]] || { printf '%-36s %s\n' "$(basename "$case")" "no report"; continue; }
  check=$(echo "$end - $start" | bc -l)
  runs=$(jq '[.runs[].wall_seconds] | add // 0' "$tmp/out.json")
  slowest=$(jq -r '.runs | max_by(.wall_seconds) | "\(.tool) \(.wall_seconds * 100 | round / 100)s"' "$tmp/out.json")
  ratio=$(echo "if ($runs > 0) $check / $runs else 0" | bc -l)
  printf '%-36s %9.2f %9.2f %7.2f  %s\n' "$(basename "$case")" "$check" "$runs" "$ratio" "$slowest"
  total_check=$(echo "$total_check + $check" | bc -l)
  total_runs=$(echo "$total_runs + $runs" | bc -l)
  rm -f "$tmp/out.json"
done
printf '%-36s %9.2f %9.2f\n' total "$total_check" "$total_runs"
echo "check_s: racelab check wall time (builds, runs two at a time, parsing)."
echo "runs_sum_s: the tool runs added up; ratio < 1 means running tools side by side paid off."
