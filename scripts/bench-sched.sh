#!/usr/bin/env bash
# bench-sched.sh: per seeded-bug program of tests/sched, the share of
# failing seeds of `racelab check --schedules N` at depth 2 and 3, the
# share of failing plain runs (gcc -O1 -pthread, run N times), and the
# cost per explored seed.  Figures to read, not a test: nothing here fails
# on them.  Target: under 5 ms per seed for a teaching-sized program.
# RACELAB=path/to/racelab and SCHED_RUNS=N (default 200) may be set.
set -uo pipefail
cd "$(dirname "$0")/.."

racelab=${RACELAB:-bin/racelab}
runs=${SCHED_RUNS:-200}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# "F/N ms" of one exploration, read from the --json report's run note.
explore() {
  local depth=$1 file=$2
  "$racelab" check --schedules "$runs" --depth "$depth" \
    --json "$tmp/r.json" "$file" >/dev/null 2>&1
  python3 - "$tmp/r.json" <<'PY'
import json, re, sys
note = json.load(open(sys.argv[1]))["runs"][0]["note"] or ""
m = re.search(r"explored (\d+) seeds.*?: (\d+) failed, ([\d.]+) ms", note)
print("%s/%s %s" % (m.group(2), m.group(1), m.group(3)) if m else "?/? ?")
PY
}

# Failing plain runs: a nonzero status, a signal, or a hang (1 s).
plain() {
  local file=$1 fails=0
  gcc -g -O1 -pthread -o "$tmp/plain" "$file" -lm || { echo "?"; return; }
  for ((i = 0; i < runs; i++)); do
    timeout -s KILL 1 "$tmp/plain" >/dev/null 2>&1 || fails=$((fails + 1))
  done
  echo "$fails/$runs"
}

printf '%-18s %12s %12s %12s %10s\n' program fail_d2 fail_d3 fail_plain \
  ms_per_seed
for prog in lost_update lock_order sbuf_nomutex cond_if; do
  file=tests/sched/$prog.c
  read -r d2 ms2 < <(explore 2 "$file")
  read -r d3 ms3 < <(explore 3 "$file")
  printf '%-18s %12s %12s %12s %10s\n' "$prog" "$d2" "$d3" "$(plain "$file")" \
    "$ms3"
done
