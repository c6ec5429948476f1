#!/usr/bin/env bash
# leak-check.sh LAB|all PATH...: fails when a package or kit (folders,
# .zip and .tar files, unpacked here, archives inside them too) holds
# anything of solutions/, tests/labs/ or, for one LAB, another lab.
# Checked by name and by content: a "distinctive line" is a line (spaces
# trimmed, 16 characters or more) of such a file that no file a package
# may carry has (the harness, the scripts, the lab itself, the handouts);
# a package file with one, in its text or, for a binary, in its strings,
# is a leak.  Exit 0 clean, 1 leak (each one named), 2 usage.
set -euo pipefail
cd "$(dirname "$0")/../.."
lab=${1:-}
shift || true
[[ -n $lab && $# -gt 0 ]] || { echo "usage: leak-check.sh LAB|all PATH..." >&2; exit 2; }
. scripts/autograder/stage.sh

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# What must not be shipped, and what may.
forbidden=(solutions tests/labs)
allowed=(harness scripts Makefile README.md handouts labs/common labs/sync-common)
if [[ $lab == all ]]; then
  allowed+=(labs)
else
  allowed+=("labs/$lab")
  for d in labs/*/; do
    d=${d%/}
    case ${d#labs/} in "$lab" | common | sync-common) ;; *) forbidden+=("$d") ;; esac
  done
fi
trim() { sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' 2>/dev/null || true; }
git ls-files -z --cached --others --exclude-standard -- "${allowed[@]}" | xargs -0 cat -- | trim | sort -u >"$tmp/allowed"
git ls-files -z --cached --others --exclude-standard -- "${forbidden[@]}" | xargs -0 cat -- | trim |
  awk 'length($0) >= 16' | sort -u | comm -23 - "$tmp/allowed" >"$tmp/distinctive"
[[ -s $tmp/distinctive ]] || { echo "leak-check: no distinctive lines found" >&2; exit 2; }

# Everything to look at, archives unpacked (twice: an archive in an archive).
n=0
unpack() { # archive -> folder beside the others
  n=$((n + 1))
  mkdir -p "$tmp/u$n"
  case $1 in
    *.zip) unzip -qq -o "$1" -d "$tmp/u$n" ;;
    *.tar | *.tar.gz | *.tgz) tar -xf "$1" -C "$tmp/u$n" ;;
  esac
}
roots=()
for p in "$@"; do
  case $p in
    *.zip | *.tar | *.tar.gz | *.tgz) unpack "$p" && roots+=("$tmp/u$n") ;;
    *) roots+=("$p") ;;
  esac
done
declare -A seen=()
for _ in 1 2; do
  while IFS= read -r -d '' a; do
    [[ -n ${seen[$a]:-} ]] && continue
    seen[$a]=1
    unpack "$a" && roots+=("$tmp/u$n")
  done < <(find "${roots[@]}" -type f \( -name '*.zip' -o -name '*.tar' -o -name '*.tar.gz' -o -name '*.tgz' \) -print0)
done

# One pass of awk over every text file (a file's lines, spaces trimmed),
# and over the strings of each binary one.
status=0
find "${roots[@]}" -type f -print0 >"$tmp/files"
while IFS= read -r -d '' f; do
  case $f in
    */solutions/* | */tests/labs/*) echo "leak-check: $f: a path of solutions/ or tests/labs/" >&2; status=1 ;;
  esac
done <"$tmp/files"
: >"$tmp/text"
xargs -0 grep -I -l -Z '' -- <"$tmp/files" >"$tmp/text" 2>/dev/null || true
scan() { # label-for-stdin? files...: prints "file<TAB>line" for each leak
  awk 'NR == FNR { bad[$0] = 1; next }
    { t = $0; gsub(/^[ \t\r\f\v]+|[ \t\r\f\v]+$/, "", t) }
    (t in bad) && n[FILENAME]++ < 3 { printf "leak-check: %s: a line of a forbidden file: %s\n", FILENAME, t }
    END { for (f in n) { if (n[f] > 3) printf "leak-check: %s: and %d more such lines\n", f, n[f] - 3; bad_file = 1 }
          exit bad_file }' "$tmp/distinctive" "$@" >&2
}
if [[ -s $tmp/text ]]; then
  mapfile -d '' -t text <"$tmp/text"
  skip=()
  for f in "${text[@]}"; do [[ -n ${seen[$f]:-} ]] || skip+=("$f"); done
  [[ ${#skip[@]} -eq 0 ]] || scan "${skip[@]}" || status=1
fi
while IFS= read -r -d '' f; do
  [[ -n ${seen[$f]:-} ]] && continue # an archive: its files are read
  grep -qzxF -- "$f" "$tmp/text" && continue
  strings -n 16 "$f" >"$tmp/strings"
  scan "$tmp/strings" 2>&1 | sed "s|$tmp/strings|$f (its strings)|" >&2
  [[ ${PIPESTATUS[0]} -eq 0 ]] || status=1
done <"$tmp/files"
[[ $status -eq 0 ]] && echo "leak-check: $lab: nothing of solutions/, tests/labs/ or another lab ($(wc -l <"$tmp/distinctive") distinctive lines looked for)"
exit $status
