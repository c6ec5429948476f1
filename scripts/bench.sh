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
: >"$tmp/hangs"
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
  # A hang case: how long racelab took to decide it (the probe's run) and
  # to finish with all tools, and which class it found.
  hang=$(sed -n 's|^// EXPECT: *||p' "$case" | head -n 1 |
    grep -oE 'deadlock|livelock|starvation' | head -n 1)
  if [[ -n $hang ]]; then
    jq -r --arg c "$(basename "$case")" --arg h "$hang" --arg t "$check" '
        [.runs[] | select(.tool == "probe") | .wall_seconds] as $p
        | [$c, $h, ($p | max // -1 | tostring), $t,
           ([.findings[].id] | map(select(. == $h)) | length | tostring)]
        | @tsv' "$tmp/out.json" >>"$tmp/hangs"
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

# Hang decisions: the time to a verdict on a program that never finishes.
# Target: 10 s or less with all tools on the 2-core machine.
if [[ -s $tmp/hangs ]]; then
  echo
  echo "hang decisions (target: decided with all tools in <= 10 s)"
  printf '%-36s %-11s %9s %9s %6s\n' program class probe_s check_s found
  while IFS=$'\t' read -r c h p t n; do
    printf '%-36s %-11s %9.2f %9.2f %6s\n' "$c" "$h" "$p" "$t" \
      "$([[ $n -gt 0 ]] && echo yes || echo NO)"
  done <"$tmp/hangs"
  for h in deadlock livelock starvation; do
    awk -F'\t' -v h="$h" '$2 == h { n++; if ($4 > max) max = $4; sum += $4;
        if ($3 > pmax) pmax = $3 }
      END { if (n) printf "%-11s %2d programs: all tools %.2f s at most (%.2f s on average), probe verdict %.2f s at most\n",
                          h, n, max, sum / n, pmax }' "$tmp/hangs"
  done
  echo "probe_s: the probe's run, up to its verdict (it stops the program once it is sure)"
  echo "check_s: racelab check with all tools, from start to report"
fi
