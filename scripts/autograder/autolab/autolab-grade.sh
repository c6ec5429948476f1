#!/usr/bin/env bash
# autolab-grade.sh: runs in the job's folder (the handin, autograde.tar
# unpacked into racelab/), as the job's user.  The handin is the student
# file itself (Autolab renames it to the handin name, e.g. counter.c) or,
# for a lab of several files, a tar of them (handin.tar).  racelab prints
# its report and, last, the scores line; if racelab cannot grade, the last
# line gives every problem 0 and the line before it says why.
set -u
pkg=$PWD/racelab
. "$pkg/package.conf"
. "$pkg/collect.sh"

# The racelab built for the package runs on glibc 2.34 and later; on an
# older image it is built here from its sources (needs the packages of
# scripts/install-deps.sh --grade in the image).
racelab=$pkg/bin/racelab
if ! "$racelab" --help >/dev/null 2>&1; then
  echo "racelab: the packaged binary does not run here; building it"
  make -s -C "$pkg" all >"$pkg/build.log" 2>&1 || tail -5 "$pkg/build.log"
fi

work=$(mktemp -d)
chmod 755 "$work"
from=$PWD
mode=exact
handin=$(find . -maxdepth 1 -type f -name '*.tar' ! -name autograde.tar | head -1)
if [[ -n $handin ]]; then
  mkdir -p "$work/handin"
  tar -xf "$handin" -C "$work/handin" --no-same-owner --no-same-permissions 2>&1 | head -5
  from=$work/handin
  mode=
fi
collect_submission "$from" "$work/submission" $mode
(cd "$work" && exec timeout -k 5 "$BUDGET" "$racelab" grade "$LAB" submission --autolab - 2>&1)
rc=$?
if [[ $rc -ne 0 && $rc -ne 3 ]]; then
  echo "racelab: $(failure_reason "$rc")"
  echo "$ZERO_SCORES"
fi
rm -rf "$work"
exit 0
