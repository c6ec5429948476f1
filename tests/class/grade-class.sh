#!/usr/bin/env bash
# grade-class.sh: `make grade LAB=06-counter SUBMISSIONS=root` on a small
# class built in a temporary folder: the reference solution, the starter,
# one that does not compile, a hostile one (its folder's name and its
# racing line carry HTML and a terminal escape) and a file that is not a
# folder, and one whose name is too long to grade. Runs the real grading (scripts/grade.sh, real racelab) and
# checks summary.csv, class.md, class.html (read back by an XML parser,
# bin/html-outline), the progress lines, and that re-runs grade only what
# changed and give the same results.
#   RACELAB_TEST_JOBS  gradings at a time (default 2)
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
lab=06-counter
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL $*"; }
# expect WHAT FILE FIXED-STRING: FILE holds the line (or text) exactly.
has() { if grep -qxF -- "$3" "$2"; then ok; else bad "$1: no line '$3' in ${2##*/}"; fi; }
hasre() { if grep -qxE -- "$3" "$2"; then ok; else bad "$1: no line matching '$3' in ${2##*/}"; fi; }
hasnt() { if grep -qF -- "$3" "$2"; then bad "$1: '$3' in ${2##*/}"; else ok; fi; }

hostile=$'<script>alert(1) & "q"\e[2J'
shown_hostile='<script>alert(1) & "q"?[2J' # as grade.sh prints it
escaped_hostile='<script>alert(1) & "q"\x1b[2J' # as the reports show it
subs=$work/class
mkdir -p "$subs"/{solution,starter,broken} "$subs/$hostile"
cp "solutions/$lab/counter.c" "$subs/solution/"
cp "labs/$lab/counter.c" "$subs/starter/"
# One missing semicolon: the compiler's error, no grade beyond it.
sed 's/return cnt;/return cnt/' "labs/$lab/counter.c" >"$subs/broken/counter.c"
# The starter's race, with markup on the racing line.
sed 's|^        cnt++;$|        cnt++; /* </code><script>alert("x")</script> */|' \
  "labs/$lab/counter.c" >"$subs/$hostile/counter.c"
grep -q '<script>' "$subs/$hostile/counter.c" || bad "setup: the hostile line was not written"
echo "not a folder" >"$subs/dave.zip"
# A name too long for the files named after it (name.json.part > 255).
long=$(printf 'x%.0s' {1..230})
mkdir "$subs/$long" && cp "labs/$lab/counter.c" "$subs/$long/"
long_shown="$(printf '%.150s' "$long")..."
long_why="the folder's name is 230 bytes long, more than 200: rename it"

out=$work/grades
dest=$out/$lab
grade() { # output file, then env assignments
  local log=$1
  shift
  env "$@" SUBMISSIONS="$subs" LAB=$lab OUT="$out" JOBS="${RACELAB_TEST_JOBS:-2}" \
    scripts/grade.sh >"$log" 2>&1
}

# --- 1. The first run grades all four folders, without a terminal.
grade "$work/run1.log"
rc=$?
[[ $rc == 0 ]] && ok || { bad "run 1: exit $rc"; cat "$work/run1.log"; }
has "run 1" "$work/run1.log" "grade: $lab: 6 submissions: 4 to grade, 0 up to date"
for n in solution starter broken; do
  if grep -qE "^\[[1-4]/4\] $n: [0-9]+/15 in [0-9.]+s$" "$work/run1.log"; then ok
  else bad "run 1: no progress line for $n"; fi
done
if grep -qF "] $shown_hostile: 3/15 in" "$work/run1.log"; then ok
else bad "run 1: no progress line for the hostile one, its name shown safely"; fi
hasnt "run 1: a terminal escape from a name" "$work/run1.log" $'\e[2J'
hasre "run 1" "$work/run1.log" "grade: graded 4, 0 up to date, 2 not graded, in [0-9]+:[0-9]{2}"
for n in solution starter broken "$hostile"; do
  for ext in json txt hash; do
    [[ -s $dest/$n.$ext ]] && ok || bad "run 1: no $n.$ext"
  done
done

# --- summary.csv: the four columns it always had, then one per check.
csv=$dest/summary.csv
want_header="student,score,max_score,failed_checks,$(jq -r '[.checks[].name] | @csv' "labs/$lab/rubric.json")"
[[ $(head -1 "$csv") == "$want_header" ]] && ok || bad "summary.csv header: $(head -1 "$csv")"
[[ $(wc -l <"$csv") == 7 ]] && ok || bad "summary.csv: $(wc -l <"$csv") lines, want 7"
full=$(jq -r '[.checks[].points] | map(tostring) | join(",")' "labs/$lab/rubric.json")
has "summary.csv" "$csv" "\"solution\",15,15,\"\",$full"
# The starter loses updates: compiles, one thread works, no deadlock.
has "summary.csv" "$csv" '"starter",3,15,"count_locked: exact totals with 2 to 8 threads; count_fast: exact totals with 2 to 8 threads; no data race; exact on every interleaving the scheduler tries",1,1,0,0,0,1,0'
has "summary.csv" "$csv" '"broken",0,15,"compiles; one thread and no increments; count_locked: exact totals with 2 to 8 threads; count_fast: exact totals with 2 to 8 threads; no data race; no deadlock; exact on every interleaving the scheduler tries",0,0,0,0,0,0,0'
has "summary.csv" "$csv" "\"${hostile//\"/\"\"}\",3,15,\"count_locked: exact totals with 2 to 8 threads; count_fast: exact totals with 2 to 8 threads; no data race; exact on every interleaving the scheduler tries\",1,1,0,0,0,1,0"
has "summary.csv" "$csv" "\"$long_shown\",\"\",\"\",\"not graded: $long_why\",\"\",\"\",\"\",\"\",\"\",\"\",\"\""
has "summary.csv" "$csv" '"dave.zip","","","not graded: a file, not a folder: each submission is a folder (unpack archives first)","","","","","","",""'

# --- class.md: histogram, share per check, failure modes, not graded.
md=$dest/class.md
has "class.md" "$md" "6 submissions, 4 graded."
has "class.md" "$md" "| 0 | 1 | ███████████████ |"
has "class.md" "$md" "| 3 | 2 | ██████████████████████████████ |"
has "class.md" "$md" "| 15 | 1 | ███████████████ |"
has "class.md" "$md" "| 7 | 0 |  |"
has "class.md" "$md" "| compiles | 1 | 3/4 | 75% |"
has "class.md" "$md" "| no data race | 4 | 1/4 | 25% |"
has "class.md" "$md" "| count\\_locked: exact totals with 2 to 8 threads | 3 | 1/4 | 25% |"
has "class.md" "$md" "| no deadlock | 1 | 3/4 | 75% |"
# The typical case of the race: the first racing submission by name (the
# hostile one, '<' sorts first), its line quoted as code, its name as text.
mode=$(grep -F '| **data-race**' "$md")
want_mode='| 2 of 4 | counter.c:15 in &lt;script&gt;alert(1) &amp; "q"\\x1b\[2J ` cnt++; /* </code><script>alert("x")</script> */ ` |'
[[ $mode == *"$want_mode"* ]] &&
  ok || bad "class.md: the data-race row: $mode"
[[ $mode == *"no mutex or semaphore ordered the two accesses"* ]] && ok || bad "class.md: the explanation"
has "class.md" "$md" '- data-race: &lt;script&gt;alert(1) &amp; "q"\\x1b\[2J, starter'
has "class.md" "$md" "- $long_shown: **not graded**: $long_why"
has "class.md" "$md" "- dave.zip: **not graded**: a file, not a folder: each submission is a folder (unpack archives first)"
# Outside code spans no markup of the student's survives.
if sed 's/`[^`]*`//g' "$md" | grep -qF '<script'; then bad "class.md: a raw <script> outside a code span"; else ok; fi
hasnt "class.md: a raw terminal escape" "$md" $'\e'

# --- class.html: well-formed, the student's text is text, the sections.
outline=$work/outline.txt
if bin/html-outline "$dest/class.html" >"$outline"; then ok; else bad "class.html is not well-formed"; fi
if grep -qE '^[AE] [^	]*(/|^)(script|iframe|img|object|embed)' "$outline"; then
  bad "class.html: a student's markup became an element: $(grep -E '(script|iframe|img)' "$outline" | head -3)"
else ok; fi
if grep -qiE '^A [^	]*@(on[a-z]+|href|src)	' "$outline"; then bad "class.html: an event handler or link attribute"; else ok; fi
hasnt "class.html: a raw terminal escape" "$dest/class.html" $'\e'
if grep -qE '(src|href)=' "$dest/class.html"; then bad "class.html: not self-contained"; else ok; fi
has "class.html" "$outline" "E html/body/h1	Lab $lab: what the class got wrong"
for h in "Scores" "Each check: the share of the class that passed" \
  "What went wrong: each failure mode" "The slowest submissions to grade" \
  "Submissions not graded, or graded with a caveat"; do
  has "class.html" "$outline" "E html/body/h2	$h"
done
# One bar per score 0..15; the counts in their titles.
[[ $(grep -c '^E html/body/svg#histogram/rect/title	' "$outline") == 16 ]] && ok || bad "class.html: not 16 bars"
has "class.html" "$outline" "E html/body/svg#histogram/rect/title	score 0: 1"
has "class.html" "$outline" "E html/body/svg#histogram/rect/title	score 3: 2"
has "class.html" "$outline" "E html/body/svg#histogram/rect/title	score 15: 1"
has "class.html" "$outline" "E html/body/svg#histogram/rect/title	score 9: 0"
[[ $(grep -c '^E html/body/table#checks/tr	' "$outline") == 8 ]] && ok || bad "class.html: not 7 check rows"
has "class.html" "$outline" "E html/body/table#checks/tr	compiles 1 3/4 (75%)"
has "class.html" "$outline" "E html/body/table#checks/tr	no data race 4 1/4 (25%)"
has "class.html" "$outline" "E html/body/table#modes/tr/td/code	cnt++; /* </code><script>alert(\"x\")</script> */"
has "class.html" "$outline" "E html/body/table#modes/tr/td/span	in $escaped_hostile"
if grep -qF "E html/body/table#modes/tr	data-race two threads access the same memory without synchronization 2 of 4 who" "$outline"; then ok
else bad "class.html: the data-race row"; fi
has "class.html" "$outline" "E html/body/table#modes/tr/td/details	who $escaped_hostile, starter"
has "class.html" "$outline" "E html/body/table#slowest/tr/td	$escaped_hostile"
has "class.html" "$outline" "E html/body/table#ungraded/tr	dave.zip not graded: a file, not a folder: each submission is a folder (unpack archives first)"
[[ $(grep -c '^E html/body/table#slowest/tr	' "$outline") == 5 ]] && ok || bad "class.html: not 4 timed submissions"

# --- 2. A re-run grades nothing and changes nothing.
cp "$csv" "$work/summary1.csv"
grade "$work/run2.log"
has "run 2" "$work/run2.log" "grade: $lab: 6 submissions: 0 to grade, 4 up to date"
if grep -q '^\[' "$work/run2.log"; then bad "run 2 graded something"; else ok; fi
cmp -s "$csv" "$work/summary1.csv" && ok || bad "run 2 changed summary.csv"

# --- 3. A changed starter (same code, one comment more) is graded again,
# on a terminal (script(1) gives the run a pty): one line rewritten with
# the count, the clock and the submission; then the same row as before.
echo "/* looked at again */" >>"$subs/starter/counter.c"
SUBMISSIONS="$subs" LAB=$lab OUT="$out" JOBS=1 COLUMNS=200 \
  script -qec scripts/grade.sh /dev/null >"$work/run3.log" 2>&1
tr -d '\r' <"$work/run3.log" | sed 's/\x1b\[K/\n/g' >"$work/run3.lines"
has "run 3" "$work/run3.lines" "grade: $lab: 6 submissions: 1 to grade, 3 up to date"
if grep -qE '^\[0/1\] 0:[0-9]{2} elapsed: grading starter$' "$work/run3.lines"; then ok
else bad "run 3: no progress line on the terminal"; cat "$work/run3.log"; fi
if grep -qE '^\[1/1\] starter' "$work/run3.lines"; then bad "run 3: a line per submission on a terminal"; else ok; fi
hasre "run 3" "$work/run3.lines" "grade: graded 1, 3 up to date, 2 not graded, in 0:[0-9]{2}"
cmp -s "$csv" "$work/summary1.csv" && ok || bad "run 3: the starter graded again gave another row: $(diff "$work/summary1.csv" "$csv")"

# --- 4. REGRADE=1 grades every submission again, with the same results;
# a submission taken away leaves the class. On a terminal, two to grade
# one at a time: the estimate of the time left shows after the first.
rm -rf "$subs/solution" "$subs/$hostile"
SUBMISSIONS="$subs" LAB=$lab OUT="$out" JOBS=1 COLUMNS=200 REGRADE=1 \
  script -qec scripts/grade.sh /dev/null >"$work/run4.log" 2>&1
tr -d '\r' <"$work/run4.log" | sed 's/\x1b\[K/\n/g' >"$work/run4.lines"
has "run 4" "$work/run4.lines" "grade: $lab: 4 submissions: 2 to grade, 0 up to date (REGRADE=1: all)"
if grep -qE '^\[1/2\] 0:[0-9]{2} elapsed, about 0:[0-9]{2} left: grading (broken|starter)$' "$work/run4.lines"; then ok
else bad "run 4: no estimate of the time left"; cat "$work/run4.log"; fi
grep -v -e '^"solution"' -e '^"<script' "$work/summary1.csv" >"$work/summary4.want"
cmp -s "$csv" "$work/summary4.want" && ok || bad "run 4: REGRADE=1 gave other results: $(diff "$work/summary4.want" "$csv")"
[[ ! -e $dest/.racelab/solution && ! -e $dest/.racelab/$hostile && -e $dest/solution.json ]] && ok ||
  bad "run 4: a removed submission is still in the class, or its report was deleted"
has "run 4" "$dest/class.md" "4 submissions, 2 graded."

echo "class grading: $passed passed, $failed failed"
[[ $failed == 0 ]]
