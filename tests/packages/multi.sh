# shellcheck shell=bash
# multi.sh (sourced by run.sh): a lab of several student files
# (09-readers-writers) packaged for PrairieLearn and Autolab: every file is
# asked for and taken, and the package passes the leak check (package.sh
# runs it) with that lab's own forbidden lines.  Not graded: the mock runs
# above grade lab 06.
multi=09-readers-writers
for p in prairielearn autolab; do
  if OUT=$work/multi scripts/autograder/package.sh "$multi" "$p" >"$work/multi-$p.log" 2>&1; then ok; else
    fail "make autograder LAB=$multi PLATFORM=$p"; sed 's/^/  /' "$work/multi-$p.log" | tail -5
  fi
done
grep -q '<pl-file-upload file-names="rwlock.c, polite.c">' \
  "$work/multi/$multi-prairielearn/racelab-$multi/question.html" && ok ||
  fail "prairielearn $multi: question.html does not ask for rwlock.c and polite.c"
tar -xOf "$work/multi/$multi-autolab/autograde.tar" racelab/package.conf >"$work/multi.conf"
(. "$work/multi.conf" && [[ ${STUDENT_FILES[*]} == "rwlock.c polite.c" ]]) && ok ||
  fail "autolab $multi: package.conf does not list both student files"
grep -q 'handin filename "handin.tar"' "$work/multi-autolab.log" && ok ||
  fail "autolab $multi: the upload steps do not ask for handin.tar"
# collect.sh takes both files from a handin folder, and nothing else
(
  . "$work/multi.conf"
  . scripts/autograder/collect.sh
  mkdir -p "$work/multi-in/deep"
  echo a >"$work/multi-in/rwlock.c"
  echo b >"$work/multi-in/deep/polite.c"
  echo c >"$work/multi-in/rubric.json"
  collect_submission "$work/multi-in" "$work/multi-out" >/dev/null
) && [[ $(cd "$work/multi-out" && find . -type f | sort | tr '\n' ' ') == "./polite.c ./rwlock.c " ]] && ok ||
  fail "collect.sh did not take exactly rwlock.c and polite.c"
