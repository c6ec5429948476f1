#!/usr/bin/env bash
# package.sh: `make autograder LAB=NN-name PLATFORM=gradescope|prairielearn|autolab`
# writes the package that grades LAB on that platform into
# build/autograder/ (OUT=folder elsewhere; BUDGET=seconds for racelab's
# time budget), checks it holds nothing it must not (leak-check.sh), and
# says how to upload it (docs/platforms.md has each step).
set -euo pipefail
cd "$(dirname "$0")/../.."
here=scripts/autograder
. "$here/stage.sh"

lab=${1:-} platform=${2:-}
out=${OUT:-build/autograder}
usage() {
  echo "usage: make autograder LAB=NN-name PLATFORM=gradescope|prairielearn|autolab" >&2
  echo "labs: $(cd labs && ls -d [0-9]*/ | tr -d / | tr '\n' ' ')" >&2
  exit 2
}
[[ -n $lab && -f labs/$lab/rubric.json && $lab =~ ^[0-9A-Za-z_-]+$ ]] || usage
# Each platform's limit, and racelab's budget below it (seconds): the rest
# is for unpacking, copying and writing the results.
case $platform in
  gradescope) budget=${BUDGET:-480} ;;   # default limit 10 min (max 40)
  prairielearn) budget=${BUDGET:-270} ;; # the question's timeout: 300 s here (max 600)
  autolab) budget=${BUDGET:-150} ;;      # autograde_timeout: 180 s default
  *) usage ;;
esac
[[ $budget =~ ^[0-9]+$ ]] || usage
command -v jq >/dev/null || { echo "autograder: jq is missing (make deps)" >&2; exit 2; }

mkdir -p "$out"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
title=$(jq -r .title "labs/$lab/rubric.json")
. "$here/$platform/build.sh" # defines build_package: stage -> $result
build_package
"$here/leak-check.sh" "$lab" "$result"
echo
echo "autograder: $result"
upload_help
