#!/usr/bin/env bash
# grade-examples.sh: `make grade` until the labs exist: check every bundled
# example program (tests/cases) and say whether racelab named its bugs.
set -uo pipefail
cd "$(dirname "$0")/.."

expected_ids() { # the EXPECT header of a case, as sorted comma-free words
  sed -n 's|^// EXPECT: *||p' "$1" | head -n 1 | tr ',' ' ' | xargs -n1 |
    grep -vx none | sort | xargs
}
found_ids() { # the ids in a racelab --json file
  grep -o '"id": *"[a-z-]*"' "$1" | sed 's/.*"\([a-z-]*\)"$/\1/' | sort -u | xargs
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
total=0 agreed=0 broken=0
for case in tests/cases/*.c; do
  total=$((total + 1))
  options=$(sed -n 's|^// RACELAB: *||p' "$case" | head -n 1)
  printf '\n=== %s (expected: %s)\n' "$case" "$(expected_ids "$case" | sed 's/^$/none/')"
  # shellcheck disable=SC2086
  bin/racelab check $options --json "$tmp/out.json" "$case"
  status=$?
  if [[ $status -ge 2 ]]; then
    broken=$((broken + 1))
    continue
  fi
  if [[ "$(found_ids "$tmp/out.json")" == "$(expected_ids "$case")" ]]; then
    agreed=$((agreed + 1))
  else
    echo "--> racelab's verdict differs from the expected one"
  fi
done
printf '\n%d example programs checked: %d with the expected verdict, %d could not be checked\n' \
  "$total" "$agreed" "$broken"
[[ $broken -eq 0 ]]
