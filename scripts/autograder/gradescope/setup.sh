#!/usr/bin/env bash
# setup.sh: Gradescope runs this once, as root, when it builds the
# autograder image (Ubuntu 22.04 by default; Debian 12 works too).  It
# installs the packages racelab needs, under this system's names, builds
# racelab from the sources in this zip, and proves that a ThreadSanitizer
# build links.  Any failure stops the build with the reason, so a broken
# image is seen when the autograder is uploaded, not when students submit.
set -euo pipefail
root=${RACELAB_PLATFORM_ROOT:-} # set only by racelab's own tests
pkg=$root/autograder/source/racelab

cd "$pkg"
scripts/install-deps.sh --grade
make -j"$(nproc)" all
probe=$(mktemp -d)
echo 'int main(void) { return 0; }' >"$probe/t.c"
if ! clang -fsanitize=thread -o "$probe/t" "$probe/t.c" 2>"$probe/err"; then
  cat "$probe/err" >&2
  echo "setup.sh: clang cannot link a ThreadSanitizer program: its runtime package" \
    "(libclang-rt-N-dev, or libclang-common-N-dev on Ubuntu 22.04) is missing" >&2
  exit 1
fi
rm -rf "$probe"
# racelab runs the student's code as uids of its own: they must be able
# to read racelab's runtimes (bin/) and the lab.
chmod a+x "$root/autograder" "$root/autograder/source" 2>/dev/null || true
chmod -R a+rX "$pkg"
bin/racelab doctor || true
echo "setup.sh: racelab is ready for lab $(. ./package.conf && echo "$LAB")"
