# shellcheck shell=bash
# build.sh (sourced by package.sh): a PrairieLearn question folder:
# info.json (external grading, image prairielearn/grader-c), question.html
# (the upload and the results), and tests/ with the entrypoint and a
# racelab built here.
build_package() {
  local q=$stage/racelab-$lab files upload uuid
  mkdir -p "$q/tests"
  stage_racelab "$lab" "$q/tests" binary
  write_conf "$lab" prairielearn "$budget" "$q/tests"
  cp "$here/prairielearn/run.sh" "$q/tests/run.sh"
  files=$(jq -r '.student_files | join(", ")' "labs/$lab/rubric.json")
  # the same uuid each time for a lab: a new upload replaces the question
  uuid=$(printf 'racelab %s' "$lab" | md5sum |
    sed -E 's/^(.{8})(.{4})(.{4})(.{4})(.{12}).*/\1-\2-\3-\4-\5/')
  jq -n --arg uuid "$uuid" --arg title "$title" --arg lab "$lab" \
    --argjson timeout $((budget + 30)) '{
      uuid: $uuid, title: ("racelab \($lab): \($title)"), topic: "Concurrency",
      tags: ["racelab"], type: "v3", singleVariant: true,
      gradingMethod: "External",
      externalGradingOptions: {enabled: true, image: "prairielearn/grader-c",
        entrypoint: "bash /grade/tests/run.sh", timeout: $timeout}}' \
    >"$q/info.json"
  # one upload element for all the files (PrairieLearn advises one)
  upload="<pl-file-upload file-names=\"$files\"></pl-file-upload>"
  local html
  html=$(<"$here/prairielearn/question.html")
  html=${html//@TITLE@/$title}
  html=${html//@LAB@/$lab}
  html=${html//@FILES_TEXT@/$files}
  html=${html//@UPLOAD@/$upload}
  printf '%s\n' "$html" >"$q/question.html"
  result=$out/$lab-prairielearn
  rm -rf "$result"
  mkdir -p "$result"
  cp -R "$q" "$result/"
}
upload_help() {
  cat <<TXT
Add to a PrairieLearn course (docs/platforms.md, "PrairieLearn"):
  1. Copy the folder $result/racelab-$lab into the course's questions/
     (e.g. questions/racelab/$lab) and commit it; sync the course.
  2. Add the question to an assessment (infoAssessment.json), with its points.
  3. The grader's timeout is $((budget + 30)) s (info.json, at most 600); racelab stops at $budget s.
TXT
}
