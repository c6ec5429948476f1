# shellcheck shell=bash
# build.sh (sourced by package.sh): Gradescope's zip: setup.sh and
# run_autograder at its root, racelab's sources and the lab in racelab/.
build_package() {
  command -v zip >/dev/null || { echo "autograder: zip is missing (make deps)" >&2; exit 2; }
  stage_racelab "$lab" "$stage" source
  write_conf "$lab" gradescope "$budget" "$stage"
  cp "$here/gradescope/setup.sh" "$here/gradescope/run_autograder" "$stage/"
  chmod 755 "$stage/setup.sh" "$stage/run_autograder"
  result=$out/$lab-gradescope.zip
  rm -f "$result"
  (cd "$stage" && zip -qrX - setup.sh run_autograder racelab) >"$result"
}
upload_help() {
  cat <<TXT
Upload to Gradescope (docs/platforms.md, "Gradescope"):
  1. Create a "Programming Assignment"; total points: $(jq '[.checks[].points] | add' "labs/$lab/rubric.json").
  2. Configure Autograder > Zip file upload: $result
     (base image: Ubuntu 22.04, the default; setup.sh builds racelab).
  3. Autograder Settings: timeout at least $((budget + 120)) s (racelab stops at $budget s).
  4. Students hand in: ${files_text:-$(jq -r '.student_files | join(", ")' "labs/$lab/rubric.json")}
TXT
}
