#!/usr/bin/env bash
# grade.sh: `make grade`: grade lab submissions with racelab grade.
#
#   make grade                          every lab: its starter and its
#                                       reference solution, as a table
#   make grade LAB=04-threads DIR=path  one submission, the full report
#   make grade LAB=04-threads SUBMISSIONS=root [OUT=grades] [JOBS=2]
#                                       a whole class: each folder under
#                                       root is one student's submission;
#                                       writes OUT/LAB/<student>.json,
#                                       OUT/LAB/<student>.txt and
#                                       OUT/LAB/summary.csv
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

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

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

one_student() { # lab, folder, out dir: writes <name>.json/.txt
  local name
  name=$(basename "$2")
  $racelab grade "$1" "$2" --json "$3/$name.json" >"$3/$name.txt" 2>&1
  echo "$name $?"
}
export -f one_student
export racelab

class() {
  [[ -d $submissions ]] || { echo "grade: no folder '$submissions'" >&2; exit 2; }
  local dest="$out/$lab" status=0
  mkdir -p "$dest"
  find "$submissions" -mindepth 1 -maxdepth 1 -type d -print0 | sort -z |
    xargs -0 -P "$jobs" -I{} bash -c 'one_student "$1" "$2" "$3"' _ \
      "$lab" {} "$dest" >"$dest/status.txt"
  echo "student,score,max_score,failed_checks" >"$dest/summary.csv"
  while read -r name rc; do
    [[ $rc == 0 ]] || { status=3; echo "grade: racelab failed on '$name' (see $dest/$name.txt)" >&2; }
    jq -r --arg n "$name" \
      '[$n, .score, .max_score, ([.checks[] | select(.passed | not) | .name] | join("; "))] | @csv' \
      "$dest/$name.json" >>"$dest/summary.csv" 2>/dev/null ||
      echo "\"$name\",,,\"racelab failed\"" >>"$dest/summary.csv"
  done < <(sort "$dest/status.txt")
  rm -f "$dest/status.txt"
  column -s, -t <"$dest/summary.csv" | tr -d '"'
  echo "reports: $dest/<student>.txt and .json; table: $dest/summary.csv"
  return $status
}

if [[ -z $lab ]]; then
  [[ -z $dir && -z $submissions ]] || usage
  all_labs
elif [[ -n $submissions ]]; then
  class
else
  $racelab grade "$lab" ${dir:+"$dir"}
fi
