#!/usr/bin/env bash
# run.sh: the external grader's entrypoint (image prairielearn/grader-c,
# as root, network off).  PrairieLearn mounts this question's tests/ at
# /grade/tests (racelab is in tests/racelab), the student's files at
# /grade/student, and reads /grade/results/results.json, which it creates
# here.  It exits 0 whatever happened: PrairieLearn ignores the results of
# an entrypoint that exits otherwise.  Until racelab has written its
# results the file says the grading did not finish ("gradable": false:
# no attempt is charged).
set -u
root=${RACELAB_PLATFORM_ROOT:-} # set only by racelab's own tests
grade=$root/grade
results=$grade/results
out=$results/results.json
mkdir -p "$results"
printf '{"gradable": false, "message": "racelab: grading did not start"}\n' >"$out"

# /grade may not keep execute bits, and racelab's runs read its runtimes
# as uids of their own: a copy of it, readable by all.
work=$(mktemp -d)
chmod 755 "$work"
cp -R "$grade/tests/racelab" "$work/racelab" 2>/dev/null
chmod -R a+rX "$work/racelab" 2>/dev/null
chmod a+x "$work/racelab/bin/racelab" 2>/dev/null
pkg=$work/racelab
if ! . "$pkg/package.conf" 2>/dev/null || ! . "$pkg/collect.sh" 2>/dev/null; then
  exit 0 # the question folder is incomplete: "did not start" stays
fi
prairielearn_fallback "$out" "$unfinished"

# what this image lets racelab run, in the job's log for the instructor
"$pkg/bin/racelab" doctor 2>&1 | tail -4
collect_submission "$grade/student" "$work/submission"
part=$results/.racelab-results.json
# from $work: the report names the files as submission/FILE
(cd "$work" && exec timeout -k 5 "$BUDGET" "$pkg/bin/racelab" grade "$LAB" submission \
  --prairielearn "$part")
rc=$?
if [[ ($rc -eq 0 || $rc -eq 3) && -s $part ]]; then
  mv -f "$part" "$out"
elif [[ ($rc -eq 124 || $rc -eq 137) ]] && jq -e . "$part" >/dev/null 2>&1; then
  # stopped at its budget: racelab's partial results (rewritten after
  # each run, atomically), which say that the grading did not finish
  mv -f "$part" "$out"
else
  rm -f "$part"
  prairielearn_fallback "$out" "$(failure_reason "$rc")"
fi
rm -rf "$work"
exit 0
