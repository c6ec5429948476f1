#!/usr/bin/env bash
# pictures.sh: `make handout-pictures` (in make test): the handouts of labs
# 06 and 08 rendered as `make handouts` renders them (handouts/render.sh,
# pandoc), with racelab's own pictures of the labs' programs in them.
# Each picture is cut out of the rendered HTML and read by an XML parser
# (bin/html-outline, expat): lanes, the lost update's marked step, the
# progress graph's unsafe region and trajectory, the wait-for cycle's
# edges; its SVG must be byte for byte the one on racelab's own page.  A
# run without the finding (racelab checking lab 08's solution instead)
# must fail the handout, name the lab, and leave no HTML behind.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
root=$PWD
passed=0 failed=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ok() { passed=$((passed + 1)); echo "  ok: $1"; }
fail() { failed=$((failed + 1)); echo "  FAIL: $1"; }
check() { # DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then ok "$what"; else fail "$what"; fi
}
for need in bin/racelab bin/html-outline; do
  [[ -x $need ]] || { echo "handout-pictures: $need missing (make all)" >&2; exit 2; }
done
command -v pandoc >/dev/null || { echo "handout-pictures: pandoc missing (make deps)" >&2; exit 2; }
# Rendered apart from build/handouts, so a `make handouts` or a kit being
# made at the same time is left alone.
out=$work/handouts
export HANDOUTS_OUT=$out

# 1. A run that does not show the bug fails the handout.  This racelab
# checks lab 08's solution wherever the starter's bank.c is named.
cat >"$work/racelab" <<EOF
#!/bin/sh
for a in "\$@"; do
  [ "\$a" = labs/08-deadlock/bank.c ] && a=solutions/08-deadlock/bank.c
  set -- "\$@" "\$a"
  shift
done
exec "$root/bin/racelab" "\$@"
EOF
chmod +x "$work/racelab"
echo "handout-pictures: lab 08 rendered against a racelab that finds no deadlock"
HANDOUT_RACELAB=$work/racelab handouts/render.sh handouts/08-deadlock.md >"$work/bad.out" 2>"$work/bad.err"
status=$?
check "render.sh fails (exit $status)" test "$status" -ne 0
check "the message names the lab and the picture" \
  grep -q "picture '08-wait-for' of lab 08-deadlock: racelab check .* exited 0, not 1" "$work/bad.err"
check "no stale handout or picture left" \
  test ! -e "$out/08-deadlock.html" -a ! -e "$out/08-deadlock.md" -a ! -e "$out/pictures/08-wait-for.frag"
handouts/pictures.sh no-such-picture "$work/x.frag" 2>"$work/unknown.err"
status=$?
check "an unknown picture name is refused (exit $status)" \
  grep -q "no picture named 'no-such-picture'" "$work/unknown.err"

# 2. The real thing.
echo "handout-pictures: rendering handouts 06 and 08"
if ! handouts/render.sh handouts/06-counter.md handouts/08-deadlock.md >"$work/good.out" 2>&1; then
  sed 's/^/  /' "$work/good.out"
  fail "render.sh 06-counter 08-deadlock"
fi

# picture HANDOUT NAME: the picture's div as the rendered handout has it,
# outlined by the XML parser into $work/NAME.outline.
picture() {
  awk -v start="<div class=\"racelab-picture\" data-picture=\"$2\">" \
    '$0 == start { p = 1 } p { print } p && /^<\/div>$/ { exit }' \
    "$out/$1.html" >"$work/$2.xml"
  if [[ ! -s $work/$2.xml ]]; then
    fail "$1.html has no picture $2"
    return 1
  fi
  if ! bin/html-outline "$work/$2.xml" >"$work/$2.outline" 2>"$work/$2.err"; then
    fail "picture $2 in $1.html is not well-formed: $(cat "$work/$2.err")"
    return 1
  fi
  ok "$1.html carries picture $2, well-formed"
  # Not one byte drifted from racelab's own page of the same run.
  awk '/^<svg /{p=1} p{print} /<\/svg>/{exit}' "$work/$2.xml" >"$work/$2.handout.svg"
  local class
  class=$(sed -n 's/^<svg class="\([^"]*\)".*/\1/p' "$work/$2.handout.svg")
  awk -v c="<svg class=\"$class\"" 'index($0, c) == 1 {p=1} p{print} p && /<\/svg>/{exit}' \
    "$out/pictures/$2.html" >"$work/$2.page.svg"
  check "picture $2: the SVG is racelab's own ($class)" \
    cmp -s "$work/$2.handout.svg" "$work/$2.page.svg"
}
has() { grep -qxF "$2" "$work/$1.outline"; } # NAME LINE
count() { grep -cxF "$2" "$work/$1.outline"; } # NAME LINE

if picture 06-counter 06-lost-update; then
  p=06-lost-update
  check "lanes: an SVG of class lanes" has $p $'A div/svg@class\tlanes'
  lanes=$(grep -c $'^A div/svg/g@data-thread\t' "$work/$p.outline")
  check "lanes: one lane per thread (main, T1, T2: $lanes)" test "$lanes" -eq 3
  for t in main T1 T2; do
    check "lanes: lane $t" has $p $'A div/svg/g@data-thread\t'"$t"
  done
  check "lanes: the losing row is marked" has $p $'A div/svg/rect@class\tlosing-row'
  # The losing step: T2's store of cnt = 1, after T1 stored 2.
  losing=$(awk -F'\t' '
    $1 == "A div/svg/g@data-thread" { lane = $2 }
    $1 == "A div/svg/g/g@class" { cls = $2 }
    $1 == "A div/svg/g/g@data-object" && cls ~ /losing/ { obj = $2 }
    $1 == "A div/svg/g/g@data-value" && cls ~ /losing/ {
      print lane, cls, obj, $2; exit }' "$work/$p.outline")
  check "lanes: the marked step is T2's write of cnt = 1 ($losing)" \
    test "$losing" = "T2 step write losing cnt 1"
  check "lanes: the legend and the command that drew it" \
    grep -q $'^E div/p\tDrawn by racelab check --html 06-lost-update.html --tools sched --seed 6 ' "$work/$p.outline"
fi

if picture 06-counter 06-progress-graph; then
  p=06-progress-graph
  check "progress graph: an SVG of class progress-graph" has $p $'A div/svg@class\tprogress-graph'
  check "progress graph: the unsafe region" \
    grep -q $'^A div/svg/[a-z/]*@class\tunsafe$' "$work/$p.outline"
  check "progress graph: the trajectory" has $p $'A div/svg/polyline@class\ttrajectory'
  check "progress graph: states inside the unsafe region" \
    grep -q $'^A div/svg/[a-z/]*@class\tunsafe-state$' "$work/$p.outline"
  check "progress graph: the losing state circled" \
    grep -q $'^A div/svg/[a-z/]*@class\tlosing$' "$work/$p.outline"
fi

if picture 08-deadlock 08-wait-for; then
  p=08-wait-for
  check "wait-for: an SVG of class wait-for, 2 nodes, 2 edges" \
    test "$(grep -c $'^A div/svg@data-\\(nodes\\|edges\\)\t2$' "$work/$p.outline")" -eq 2
  check "wait-for: both nodes in the cycle" \
    test "$(count $p $'A div/svg/g@class\tnode cycle')" -eq 2
  # The cycle's edges: A waits for B and B for A, each labelled with a lock.
  edges=$(awk -F'\t' '
    $1 == "A div/svg/g@class" { cycle = ($2 == "edge cycle") }
    cycle && $1 == "A div/svg/g@data-from" { from = $2 }
    cycle && $1 == "A div/svg/g@data-to" { print from " -> " $2 }
    ' "$work/$p.outline" | sort)
  a=$(sed -n '1s/ -> .*//p' <<<"$edges")
  b=$(sed -n '1s/.* -> //p' <<<"$edges")
  check "wait-for: two cycle edges, $a <-> $b" \
    test "$edges" = "$(printf '%s\n' "$a -> $b" "$b -> $a" | sort)" -a "$a" != "$b"
  for lock in 'bank.acct[0].lock' 'bank.acct[1].lock'; do
    check "wait-for: an edge labelled mutex $lock" has $p $'E div/svg/g/text\tmutex '"$lock"
  done
fi

check "no machine path (build's checkout) leaks into the handouts" \
  bash -c "! grep -q -F '$root' $out/06-counter.html $out/08-deadlock.html"
echo "handout-pictures: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
