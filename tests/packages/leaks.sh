# shellcheck shell=bash
# leaks.sh (sourced by run.sh): the leak check finds what it must.  Each
# package passed it when it was built (package.sh); here it must fail on a
# copy of a package with a solution planted under another name, on one
# with another lab's file, and on a tar holding a file of tests/labs/.
plant=$work/plant
other=$(cd labs && ls -d [0-9]*/ | tr -d / | grep -vx "$lab" | head -1)
variant=$(git ls-files "tests/labs/$lab" | grep '\.c$' | head -1)
leak_case() { # what path expect-a-name
  if scripts/autograder/leak-check.sh "$lab" "$2" >"$work/leak.log" 2>&1; then
    fail "leak check missed $1"
  elif ! grep -q "$3" "$work/leak.log"; then
    fail "leak check on $1 did not name $3"; sed 's/^/  /' "$work/leak.log" | head -5
  else
    ok
  fi
}
rm -rf "$plant" && mkdir -p "$plant" && cp -R "$work/out/$lab-prairielearn" "$plant/pl"
# the solution under the starter's name, its lines re-indented
sed 's/^/  /' "solutions/$lab/$student" >"$plant/pl/racelab-$lab/tests/racelab/labs/$lab/$student"
leak_case "a planted solution" "$plant/pl" "tests/racelab/labs/$lab/$student"
rm -rf "$plant" && mkdir -p "$plant/x"
cp "$(git ls-files "labs/$other" | grep '\.c$' | head -1)" "$plant/x/notes.txt"
leak_case "another lab's file ($other)" "$plant" "notes.txt"
if [[ -n $variant ]]; then
  rm -rf "$plant" && mkdir -p "$plant/t"
  cp "$variant" "$plant/t/a.c"
  tar -C "$plant/t" -cf "$plant/kit.tar" a.c
  leak_case "a tests/labs variant inside a tar" "$plant/kit.tar" "a.c"
fi
# a binary with a solution inside: found in its strings
rm -rf "$plant" && mkdir -p "$plant/bin"
cat build/portable/racelab "solutions/$lab/$student" >"$plant/bin/racelab"
leak_case "a solution inside a binary" "$plant" "bin/racelab (its strings)"
scripts/autograder/leak-check.sh "$lab" "$work/out/$lab-gradescope.zip" "$work/out/$lab-prairielearn" \
  "$work/out/$lab-autolab" >/dev/null 2>&1 && ok || fail "leak check fails on the clean packages"
