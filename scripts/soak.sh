#!/usr/bin/env bash
# soak.sh: each corpus program checked 5 times plainly, 5 times beside CPU hogs.
# A verdict counts when racelab names exactly the IDs of the program's
# `// EXPECT:` line (for `none`: exit 0, no finding, no run timed out).
# Prints "race_counter.c: 5/5 plain, 5/5 loaded" per program and a total;
# exits 1 when any program scored below full marks, 2 on a usage error.
#
# Environment: RACELAB (default bin/racelab), SOAK_CASES (default
# tests/cases), SOAK_RUNS (default 5), SOAK_HOGS (default 2),
# RACELAB_CORPUS_FILTER (substring of the file names to keep),
# SOAK_CHECK_TIMEOUT (seconds per racelab check, default 180) and
# SOAK_MAX_SECONDS (the whole soak, default 10800): runs the deadline
# leaves out count as failures, so a cut-short soak never passes.
set -uo pipefail
cd "$(dirname "$0")/.."

racelab=${RACELAB:-bin/racelab}
cases_dir=${SOAK_CASES:-tests/cases}
runs=${SOAK_RUNS:-5}
nhogs=${SOAK_HOGS:-2}
check_timeout=${SOAK_CHECK_TIMEOUT:-180}
deadline=$(( $(date +%s) + ${SOAK_MAX_SECONDS:-10800} ))

[[ -x $racelab ]] || { echo "soak: cannot run '$racelab'" >&2; exit 2; }
command -v jq >/dev/null || { echo "soak: 'jq' is missing" >&2; exit 2; }

tmp=$(mktemp -d)
hogs=()

start_hogs() {
  for ((h = 0; h < nhogs; h++)); do
    sh -c 'while :; do :; done' &
    hogs+=($!)
  done
}

# Only the hogs this script started, each by its own pid.
stop_hogs() {
  local pid
  for pid in "${hogs[@]}"; do
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  hogs=()
}

cleanup() {
  stop_hogs
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The sorted, comma-free list of IDs a program's header expects.
expected_ids() {
  sed -n 's|^// EXPECT: *||p' "$1" | head -n 1 | tr ',' '\n' |
    tr -d ' \t\r' | grep -v '^none$' | grep -v '^$' | LC_ALL=C sort -u |
    tr '\n' ' '
}

# One racelab check of $1 (options $2); prints "ok" or what went wrong.
one_verdict() {
  local file=$1 options=$2 want=$3 status got timed_out
  rm -f "$tmp/out.json"
  # shellcheck disable=SC2086
  timeout -s KILL "$check_timeout" "$racelab" check --json "$tmp/out.json" \
    $options "$file" >"$tmp/log" 2>&1
  status=$?
  if [[ ! -s $tmp/out.json ]]; then
    echo "exit $status, no JSON"
    return
  fi
  got=$(jq -r '.findings[].id' "$tmp/out.json" | LC_ALL=C sort -u |
    tr '\n' ' ')
  if [[ $got != "$want" ]]; then
    echo "got [${got% }] want [${want% }]"
  elif [[ -z $want && $status -ne 0 ]]; then
    echo "exit $status"
  elif [[ -n $want && $status -ne 1 ]]; then
    echo "exit $status"
  elif [[ -z $want ]] &&
    timed_out=$(jq -r '[.runs[] | select(.timed_out) | .tool] | join(",")' \
      "$tmp/out.json") && [[ -n $timed_out ]]; then
    echo "timed out: $timed_out"
  else
    echo ok
  fi
}

# Runs $runs checks; prints the number that gave the expected verdict and
# sends the first few mismatches to stderr.
score() {
  local file=$1 options=$2 want=$3 label=$4 good=0 i why
  for ((i = 0; i < runs; i++)); do
    if (( $(date +%s) >= deadline )); then
      echo "$(basename "$file") $label: soak deadline reached" >&2
      break
    fi
    why=$(one_verdict "$file" "$options" "$want")
    if [[ $why == ok ]]; then
      good=$((good + 1))
    else
      echo "  $(basename "$file") $label run $((i + 1)): $why" >&2
    fi
  done
  echo "$good"
}

total_good=0 total_runs=0 below=0 nprog=0
shopt -s nullglob
for file in "$cases_dir"/*.c; do
  name=$(basename "$file")
  [[ -n ${RACELAB_CORPUS_FILTER:-} && $name != *"$RACELAB_CORPUS_FILTER"* ]] &&
    continue
  want=$(expected_ids "$file")
  options=$(sed -n 's|^// RACELAB: *||p' "$file" | head -n 1)
  plain=$(score "$file" "$options" "$want" plain)
  start_hogs
  loaded=$(score "$file" "$options" "$want" loaded)
  stop_hogs
  echo "$name: $plain/$runs plain, $loaded/$runs loaded"
  nprog=$((nprog + 1))
  total_good=$((total_good + plain + loaded))
  total_runs=$((total_runs + 2 * runs))
  (( plain < runs || loaded < runs )) && below=$((below + 1))
done

if (( nprog == 0 )); then
  echo "soak: no program in '$cases_dir' matched" >&2
  exit 2
fi
echo "total: $total_good/$total_runs expected verdicts;" \
  "$below of $nprog programs below $runs/$runs"
(( below == 0 ))
