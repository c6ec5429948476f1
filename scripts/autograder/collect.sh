# shellcheck shell=bash
# collect.sh (sourced by the platform scripts inside a package): takes the
# lab's student files from a submission, and writes the results a
# platform reads when racelab could not grade.  package.conf is sourced
# first (LAB, BUDGET, STUDENT_FILES, ZERO_SCORES).

# collect_submission FROM TO [exact]: copies each student file from FROM to
# TO (same relative path) and nothing else.  A file not at its path is
# looked for by name anywhere under FROM (a zip that kept its folder),
# unless "exact" (Autolab: FROM holds the package too).  Only a regular
# file or a symbolic link is taken (racelab refuses links and names why);
# a folder, FIFO or device is left out and racelab reports the file as
# missing.  Prints one line per file not found.
collect_submission() {
  local from=$1 to=$2 mode=${3:-} f found hits
  mkdir -p "$to"
  chmod 755 "$to"
  for f in "${STUDENT_FILES[@]}"; do
    found=
    if [[ -L $from/$f || -f $from/$f ]]; then
      found=$from/$f
    elif [[ $mode != exact ]]; then
      mapfile -t hits < <(find "$from" -name "$(basename "$f")" \
        \( -type f -o -type l \) 2>/dev/null | head -2)
      [[ ${#hits[@]} -eq 1 ]] && found=${hits[0]}
    fi
    if [[ -n $found ]]; then
      mkdir -p "$to/$(dirname "$f")"
      cp -P -- "$found" "$to/$f" && chmod -h a+r "$to/$f" 2>/dev/null
    else
      echo "racelab: the submission has no file '$f'"
    fi
  done
  chmod -R a+rX "$to" 2>/dev/null
  return 0
}

# Why racelab left no results, from its exit status (timeout's 124 and
# 137, the shell's 126 and 127); fixed text, safe inside JSON.
failure_reason() {
  case $1 in
    124 | 137) echo "grading did not finish within its time budget of $BUDGET s: this is not a grade; ask your instructor to raise the budget (docs/platforms.md)" ;;
    126 | 127) echo "racelab is not installed in this autograder image (its setup failed): this is not a grade; ask your instructor to rebuild the autograder" ;;
    *) echo "racelab could not grade this submission (exit status $1): this is not a grade; your instructor has the log" ;;
  esac
}

# The placeholder every platform's results file starts as, replaced when
# racelab has written its own: a kill at any time leaves valid JSON.
unfinished="grading did not finish: racelab was stopped before it wrote the results; this is not a grade"

gradescope_fallback() { # file message
  printf '{"score": 0, "output": "racelab: %s\\n", "output_format": "text", "visibility": "visible", "tests": []}\n' \
    "$2" >"$1.tmp" && mv -f "$1.tmp" "$1"
}

prairielearn_fallback() { # file message
  printf '{"gradable": false, "message": "racelab: %s", "format_errors": ["%s"], "output": "", "tests": []}\n' \
    "$2" "$2" >"$1.tmp" && mv -f "$1.tmp" "$1"
}
