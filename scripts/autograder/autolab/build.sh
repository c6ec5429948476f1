# shellcheck shell=bash
# build.sh (sourced by package.sh): Autolab's autograde-Makefile and
# autograde.tar (racelab built here, its sources, the lab, the job script).
build_package() {
  stage_racelab "$lab" "$stage" both
  write_conf "$lab" autolab "$budget" "$stage"
  cp "$here/autolab/autolab-grade.sh" "$stage/racelab/"
  result=$out/$lab-autolab
  rm -rf "$result"
  mkdir -p "$result"
  cp "$here/autolab/autograde-Makefile" "$result/autograde-Makefile"
  tar -C "$stage" --owner=0 --group=0 -cf "$result/autograde.tar" racelab
}
upload_help() {
  local handin
  handin=$(jq -r 'if (.student_files | length) == 1 then .student_files[0] else "handin.tar" end' \
    "labs/$lab/rubric.json")
  cat <<TXT
Install in Autolab (docs/platforms.md, "Autolab"):
  1. Create the assessment; under Problems add exactly these names and points:
$(jq -r '.checks[] | select(.report_only | not) | "       \(.name)  (\(.points))"' "labs/$lab/rubric.json")
  2. Basic settings: handin filename "$handin"$([[ $handin == handin.tar ]] && echo " (a tar of $(jq -r '.student_files | join(", ")' "labs/$lab/rubric.json"))").
  3. Autograder settings: upload $result/autograde-Makefile and
     $result/autograde.tar; timeout at least $((budget + 30)) s (racelab stops at $budget s);
     the VM image must have racelab's packages (scripts/install-deps.sh --grade).
TXT
}
