#!/usr/bin/env bash
# install-deps.sh: install the Debian packages racelab needs, if missing.
# Root installs them with apt-get; anyone else is told the exact command.
set -euo pipefail

# Each package, and why racelab needs it.
packages=(
  gcc make                 # the plain build and the harness itself
  clang libclang-rt-14-dev # ThreadSanitizer and AddressSanitizer builds
  llvm                     # llvm-symbolizer: file:line in sanitizer reports
  valgrind                 # helgrind, drd, memcheck
  binutils                 # addr2line: the probe's call sites
  gdb                      # names a lock inside an array or struct (DWARF)
  util-linux               # setarch (TSan runs without ASLR), unshare
  pkg-config check         # the C unit tests
  libjansson-dev           # JSON reports
  libexpat1-dev            # valgrind's XML reports
  procps                   # ps and pkill, for the soak script
  jq                       # reads racelab's JSON in the grade, soak, bench scripts
  bc                       # arithmetic in the bench script
  pandoc                   # make handouts: the lab handouts as HTML
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ $status == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

command="apt-get install -y --no-install-recommends ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
  echo "racelab needs these Debian packages: ${missing[*]}" >&2
  echo "install them as root with:" >&2
  echo "  apt-get update && $command" >&2
  exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends ${missing[*]} >/dev/null
