#!/usr/bin/env bash
# check-layers.sh: the harness's folders are layers (README, "Layout");
# fails when a file includes a header of a layer above its own.
set -euo pipefail
cd "$(dirname "$0")/../harness"

bad=0
# forbid FOLDERS... -- INCLUDED-PREFIXES...: no file in FOLDERS includes
# a header under any of the prefixes.
forbid() {
    local dirs=() prefixes=()
    while [[ $1 != -- ]]; do dirs+=("$1"); shift; done
    shift
    prefixes=("$@")
    for d in "${dirs[@]}"; do
        for p in "${prefixes[@]}"; do
            if hits=$(grep -Hn "#include \"$p/" "$d"/*.[ch] 2>/dev/null); then
                printf 'layering: %s/ must not include %s/:\n%s\n' "$d" "$p" "$hits"
                bad=1
            fi
        done
    done
}

# Commands are the top: nothing else includes them.
forbid engine tools probe server sched grade report lib protocol -- cli
# The demo table is read by its command only.
forbid engine tools probe server sched grade report lib protocol -- demo
# Reports read results; the engine and the tools never print them.
forbid engine tools probe server sched grade lib protocol -- report
forbid engine tools probe server sched lib protocol -- grade
# The engine reaches the server driver and the scheduler only through the
# tool interface (tools/tool.h).
forbid engine -- server sched
# System helpers and wire formats stand alone.
forbid lib protocol -- engine tools probe server sched
# The runtimes built into user programs share only the wire formats.
forbid runtime/probe runtime/sched runtime/hooks -- engine tools probe server sched grade report lib cli
exit $bad
