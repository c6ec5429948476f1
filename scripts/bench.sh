#!/usr/bin/env bash
# bench.sh: per corpus program, the wall time of `racelab check` with all
# tools, beside the time of the bare tool runs it wraps: the same compiler
# and tool commands (from its --json report) rerun one after another
# without the harness.  Figures to read, not a test: nothing here fails on
# time.  Target on the 2-core machine: check_s <= 10 s for a teaching-sized
# program, and check_s / bare_s <= 1.2 (harness overhead under 20%).
set -uo pipefail
cd "$(dirname "$0")/.."

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

now() { date +%s.%N; }

# Reruns every build and tool run of a report; prints the seconds taken.
# A run racelab cut short (timeout, or stopped once seen hanging) gets the
# same time again as its limit, since the bare tool would go on forever.
bare_seconds() {
  local report=$1 start line limit
  start=$(now)
  while IFS= read -r line; do
    eval "set -- $line"
    limit=$1
    shift
    if [[ $limit == 0 ]]; then
      (cd "$tmp/cwd" && "$@") </dev/null >/dev/null 2>&1
    else
      (cd "$tmp/cwd" && timeout -s KILL "$limit" "$@") </dev/null >/dev/null 2>&1
    fi
  done < <(jq -r '
      (.builds[] | ["0"] + .command),
      (.runs[] | [if (.timed_out or .note != null) then (.wall_seconds | tostring) else "0" end]
                 + ["env"] + (.environment // []) + .command)
      | @sh' "$report")
  echo "$(now) - $start" | bc -l
}

mkdir -p "$tmp/cwd"
printf '%-36s %8s %8s %7s\n' program check_s bare_s ratio
total_check=0 total_bare=0
for case in ${RACELAB_BENCH_CASES:-tests/cases/*.c}; do
  options=$(sed -n 's|^// RACELAB: *||p' "$case" | head -n 1)
  start=$(now)
  # RACELAB_KEEP leaves the builds in place, for the bare reruns.
  # shellcheck disable=SC2086
  RACELAB_KEEP=1 bin/racelab check $options --json "$tmp/out.json" "$case" \
    >/dev/null 2>"$tmp/err"
  check=$(echo "$(now) - $start" | bc -l)
  kept=$(sed -n "s/^racelab: kept '\(.*\)'$/\1/p" "$tmp/err")
  if [[ ! -s $tmp/out.json || -z $kept ]]; then
    printf '%-36s %s\n' "$(basename "$case")" "no report: $(head -c 200 "$tmp/err")"
    continue
  fi
  bare=$(bare_seconds "$tmp/out.json")
  rm -rf "$kept" "$tmp/out.json"
  printf '%-36s %8.2f %8.2f %7.2f\n' "$(basename "$case")" "$check" "$bare" \
    "$(echo "$check / $bare" | bc -l)"
  total_check=$(echo "$total_check + $check" | bc -l)
  total_bare=$(echo "$total_bare + $bare" | bc -l)
done
printf '%-36s %8.2f %8.2f %7.2f\n' total "$total_check" "$total_bare" \
  "$(echo "if ($total_bare > 0) $total_check / $total_bare else 0" | bc -l)"
echo "check_s: racelab check, all tools (builds, sandboxed runs two at a time, parsing)"
echo "bare_s:  the same compiler and tool commands run one after another, no harness"
