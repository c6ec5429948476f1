#!/usr/bin/env bash
# run.sh: `make packages` (in make test): each platform's package, built
# by scripts/autograder/package.sh, run in a mock of its platform's layout
# (RACELAB_PLATFORM_ROOT=<tmp>: /autograder is <tmp>/autograder, /grade is
# <tmp>/grade; Autolab's job is a folder) on a correct (the solution), a
# buggy (the starter), a non-compiling, a hostile and an empty
# submission, each results file checked field by field with jq; the
# leak check shown to catch a planted solution; then the student kit
# (kit.sh).  One lab, the fastest to grade: PACKAGES_LAB (06-counter).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
root=$PWD
lab=${PACKAGES_LAB:-06-counter}
passed=0 failed=0
work=$(mktemp -d)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
. tests/packages/lib.sh

echo "packages: building the $lab packages"
for p in gradescope prairielearn autolab; do
  if ! OUT=$work/out scripts/autograder/package.sh "$lab" "$p" >"$work/$p.log" 2>&1; then
    sed 's/^/  /' "$work/$p.log"
    fail "make autograder PLATFORM=$p"
  else
    ok "make autograder PLATFORM=$p (leak check clean)"
  fi
done
max=$(jq '[.checks[] | select(.report_only | not) | .points] | add' "labs/$lab/rubric.json")
nchecks=$(jq '.checks | length' "labs/$lab/rubric.json")
student=$(jq -r '.student_files[0]' "labs/$lab/rubric.json")
make_submissions "$work/subs"

# PACKAGES_PARTS="gradescope leaks": some of them only (kit: the kit).
parts=${PACKAGES_PARTS:-gradescope prairielearn autolab leaks multi kit}
for part in $parts; do
  [[ $part == kit ]] && continue
  start=$SECONDS
  . "tests/packages/$part.sh"
  echo "packages: $part done in $((SECONDS - start)) s"
done

[[ " $parts " == *" kit "* ]] && { tests/packages/kit.sh || failed=$((failed + 1)); }
echo "packages: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
