#!/usr/bin/env bash
# demos.sh: every lab's ./demo finishes, and says DONE, with the reference
# solution and with every correct (ok_*) variant of tests/labs/ built in:
# a demo is no use to a student whose correct solution makes it hang.
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
passed=0 failed=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# try LAB WHAT DIR: builds the demo with DIR's student files over the lab's.
try() {
    local lab=$1 what=$2 dir=$3 copy="$work/$1-$2"
    mkdir -p "$copy/$lab"
    cp -r "labs/$lab/." "$copy/$lab/"
    cp -r labs/sync-common "$copy/" 2>/dev/null
    cp "$dir"/*.c "$copy/$lab/" 2>/dev/null
    if ! make -s -C "$copy/$lab" demo >"$copy/build.log" 2>&1; then
        echo "FAIL $lab $what: the demo does not build"; sed 's/^/  /' "$copy/build.log"
        failed=$((failed + 1)); return
    fi
    local out
    out=$(cd "$copy/$lab" && timeout 60 ./demo 2>&1)
    local rc=$?
    if [[ $rc -eq 0 && $out == *DONE* ]]; then
        passed=$((passed + 1))
    else
        echo "FAIL $lab $what: ./demo exit $rc (124: did not finish in 60 s)"
        printf '%s\n' "$out" | tail -5 | sed 's/^/  /'
        failed=$((failed + 1))
    fi
}

for demo in labs/*/demo.c; do
    lab=$(basename "$(dirname "$demo")")
    [[ -d solutions/$lab ]] && try "$lab" solution "solutions/$lab"
    for ok in tests/labs/"$lab"/ok_*; do
        [[ -d $ok ]] && try "$lab" "$(basename "$ok")" "$ok"
    done
done
echo "demos: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
