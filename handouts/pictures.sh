#!/bin/sh
# pictures.sh: one of racelab's own pictures of a lab's program, as an HTML
# fragment for a handout.
#
# Usage: handouts/pictures.sh NAME OUT
#
# A handout line `<!-- racelab-picture: NAME -->` (render.sh) becomes the
# fragment this writes to OUT.  NAME picks a run from the table below: the
# lab's own program under `bin/racelab check --html`, and which of the
# page's SVG drawings to keep.  Nothing is drawn by hand, so a handout shows
# exactly what racelab shows (the whole page stays beside OUT, as NAME.html;
# render.sh asks for build/handouts/pictures/NAME.frag).  The page's
# stylesheet comes along, every rule scoped to the fragment's div so that
# it leaves the rest of the handout alone.
# A run that does not report the finding the picture is about, or a page
# without the drawing, is an error naming the lab; OUT is then removed.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
[ $# -eq 2 ] || { echo "usage: handouts/pictures.sh NAME OUT" >&2; exit 2; }
name=$1
out=$2
case $out in /*) ;; *) out=$PWD/$out ;; esac
cd "$top"

# NAME -> lab, the finding the run must report, the SVG's class, and the
# check's arguments.  Lab 06's demo never loses an update by itself (its
# threads barely overlap), so the picture replays seed 6 of the lab's own
# scheduler test, a seed on which T2 loads cnt, T1 runs both increments,
# and T2 stores its stale value.  Lab 08's demo forces the opposite
# transfers into the deadlock; the probe sees the hang and the cycle.
lab06="--tools sched --seed 6 -I labs/06-counter"
lab06="$lab06 labs/06-counter/tests/sched_counter.c labs/06-counter/counter.c"
lab08="--tools probe labs/08-deadlock/demo.c labs/08-deadlock/bank.c"
case $name in
06-lost-update) lab=06-counter finding=data-race svg=lanes args=$lab06 ;;
06-progress-graph) lab=06-counter finding=data-race svg=progress-graph args=$lab06 ;;
08-wait-for) lab=08-deadlock finding=deadlock svg=wait-for args=$lab08 ;;
*)
    echo "pictures.sh: no picture named '$name'" >&2
    exit 2
    ;;
esac

fail() {
    echo "pictures.sh: picture '$name' of lab $lab: $*" >&2
    rm -f "$out"
    exit 1
}

# HANDOUT_RACELAB: another racelab to run (the test points it at one that checks
# the lab's solution, to see a run without the finding fail the handout).
racelab=${HANDOUT_RACELAB:-bin/racelab}
rm -f "$out"
[ -x "$racelab" ] || fail "$racelab is missing (make all first)"
pages=$(dirname "$out")
mkdir -p "$pages"
page=$pages/$name.html
log=$pages/$name.log
rm -f "$page"
# A finding is exit status 1; 0 (nothing found) or 2 (an error) is no picture.
status=0
# shellcheck disable=SC2086 # args is a word list from the table above
"$racelab" check --html "$page" $args > "$log" 2>&1 || status=$?
[ "$status" -eq 1 ] || {
    sed 's/^/  /' "$log" >&2
    fail "racelab check $args exited $status, not 1 (a finding)"
}
grep -q "<section class=\"finding\" data-id=\"$finding\"" "$page" ||
    fail "racelab reported no $finding (see $log)"

# The page is racelab's own: one element a line, its drawings each from
# `<svg class="C" ...` to `</svg>`, the legend right after.  Keep the first
# drawing of the class wanted with its legend, and the stylesheet.
awk -v svg="$svg" -v name="$name" -v cmd="racelab check --html $name.html $args" '
/^<style>/ {
    css = $0
    sub(/^<style>/, "", css); sub(/<\/style>.*/, "", css)
    n = split(css, rule, "}")
    for (i = 1; i <= n; i++) {
        if (index(rule[i], "{") == 0) continue
        sel = substr(rule[i], 1, index(rule[i], "{") - 1)
        body = substr(rule[i], index(rule[i], "{"))
        # The page-level rules would restyle the whole handout.
        if (sel ~ /^(body|h1|h2|pre\.detail)$/) continue
        m = split(sel, part, ",")
        scoped = ""
        for (j = 1; j <= m; j++)
            scoped = scoped (j > 1 ? "," : "") ".racelab-picture " part[j]
        style = style scoped body "}"
    }
    next
}
!done && index($0, "<svg class=\"" svg "\"") == 1 { inside = 1 }
inside { drawing = drawing $0 "\n" }
inside && /<\/svg>/ { inside = 0; done = 1; want_legend = 1; next }
want_legend {
    want_legend = 0
    if ($0 ~ /^<p class="legend">/) legend = $0
}
END {
    if (!done) exit 1
    printf "<div class=\"racelab-picture\" data-picture=\"%s\">\n", name
    printf "<style>.racelab-picture{margin:1em 0}"
    printf ".racelab-picture svg{max-width:100%%;height:auto;overflow:visible}%s</style>\n", style
    printf "%s", drawing
    if (legend != "") print legend
    printf "<p class=\"legend\">Drawn by <code>%s</code>", cmd
    print " from this lab&#39;s own program.</p>"
    print "</div>"
}
' "$page" > "$out.tmp" || {
    rm -f "$out.tmp"
    fail "racelab's page $page has no <svg class=\"$svg\"> drawing"
}
mv "$out.tmp" "$out"
