# grade-class.sh: sourced by grade.sh for
#   make grade LAB=NN SUBMISSIONS=root [OUT=grades] [JOBS=2] [REGRADE=1]
# Each folder under root is one student's submission. Writes, in OUT/LAB:
#   <student>.txt, <student>.json   racelab grade's report and JSON
#   <student>.hash                  what that grade was computed from
#   .racelab/<student>              how the grading went (status=, seconds=,
#                                   missing=, reason=), for class-report
#   summary.csv                     one row per submission, one column per
#                                   check (its points) after the first four
#   class.html, class.md            racelab class-report: what the class got
#                                   wrong
# A re-run grades a submission again only when its hash changed: the
# submission's files, the lab's sources, rubric and Makefiles, and the
# racelab binaries it is graded with. REGRADE=1 grades every submission.
# Names of submissions are the students' and untrusted: they are printed
# with control bytes replaced, and quoted in the CSV.

# A stable hash of a folder's regular files (their paths and contents) and
# of its symbolic links (their targets, never followed: a link to
# /dev/zero must not hang the hash).
tree_hash() {
  local d
  for d in "$@"; do
    [[ -d $d ]] || continue
    (cd "$d" && find . -type f -print0 | LC_ALL=C sort -z |
      xargs -0 -r sha256sum --)
    (cd "$d" && find . -type l -printf '%p -> %l\0' | LC_ALL=C sort -z | tr '\0' '\n')
  done | sha256sum | cut -d' ' -f1
}

# The lab's side of a grade: its sources, headers, rubric and Makefiles,
# not what building a demo in it leaves (binaries, objects) nor its README.
lab_hash() {
  local d
  for d in "$@"; do
    [[ -d $d ]] || continue
    (cd "$d" && find . -type f \( -name '*.[ch]' -o -name '*.json' \
      -o -name Makefile -o -name '*.mk' \) -print0 | LC_ALL=C sort -z |
      xargs -0 -r sha256sum --)
  done | sha256sum | cut -d' ' -f1
}

# A name as shown on a terminal: no control bytes, at most 40 characters.
shown() {
  local s=${1//[^[:print:]]/?}
  ((${#s} > 40)) && s="${s:0:37}..."
  printf '%s' "$s"
}

now_us() { echo "${EPOCHREALTIME/./}"; }

# m:ss from microseconds.
clock() { printf '%d:%02d' $(($1 / 60000000)) $((($1 / 1000000) % 60)); }

# grade_submission DIR NAME: grades one submission into $dest, the note
# last (the main loop waits for it); the hash only when racelab did its
# job, so that a failed grading is tried again on the next run.
grade_submission() {
  local sub=$1 name=$2 note="$dest/.racelab/$2" t0 rc missing="" f
  t0=$(now_us)
  $racelab grade "$lab" "$sub" --json "$dest/$name.json.part" \
    >"$dest/$name.txt" 2>&1
  rc=$?
  mv -f "$dest/$name.json.part" "$dest/$name.json" 2>/dev/null
  for f in "${student_files[@]}"; do
    [[ -f $sub/$f && ! -L $sub/$f ]] || missing+="${missing:+, }$f"
  done
  {
    echo "status=$rc"
    echo "seconds=$(awk -v us=$(($(now_us) - t0)) 'BEGIN{printf "%.1f", us / 1e6}')"
    [[ -n $missing ]] && echo "missing=$missing"
    if [[ $rc != 0 ]]; then
      local last
      last=$(grep -a '^racelab' "$dest/$name.txt" | tail -n 1 | tr -d '\r')
      echo "reason=racelab grade exited with status $rc${last:+: ${last:0:300}}"
    fi
  } >"$note.part"
  [[ $rc == 0 ]] && echo "$3" >"$dest/$name.hash"
  mv -f "$note.part" "$note"
}

# Why an entry of root is not graded, or nothing: not a folder, or a
# name too long for the files named after it (<name>.json.part and the
# like must fit in a file name's 255 bytes).
max_name=200
not_gradable() {
  local entry=$1 bytes
  bytes=$(LC_ALL=C; echo ${#2})
  if ((bytes > max_name)); then
    echo "the folder's name is $bytes bytes long, more than $max_name: rename it"
  elif [[ -L $entry ]]; then
    echo "a symbolic link (not followed), not a folder: each submission is a folder"
  elif [[ ! -d $entry ]]; then
    echo "a file, not a folder: each submission is a folder (unpack archives first)"
  fi
}

# Its note: listed in the summary and the class report, never graded.
not_graded() {
  rm -f "$dest/$1.json" "$dest/$1.txt" "$dest/$1.hash"
  printf 'status=2\nreason=%s\n' "$2" >"$dest/.racelab/$1"
}

# The progress line: rewritten in place on a terminal.
progress() {
  local n=$1 total=$2 now elapsed left="" line
  now=$(now_us)
  elapsed=$((now - start_us))
  if ((n > 0 && n < total)); then
    left=", about $(clock $((elapsed * (total - n) / n))) left"
  fi
  line="[$n/$total] $(clock $elapsed) elapsed$left"
  ((${#running[@]})) && line+=": grading $(shown "${running_names}")"
  local width=${COLUMNS:-$(tput cols 2>/dev/null || echo 80)}
  printf '\r\033[K%s' "${line:0:$((width - 1))}"
}

# CSV: the row of one submission (its name guarded against a spreadsheet
# reading it as a formula), from its JSON, or blanks and the reason.
csv_row() {
  local name=$1 cell=$1
  [[ $cell == [=+@-]* || $cell == $'\t'* || $cell == $'\r'* ]] && cell="'$cell"
  if [[ $(sed -n 's/^status=//p' "$dest/.racelab/$name" 2>/dev/null) == 0 ]] &&
    jq -r --arg n "$cell" --argjson checks "$check_names" '
      . as $g |
      [$n, .score, .max_score,
       ([.checks[] | select(.passed | not) | .name] | join("; "))] +
      [$checks[] as $c | ($g.checks[] | select(.name == $c) | .points) // ""]
      | @csv' "$dest/$name.json" 2>/dev/null; then
    return 0
  fi
  local why
  why=$(sed -n 's/^reason=//p' "$dest/.racelab/$name" 2>/dev/null)
  jq -rn --arg n "$cell" --arg why "not graded: ${why:-racelab failed}" \
    --argjson checks "$check_names" \
    '[$n, "", "", $why] + [$checks[] | ""] | @csv'
  return 1
}

class() {
  [[ -d $submissions ]] || { echo "grade: no folder '$submissions'" >&2; exit 2; }
  local rubric="labs/$lab/rubric.json"
  [[ -f $rubric ]] || { echo "grade: unknown lab '$lab'" >&2; exit 2; }
  [[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "grade: JOBS must be a count, not '$jobs'" >&2; exit 2; }
  dest="$out/$lab"
  mkdir -p "$dest/.racelab" || exit 2
  local status=0 tty=0
  [[ -t 1 ]] && tty=1
  mapfile -t student_files < <(jq -r '.student_files[]' "$rubric")
  check_names=$(jq -c '[.checks[].name]' "$rubric")

  # What every grade depends on besides the submission.
  local base
  base=$({
    lab_hash "labs/$lab" labs/common labs/sync-common
    cat bin/racelab bin/racelab-probe.so bin/racelab-sched.o \
      bin/racelab-asan-hook.c bin/racelab-stop-hook.c 2>/dev/null | sha256sum
  } | sha256sum | cut -d' ' -f1)

  # The submissions, by name (hidden entries such as .git are not ones).
  local names=() todo=() hashes=() entry name key
  local nup=0 nnot=0
  while IFS= read -r -d '' entry; do
    name=${entry##*/}
    [[ $name == .* ]] && continue
    local why
    why=$(not_gradable "$entry" "$name")
    if [[ -n $why ]]; then
      # A name too long to be a file's is listed by its first bytes.
      [[ $why == *"name is"* ]] && name="$(LC_ALL=C printf '%.150s' "$name")..."
      not_graded "$name" "$why"
      names+=("$name")
      nnot=$((nnot + 1))
      echo "grade: '$(shown "$name")' not graded: $why" >&2
      continue
    fi
    names+=("$name")
    key=$(echo "$base $(tree_hash "$entry")" | sha256sum | cut -d' ' -f1)
    if [[ ${REGRADE:-0} != 1 && -f $dest/$name.hash && -f $dest/$name.json &&
      -f $dest/.racelab/$name && $(<"$dest/$name.hash") == "$key" ]]; then
      nup=$((nup + 1))
      continue
    fi
    todo+=("$name")
    hashes+=("$key")
  done < <(find "$submissions" -mindepth 1 -maxdepth 1 -print0 | LC_ALL=C sort -z)

  # A submission no longer in root leaves the summary and the class
  # report (its note goes); its .txt and .json stay, in case the root
  # was another section's by mistake.
  local f
  for f in "$dest/.racelab"/*; do
    [[ -f $f ]] || continue
    name=${f##*/}
    local keep=0 n
    for n in "${names[@]}"; do [[ $n == "$name" ]] && keep=1 && break; done
    ((keep)) || rm -f "$f" "$dest/$name.hash"
  done

  local total=${#todo[@]}
  echo "grade: $lab: ${#names[@]} submissions: $total to grade, $nup up to date$([[ ${REGRADE:-0} == 1 ]] && echo " (REGRADE=1: all)")"
  # The pool: at most $jobs gradings at a time; each one's note tells the
  # loop it is done (polled, so that the clock on a terminal keeps going).
  declare -A running=()
  local next=0 ndone=0 pid running_names start_us
  start_us=$(now_us)
  while ((ndone < total)); do
    while ((${#running[@]} < jobs && next < total)); do
      name=${todo[next]}
      rm -f "$dest/.racelab/$name" "$dest/$name.hash" "$dest/$name.json"
      grade_submission "$submissions/$name" "$name" "${hashes[next]}" &
      running[$!]=$name
      next=$((next + 1))
    done
    local reaped=0
    for pid in "${!running[@]}"; do
      name=${running[$pid]}
      if [[ ! -f $dest/.racelab/$name ]]; then
        # Gone without its note (killed): not graded, tried again next run.
        kill -0 "$pid" 2>/dev/null && continue
        [[ -f $dest/.racelab/$name ]] || # its note may have come just now
          printf 'status=3\nreason=the grading was killed before it ended\n' \
            >"$dest/.racelab/$name"
      fi
      wait "$pid"
      unset "running[$pid]"
      ndone=$((ndone + 1))
      reaped=1
      local rc secs
      rc=$(sed -n 's/^status=//p' "$dest/.racelab/$name")
      secs=$(sed -n 's/^seconds=//p' "$dest/.racelab/$name")
      local what
      if [[ $rc == 0 ]]; then
        what=$(jq -r '"\(.score)/\(.max_score)"' "$dest/$name.json" 2>/dev/null)
      else
        what="racelab failed (status $rc), see $dest/$(shown "$name").txt"
        status=3
      fi
      ((tty)) && printf '\r\033[K'
      if ((tty)) && [[ $rc == 0 ]]; then
        : # the progress line says it
      else
        echo "[$ndone/$total] $(shown "$name"): $what in ${secs}s"
      fi
    done
    running_names=""
    for pid in "${!running[@]}"; do
      running_names+="${running_names:+, }${running[$pid]}"
    done
    if ((tty)); then
      progress "$ndone" "$total"
    fi
    ((reaped || ndone >= total)) || sleep 0.3
  done
  ((tty && total)) && printf '\r\033[K'
  echo "grade: graded $total, $nup up to date, $nnot not graded, in $(clock $(($(now_us) - start_us)))"

  # The table: the first four columns as they always were, then the
  # points of each check in the rubric's order.
  {
    printf 'student,score,max_score,failed_checks,'
    jq -r '[.checks[].name] | @csv' "$rubric"
  } >"$dest/summary.csv.part"
  for name in "${names[@]}"; do
    csv_row "$name" >>"$dest/summary.csv.part" || true
  done
  mv -f "$dest/summary.csv.part" "$dest/summary.csv"

  $racelab class-report "$dest" || status=3
  for name in "${names[@]}"; do
    [[ $(sed -n 's/^status=//p' "$dest/.racelab/$name") == 0 ]] &&
    jq -r --arg n "$(shown "$name")" \
      '[$n, "\(.score)/\(.max_score)",
        ([.checks[] | select(.passed | not) | .name] | join("; "))] | @tsv' \
      "$dest/$name.json" 2>/dev/null || printf '%s\t-\tnot graded\n' "$(shown "$name")"
  done | column -t -s $'\t'
  echo "reports: $dest/<student>.txt and .json; table: $dest/summary.csv"
  echo "class report: $dest/class.html and $dest/class.md"
  return $status
}
