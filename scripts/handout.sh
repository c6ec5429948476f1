#!/usr/bin/env bash
# handout.sh: `make handout [LAB=NN or NN-name]`: the student kit, a
# tarball a course gives its students: racelab's sources (harness/, the
# Makefile, scripts/install-deps.sh), the lab folder(s) and the shared
# folders they use, the rendered handouts, and a README whose two
# commands install and build racelab; `make grade` in a lab folder grades
# the student's work.  Nothing from solutions/ or tests/labs/ (nor, for
# one lab, another lab): scripts/autograder/leak-check.sh checks the
# tarball by content.  Writes build/handout/racelab-kit[-LAB].tar.gz
# (OUT=folder elsewhere).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/autograder/stage.sh
out=${OUT:-build/handout}
want=${1:-}

if [[ -z $want ]]; then
  mapfile -t labs < <(cd labs && ls -d [0-9]*/ | tr -d /)
  name=racelab-kit what="every lab" check=all
else
  mapfile -t labs < <(cd labs && ls -d "$want"*/ 2>/dev/null | tr -d / | grep -E '^[0-9]')
  if [[ ${#labs[@]} -ne 1 || ! -f labs/${labs[0]}/rubric.json ]]; then
    echo "usage: make handout [LAB=NN-name]; labs: $(cd labs && ls -d [0-9]*/ | tr -d / | tr '\n' ' ')" >&2
    exit 2
  fi
  name=racelab-kit-${labs[0]} what="lab ${labs[0]}" check=${labs[0]}
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
kit=$stage/$name
mkdir -p "$kit/handouts"
paths=(Makefile harness scripts/install-deps.sh)
for l in "${labs[@]}"; do
  paths+=("labs/$l")
  for d in $(lab_deps "$l"); do paths+=("labs/$d"); done
done
mapfile -t paths < <(printf '%s\n' "${paths[@]}" | sort -u)
copy_tracked "$kit" "${paths[@]}"

# The handouts, rendered from the starters (render.sh refuses solutions/).
for l in "${labs[@]}"; do
  [[ -f handouts/$l.md ]] || continue
  handouts/render.sh "handouts/$l.md" >/dev/null
  cp "build/handouts/$l.md" "$kit/handouts/"
  [[ -f build/handouts/$l.html ]] && cp "build/handouts/$l.html" "$kit/handouts/"
done

files=$(jq -r '.student_files | join(", ")' "labs/${labs[0]}/rubric.json")
sed -e "s|@WHAT@|$what|" -e "s|@FIRST@|${labs[0]}|" -e "s|@FILES@|$files|" \
  -e "s|@LABS@|$(printf '%s, ' "${labs[@]}" | sed 's/, $//')|" \
  scripts/handout-README.md >"$kit/README.md"

mkdir -p "$out"
tarball=$out/$name.tar.gz
tar -C "$stage" --owner=0 --group=0 -czf "$tarball" "$name"
scripts/autograder/leak-check.sh "$check" "$tarball"
echo "handout: $tarball ($(tar -tzf "$tarball" | grep -vc '/$') files)"
echo "  students: tar xzf $name.tar.gz && cd $name, then README.md's two commands"
