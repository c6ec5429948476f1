#!/bin/sh
# render.sh: expand code includes in the handouts into build/handouts/.
#
# Usage: handouts/render.sh [handouts/NN-name.md ...]   (default: all)
#
# A handout never retypes code.  A line of the form
#     <!-- include: labs/01-iterative/echoserver.c#echo-loop -->
# becomes a fenced code block holding, verbatim, the lines between
#     /* excerpt: echo-loop */   and   /* end excerpt */
# in that file (the marker lines themselves are left out); without
# "#region" the whole file is included.  Paths are relative to the top
# of the repository.  Handouts go to students, so including anything
# from solutions/ is an error, like a missing file or region.
# A line `<!-- racelab-picture: NAME -->` becomes racelab's own drawing
# NAME (handouts/pictures.sh runs racelab on the lab's program), passed
# to pandoc as raw HTML; a run that fails fails the handout.
# The result is build/handouts/NN-name.md and, when pandoc is installed,
# build/handouts/NN-name.html.  Any error stops with a non-zero status
# and leaves no output for that handout.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)

# Handouts named on the command line are relative to where we were run.
if [ $# -eq 0 ]; then
    set -- "$top"/handouts/[0-9]*.md
else
    for arg in "$@"; do
        case $arg in
        /*) set -- "$@" "$arg" ;;
        *) set -- "$@" "$PWD/$arg" ;;
        esac
        shift
    done
fi
cd "$top"
# HANDOUTS_OUT: another folder (the tests render there, apart from yours).
out=${HANDOUTS_OUT:-build/handouts}
mkdir -p "$out"

# Prints the handout with every include expanded; exits 1 on error.
expand() {
    awk -v handout="$1" -v out="$out" '
    function fail(msg) {
        printf "render.sh: %s:%d: %s\n", handout, FNR, msg > "/dev/stderr"
        exit 1
    }
    function lang(path) {
        if (path ~ /\.[ch]$/) return "c"
        if (path ~ /(^|\/)Makefile$/) return "make"
        if (path ~ /\.sh$/) return "sh"
        if (path ~ /\.json$/) return "json"
        return ""
    }
    /^[ \t]*<!-- include: [^ ]+ -->[ \t]*$/ {
        spec = $0
        sub(/^[ \t]*<!-- include: /, "", spec)
        sub(/ -->[ \t]*$/, "", spec)
        path = spec; region = ""
        if (index(spec, "#")) {
            path = substr(spec, 1, index(spec, "#") - 1)
            region = substr(spec, index(spec, "#") + 1)
            if (region == "")
                fail("empty region name in \047" spec "\047")
        }
        if (path ~ /(^|\/)solutions\//)
            fail("\047" path "\047 is a solution: handouts go to students")
        if ((getline line < path) < 0)
            fail("cannot open \047" path "\047")
        close(path)
        n = 0; inside = (region == ""); found = (region == ""); ended = 0
        start = "/* excerpt: " region " */"
        while ((getline line < path) > 0) {
            is_start = line ~ /\/\* excerpt: [^ ]+ \*\//
            is_end = index(line, "/* end excerpt */") > 0
            if (region != "" && index(line, start)) {
                if (found)
                    fail("region \047" region "\047 appears twice in \047" \
                         path "\047")
                found = 1; inside = 1; ended = 0
                continue
            }
            if (is_start || is_end) {
                if (is_end && inside && region != "") {
                    inside = 0; ended = 1
                }
                continue  # markers never reach the handout
            }
            if (inside)
                body[++n] = line
        }
        close(path)
        if (!found)
            fail("no region \047" region "\047 in \047" path "\047")
        if (region != "" && !ended)
            fail("region \047" region "\047 in \047" path \
                 "\047 has no end marker")
        if (n == 0)
            fail("region \047" spec "\047 is empty")
        print "```" lang(path)
        for (i = 1; i <= n; i++)
            print body[i]
        print "```"
        next
    }
    /<!-- include:/ { fail("malformed include line: " $0) }
    /^[ \t]*<!-- racelab-picture: [a-z0-9-]+ -->[ \t]*$/ {
        pic = $0
        sub(/^[ \t]*<!-- racelab-picture: /, "", pic)
        sub(/ -->[ \t]*$/, "", pic)
        frag = out "/pictures/" pic ".frag"
        if (system("handouts/pictures.sh " pic " \047" frag "\047 >&2") != 0)
            fail("no picture \047" pic "\047 (handouts/pictures.sh says why, above)")
        print "```{=html}"
        while ((getline line < frag) > 0)
            print line
        close(frag)
        print "```"
        next
    }
    /racelab-picture:/ { fail("malformed picture line: " $0) }
    { print }
    ' "$1"
}

status=0
for handout in "$@"; do
    name=$(basename "$handout" .md)
    if [ ! -f "$handout" ]; then
        echo "render.sh: cannot open '$handout'" >&2
        status=1
        continue
    fi
    rm -f "$out/$name.md" "$out/$name.html"
    if ! expand "$handout" > "$out/$name.md.tmp"; then
        rm -f "$out/$name.md.tmp"
        status=1
        continue
    fi
    mv "$out/$name.md.tmp" "$out/$name.md"
    echo "wrote $out/$name.md"
    if command -v pandoc > /dev/null 2>&1; then
        title=$(sed -n 's/^# //p' "$out/$name.md" | head -n 1)
        if pandoc --standalone --metadata pagetitle="$title" \
            -o "$out/$name.html" "$out/$name.md"; then
            echo "wrote $out/$name.html"
        else
            echo "render.sh: pandoc failed on '$out/$name.md'" >&2
            status=1
        fi
    fi
done
exit $status
