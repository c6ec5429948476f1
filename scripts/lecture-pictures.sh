#!/usr/bin/env bash
# lecture-pictures.sh: racelab's pictures of the lecture's bugs, from real
# runs, and their screenshots in a real browser (docs/lecture-*.png):
#   lecture-lost-update.png  the lost update stepped by hand (--html)
#   lecture-locked.png       the counter with a mutex: forbidden regions
#   lecture-deadlock.png     a deadlocking seed's wait-for cycle (--html)
#   lecture-step.png         the stepping screen, driven in tmux (--step)
# Needs tmux and chromium (scripts/install-deps.sh chromium). The pages stay in
# build/pictures/ beside their Chrome trace JSON (open it in Perfetto).
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/pictures
mkdir -p "$out" docs
racelab=bin/racelab
[[ -x $racelab ]] || { echo "lecture-pictures: make all first" >&2; exit 2; }
# chromium is an optional package of install-deps.sh (not needed to grade).
command -v chromium >/dev/null || scripts/install-deps.sh chromium || true
for tool in chromium tmux; do
  command -v "$tool" >/dev/null || {
    echo "lecture-pictures: $tool is missing (make deps installs it)" >&2
    exit 2
  }
done

# chromium runs as root here only without its sandbox; the pages load
# nothing, so nothing else is at stake.
shoot() { # PAGE PNG WIDTH HEIGHT
  local sandbox=()
  [[ $(id -u) -eq 0 ]] && sandbox=(--no-sandbox)
  chromium --headless "${sandbox[@]}" --disable-gpu --hide-scrollbars \
    --window-size="$3,$4" --screenshot="$PWD/$2" "file://$PWD/$1" \
    >/dev/null 2>&1
  [[ -s $2 ]] || { echo "lecture-pictures: no screenshot $2" >&2; exit 1; }
  echo "$2 (from $1)"
}

# The lost update the lecture steps by hand: T1 loads cnt, main creates T2
# (choice 3:0), T2 runs (5:2) and stores before T1 does.
"$racelab" check --seed 1 --choices 3:0,5:2 --html "$out/lost-update.html" \
  --trace-json "$out/lost-update.json" tests/sched/lost_update.c >/dev/null ||
  [[ $? -eq 1 ]]
shoot "$out/lost-update.html" docs/lecture-lost-update.png 1180 1250

# The same counter with a mutex, replayed: the forbidden regions.
"$racelab" check --seed 3 --trace --html "$out/locked.html" \
  tests/sched/lost_update_ok.c >/dev/null
shoot "$out/locked.html" docs/lecture-locked.png 1180 1900

# The first deadlocking seed of the two opposite transfers.
"$racelab" check --schedules 200 --html "$out/deadlock.html" \
  --trace-json "$out/deadlock.json" tests/sched/lock_order.c >/dev/null ||
  [[ $? -eq 1 ]]
shoot "$out/deadlock.html" docs/lecture-deadlock.png 1180 1120

# The stepping screen as the lecturer sees it: three Enters, then main
# and T2 chosen by number, then Enter to the end.
session=racelab-pictures-$$
tmux new-session -d -s "$session" -x 120 -y 34 \
  "$racelab check --seed 1 --step tests/sched/lost_update.c; sleep 60"
trap 'tmux kill-session -t "$session" 2>/dev/null || true' EXIT
wait_for() {
  for _ in $(seq 200); do
    tmux capture-pane -p -t "$session" | grep -q -- "$1" && return 0
    sleep 0.05
  done
  echo "lecture-pictures: the step screen never showed '$1'" >&2
  exit 1
}
wait_for "q quits:"
for n in 1 2 3; do
  tmux send-keys -t "$session" Enter
  wait_for "^ *$n  "
done
tmux send-keys -t "$session" 0 Enter
wait_for "^ *4  "
tmux send-keys -t "$session" 2 Enter
wait_for "^ *5  "
for _ in 1 2 3 4 5; do
  tmux send-keys -t "$session" Enter
  sleep 0.1
done
screen=$(tmux capture-pane -p -t "$session")
{
  echo '<!DOCTYPE html><html><head><meta charset="utf-8"/><style>'
  echo 'body{margin:0;background:#1e1e1e}pre{margin:0;padding:14px;'
  echo 'color:#e8e8e8;font:17px "DejaVu Sans Mono",monospace}</style>'
  echo '</head><body><pre>'
  printf '%s\n' "$screen" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g'
  echo '</pre></body></html>'
} >"$out/step.html"
shoot "$out/step.html" docs/lecture-step.png 1240 560
