# shellcheck shell=bash
# autolab.sh (sourced by run.sh): a job folder as Tango makes it: the
# handin (named after the lab's handin file), autograde-Makefile renamed
# Makefile, autograde.tar; `make` there, whose last line is the scores.
al=$work/al
pkgdir=$work/out/$lab-autolab
names=$(jq -c '[.checks[] | select(.report_only | not) | .name] | sort' "labs/$lab/rubric.json")

al_run() { # submission [tar]: the handin as the file itself, or as handin.tar
  rm -rf "$al"
  mkdir -p "$al"
  cp "$pkgdir/autograde-Makefile" "$al/Makefile"
  cp "$pkgdir/autograde.tar" "$al/"
  if [[ ${2:-} == tar ]]; then
    tar -C "$work/subs/$1" -cf "$al/handin.tar" .
  elif [[ -e $work/subs/$1/$student || -L $work/subs/$1/$student ]]; then
    cp -P "$work/subs/$1/$student" "$al/$student"
  fi
  # a top-level make, as Tango's: under `make packages` the variables of
  # the outer make would add its "Leaving directory" line after the scores
  (cd "$al" && env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make) >"$work/al-$1.out" 2>&1
  rc=$?
  tail -n 1 "$work/al-$1.out" >"$work/al-$1.last"
  results=$work/al-$1.last
}

al_fields() { # what expected
  check "$1" "$results" "(.scores | keys) == $names"
  check "$1" "$results" "([.scores[]] | add) == $2 and .scoreboard == [$2]"
  check "$1" "$results" 'all(.scores[]; type == "number")'
}

for s in correct buggy broken hostile empty; do
  al_run "$s"
  [[ $rc -eq 0 ]] && ok || fail "autolab $s: make exit $rc"
  case $s in
    hostile) al_fields "autolab $s" "${expect[buggy]}" ;;
    *) al_fields "autolab $s" "${expect[$s]}" ;;
  esac
done
# racelab could give the student's runs uids of their own (its runtimes
# readable by them: a 0700 folder would make it run them as root)
grep -q "isolation: own uid" "$work/al-correct.out" && ok ||
  fail "autolab correct: the runs were not each under a uid of its own"
# the hostile program's scores line is nowhere as a line of its own
grep -q '^{"scores": {"compiles": 99}' "$work/al-hostile.out" &&
  fail "autolab hostile: the program's own scores line reached Autolab's output" || ok
# a handin.tar whose file is in a folder
al_run buggy-nested tar
al_fields "autolab handin.tar" "${expect[buggy]}"
# over its budget: every problem 0, the reason on the line before
tar -C "$work" -xf "$pkgdir/autograde.tar" racelab/package.conf
sed -i 's/^BUDGET=.*/BUDGET=1/' "$work/racelab/package.conf"
cp "$pkgdir/autograde.tar" "$work/al-budget.tar"
tar -C "$work" -rf "$work/al-budget.tar" racelab/package.conf
pkgdir_saved=$pkgdir
pkgdir=$work/al-budget
mkdir -p "$pkgdir"
cp "$pkgdir_saved/autograde-Makefile" "$pkgdir/"
mv "$work/al-budget.tar" "$pkgdir/autograde.tar"
al_run correct
pkgdir=$pkgdir_saved
al_fields "autolab budget" 0
tail -n 2 "$work/al-correct.out" | head -1 | grep -q "did not finish within its time budget" && ok ||
  fail "autolab budget: no reason before the scores line"
