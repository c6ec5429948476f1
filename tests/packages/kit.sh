#!/usr/bin/env bash
# kit.sh: the student kit (make handout LAB=...) unpacked in an empty
# folder, its README's two install commands run there (a real build of
# racelab from the kit's sources), and `make grade` in the lab folder
# grading the starter: the score line must be the one racelab gives the
# starter in this checkout.  The kit passed the leak check when it was
# made; the test checks the tarball holds no solutions/ or tests/ path.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
lab=${PACKAGES_LAB:-06-counter}
passed=0 failed=0
ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL kit: $*"; }
work=$(mktemp -d)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT

if OUT=$work/out scripts/handout.sh "$lab" >"$work/make.log" 2>&1; then ok; else
  fail "make handout LAB=$lab"; sed 's/^/  /' "$work/make.log"
fi
tarball=$work/out/racelab-kit-$lab.tar.gz
tar -tzf "$tarball" | grep -E '^[^/]+/(solutions|tests)/' && fail "the kit has solutions/ or tests/ paths" || ok
for f in README.md Makefile scripts/install-deps.sh "labs/$lab/rubric.json" "handouts/$lab.md"; do
  tar -tzf "$tarball" "racelab-kit-$lab/$f" >/dev/null 2>&1 && ok || fail "no $f in the kit"
done

mkdir -p "$work/student"
tar -xzf "$tarball" -C "$work/student"
kit=$work/student/racelab-kit-$lab
# The README's first sh block: the two commands (root needs no sudo).
mapfile -t commands < <(awk '/^```sh$/ { n++; next } /^```$/ { if (n == 1) exit } n == 1' "$kit/README.md")
[[ ${#commands[@]} -eq 2 ]] && ok || fail "the README's install block has ${#commands[@]} commands, not 2"
for c in "${commands[@]}"; do
  [[ $(id -u) -eq 0 ]] && c=${c#sudo }
  if (cd "$kit" && bash -c "$c") >"$work/install.log" 2>&1; then ok; else
    fail "README command '$c'"; tail -20 "$work/install.log" | sed 's/^/  /'
  fi
done
[[ -x $kit/bin/racelab ]] && ok || fail "the README's commands built no bin/racelab"

bin/racelab grade "$lab" --json "$work/starter.json" >/dev/null 2>&1
want=$(jq -r '"score: \(.score)/\(.max_score)"' "$work/starter.json")
(cd "$kit/labs/$lab" && make grade) >"$work/grade.log" 2>&1
rc=$?
[[ $rc -eq 0 ]] && ok || fail "make grade in labs/$lab: exit $rc"
got=$(grep -E '^score: [0-9]+/[0-9]+$' "$work/grade.log" | tail -1)
if [[ $got == "$want" ]]; then ok; else
  fail "make grade printed '$got', not '$want'"; tail -20 "$work/grade.log" | sed 's/^/  /'
fi
# graded in the kit's own folder, by the kit's own racelab
grep -q "submission \.$\|submission $kit/labs/$lab\|submission labs/$lab" "$work/grade.log" && ok ||
  fail "make grade did not grade the kit's lab folder: $(head -1 "$work/grade.log")"
echo "kit: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
