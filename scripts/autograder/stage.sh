# shellcheck shell=bash
# stage.sh (sourced): lays out the racelab that one lab's package carries.
#
#   lab_deps LAB               the shared lab folders LAB uses (common,
#                              sync-common), one per line
#   stage_racelab LAB DEST HOW
#       DEST/racelab: labs/LAB and the shared folders it uses, and
#       HOW=source: the harness sources, the Makefile and install-deps.sh
#                   (the platform builds racelab: Gradescope's setup.sh);
#       HOW=binary: bin/ with racelab built here (build/portable/racelab)
#                   and its runtimes;
#       HOW=both:   both (Autolab: the binary, the sources if it cannot run).
#       Never solutions/, tests/ or another lab: scripts/autograder/leak-check.sh
#       checks the result by content.
# Run from the top of the checkout.

lab_deps() {
  local dep
  for dep in common sync-common; do
    if grep -rqs -- "\.\./$dep/" "labs/$1"; then echo "$dep"; fi
  done
}

# The files git tracks under each PATH, copied to DEST with their paths:
# what a build or a grading left in the checkout is never shipped.
copy_tracked() { # dest path...
  local dest=$1
  shift
  mkdir -p "$dest"
  git ls-files -z -- "$@" | tar --null -T - -cf - | tar -xf - -C "$dest"
}

stage_racelab() {
  local lab=$1 dest=$2/racelab how=$3
  mkdir -p "$dest"
  # shellcheck disable=SC2046
  copy_tracked "$dest" "labs/$lab" $(lab_deps "$lab" | sed 's|^|labs/|')
  if [[ $how == source || $how == both ]]; then
    copy_tracked "$dest" Makefile scripts/install-deps.sh harness
  fi
  if [[ $how == binary || $how == both ]]; then
    mkdir -p "$dest/bin"
    cp build/portable/racelab "$dest/bin/racelab"
    cp bin/racelab-probe.so bin/racelab-asan-hook.c bin/racelab-stop-hook.c \
      bin/racelab-sched.o "$dest/bin/"
  fi
  cp scripts/autograder/collect.sh "$dest/"
  chmod -R a+rX "$dest"
}

# package.conf: what the in-package scripts need to know, as bash.
write_conf() { # lab platform budget dest
  local lab=$1 platform=$2 budget=$3 conf=$4/racelab/package.conf
  local files
  files=$(jq -r '.student_files | map(@sh) | join(" ")' "labs/$lab/rubric.json")
  {
    echo "# written by make autograder: the lab this package grades"
    printf 'LAB=%q\nPLATFORM=%q\nBUDGET=%q\n' "$lab" "$platform" "$budget"
    echo "STUDENT_FILES=($files)"
    # Autolab's scores line when racelab could not grade: every problem 0
    printf 'ZERO_SCORES=%q\n' "$(jq -c '{scores: ([.checks[] |
      select(.report_only | not) | {(.name): 0}] | add), scoreboard: [0]}' \
      "labs/$lab/rubric.json")"
  } >"$conf"
}
