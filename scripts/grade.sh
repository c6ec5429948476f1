#!/usr/bin/env bash
# grade.sh: `make grade`: grade lab submissions with racelab grade.
#
#   make grade                          every lab: its starter and its
#                                       reference solution, as a table
#   make grade LAB=04-threads DIR=path  one submission, the full report
#   make grade LAB=04-threads SUBMISSIONS=root [OUT=grades] [JOBS=2]
#              [REGRADE=1]              a whole class: each folder under
#                                       root is one student's submission;
#                                       writes OUT/LAB/<student>.json,
#                                       OUT/LAB/<student>.txt,
#                                       OUT/LAB/summary.csv and the class
#                                       report OUT/LAB/class.html, .md;
#                                       a re-run grades only the new or
#                                       changed submissions (REGRADE=1:
#                                       all of them)
# Exit status: 0 when everything was graded (whatever the scores), 2 on a
# usage error, 3 when racelab failed on some submission.
set -uo pipefail
cd "$(dirname "$0")/.."

racelab=bin/racelab
lab=${LAB:-}
dir=${DIR:-}
submissions=${SUBMISSIONS:-}
out=${OUT:-grades}
jobs=${JOBS:-2}

usage() { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

[[ -x $racelab ]] || { echo "grade: cannot run '$racelab'" >&2; exit 2; }
command -v jq >/dev/null || { echo "grade: 'jq' is missing" >&2; exit 2; }

score_of() { jq -r '"\(.score)/\(.max_score)"' "$1" 2>/dev/null || echo "error"; }

all_labs() {
  local tmp status=0
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  printf '%-22s %-10s %-10s %s\n' lab starter solution "starter fails"
  for rubric in labs/*/rubric.json; do
    local name
    name=$(basename "$(dirname "$rubric")")
    $racelab grade "$name" --json "$tmp/s.json" >"$tmp/s.txt" 2>&1 || status=3
    $racelab grade "$name" "solutions/$name" --json "$tmp/r.json" \
      >"$tmp/r.txt" 2>&1 || status=3
    printf '%-22s %-10s %-10s %s\n' "$name" "$(score_of "$tmp/s.json")" \
      "$(score_of "$tmp/r.json")" \
      "$(jq -r '[.checks[] | select(.passed | not) | .name] | join("; ")' \
         "$tmp/s.json" 2>/dev/null)"
  done
  echo
  echo "Grade one submission: make grade LAB=04-threads DIR=path/to/folder"
  echo "Grade a class:        make grade LAB=04-threads SUBMISSIONS=root"
  return $status
}

# A whole class: scripts/grade-class.sh (progress, re-runs, class report).

if [[ -z $lab ]]; then
  [[ -z $dir && -z $submissions ]] || usage
  all_labs
elif [[ -n $submissions ]]; then
  source scripts/grade-class.sh
  class
else
  $racelab grade "$lab" ${dir:+"$dir"}
fi
