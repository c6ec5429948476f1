#!/usr/bin/env bash
# class-screenshot.sh: `make class-screenshot LAB=NN [OUT=grades] [PNG=file]`:
# the class report grades/LAB/class.html as a real browser shows it,
# taken by headless Chromium (installed by `scripts/install-deps.sh
# chromium`), 1200x1600, into PNG (default OUT/LAB/class.png).
# Exit status: 0 written, 2 usage error or no report, 3 Chromium failed.
set -uo pipefail
cd "$(dirname "$0")/.."

lab=${LAB:-}
out=${OUT:-grades}
[[ -n $lab ]] || { echo "class-screenshot: say which lab: LAB=NN" >&2; exit 2; }
page="$out/$lab/class.html"
png=${PNG:-$out/$lab/class.png}
[[ -f $page ]] || {
  echo "class-screenshot: no '$page': grade the class first (make grade LAB=$lab SUBMISSIONS=root)" >&2
  exit 2
}
browser=$(command -v chromium || command -v chromium-browser) || {
  echo "class-screenshot: no chromium: run scripts/install-deps.sh chromium" >&2
  exit 2
}
# Chromium's own sandbox needs user namespaces, which root and many
# containers do not get: the page is racelab's own, escaped, and has no
# script, so it is opened without that sandbox there.
flags=(--headless --disable-gpu --hide-scrollbars --window-size=1200,1600)
[[ $(id -u) == 0 ]] && flags+=(--no-sandbox)
mkdir -p "$(dirname "$png")"
if ! "$browser" "${flags[@]}" --screenshot="$(realpath -m "$png")" \
  "file://$(realpath "$page")" >"$png.log" 2>&1 || [[ ! -s $png ]]; then
  echo "class-screenshot: chromium failed (see $png.log)" >&2
  exit 3
fi
rm -f "$png.log"
echo "screenshot: $png"
