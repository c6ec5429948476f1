#!/usr/bin/env bash
# install-deps.sh: install the Debian packages racelab needs, if missing.
# Root installs them with apt-get; anyone else is told the exact command.
#
#   scripts/install-deps.sh           everything: grading, tests, docs
#   scripts/install-deps.sh --grade   only what `racelab grade` needs (the
#                                     platforms' autograder images)
#   scripts/install-deps.sh [--grade] OPTIONAL...   also the optional
#                                     packages named (not needed to grade)
#
# Works on Debian 12 and on Ubuntu 22.04 (Gradescope's default image) and
# 24.04, whose package names differ: the clang sanitizer runtimes are in
# libclang-rt-N-dev on Debian 12 and Ubuntu 24.04, and still inside
# libclang-common-N-dev (installed with clang) on Ubuntu 22.04.  A package
# the system cannot install is named, and the script fails.
set -euo pipefail

grade_only=0
[[ ${1:-} == --grade ]] && grade_only=1 && shift

# Each package, and why racelab needs it.  "a|b": the first of these that
# this system's package lists have.  @RT@: the clang runtimes (below).
packages=(
  gcc make                 # the plain build and the harness itself
  clang @RT@               # ThreadSanitizer and AddressSanitizer builds
  llvm                     # llvm-symbolizer: file:line in sanitizer reports
  valgrind                 # helgrind, drd, memcheck
  binutils                 # addr2line: the probe's call sites
  gdb                      # names a lock inside an array or struct (DWARF)
  util-linux               # setarch (TSan runs without ASLR), unshare
  pkg-config check         # the labs' Check tests (and the unit tests)
  libjansson-dev           # JSON reports
  libexpat1-dev            # valgrind's XML reports
  jq                       # reads racelab's JSON in the grade, soak, bench scripts
  bsdextrautils            # column: the tables make grade prints
)
if [[ $grade_only -eq 0 ]]; then
  packages+=(
    procps                 # ps and pkill, for the soak script
    bc                     # arithmetic in the bench script
    pandoc                 # make handouts: the lab handouts as HTML
    zip unzip              # make autograder: Gradescope's zip, and its test
    tmux                   # the demos' test and the pictures suite (--step): a terminal, keys sent, screen read
  )
fi

# Installed only when named on the command line: not needed to grade.
optional=(
  chromium # make class-screenshot: the class report in a real browser
)
for want in "$@"; do
  [[ " ${optional[*]} " == *" $want "* ]] ||
    { echo "install-deps: '$want' is not one of: ${optional[*]}" >&2; exit 2; }
  packages+=("$want")
done

# clang's major version: the installed clang's, else the one apt would
# install (after an update), else Debian 12's.
clang_major() {
  local v
  v=$(clang -dumpversion 2>/dev/null | cut -d. -f1) || true
  [[ -z $v ]] && v=$(apt-cache depends clang 2>/dev/null |
    sed -n 's/.*Depends: clang-\([0-9][0-9]*\)$/\1/p' | head -1) || true
  echo "${v:-14}"
}
runtime_alternatives() {
  local v
  v=$(clang_major)
  echo "libclang-rt-$v-dev|libclang-common-$v-dev"
}

installed() {
  [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true) == "install ok installed" ]]
}
# A name this system's package lists can install (a real candidate).
available() {
  local c
  c=$(apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p')
  [[ -n $c && $c != "(none)" ]]
}

# The packages not yet installed, each as its list of alternatives.
want() {
  missing=()
  local p alts a ok
  for p in "${packages[@]}"; do
    [[ $p == @RT@ ]] && p=$(runtime_alternatives)
    IFS='|' read -r -a alts <<<"$p"
    ok=0
    for a in "${alts[@]}"; do installed "$a" && ok=1 && break; done
    [[ $ok -eq 1 ]] || missing+=("$p")
  done
}

want
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
  echo "racelab needs these packages: ${missing[*]//|/ or }" >&2
  echo "install them as root with:" >&2
  echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]%%|*}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
want # clang's version may be known only now
system=$(. /etc/os-release 2>/dev/null && echo "$ID $VERSION_ID" || echo "this system")
names=() unknown=()
for p in "${missing[@]}"; do
  IFS='|' read -r -a alts <<<"$p"
  pick=
  for a in "${alts[@]}"; do available "$a" && pick=$a && break; done
  if [[ -n $pick ]]; then names+=("$pick"); else unknown+=("${p//|/ or }"); fi
done
if [[ ${#unknown[@]} -gt 0 ]]; then
  printf 'install-deps: %s has no package named %s\n' "$system" "${unknown[@]}" >&2
  echo "install-deps: racelab cannot be set up here without it (see docs/platforms.md)" >&2
  exit 1
fi
echo "installing: ${names[*]}"
if ! apt-get install -y -qq --no-install-recommends "${names[@]}" >/dev/null; then
  echo "install-deps: apt-get could not install: ${names[*]}" >&2
  exit 1
fi
want
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "install-deps: still missing after apt-get: ${missing[*]//|/ or }" >&2
  exit 1
fi
