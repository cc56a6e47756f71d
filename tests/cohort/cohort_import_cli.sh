#!/bin/bash
# cohort_import_cli.sh: `twinscale cohort import` as a user runs it, on
# configs/import-synthea.yaml and the Synthea fixture tests/data/synthea (rows of
# ../shared/reference/synthea plus hand-made ones):
#  - it imports the 10 persons alive and born at 2022-01-01 (of 14), and the file
#    is identical (h5diff) for 1 and 2 OpenMP threads;
#  - pseudonyms, ages, sex, conditions, deceased and every observed value equal
#    validation/synthea_expected.py's tables for the same salt (without and with
#    keep_deceased: 10 and 13 persons), observed values flagged 0 and missing ones
#    flagged 1 in /cohort/imputed (import_check.py expected);
#  - a 1-day parallel trial (stratified by the imported sex, arms none and pid)
#    runs on the imported cohort and writes its results, summary and report;
#  - no output file (the cohort and trial HDF5 files as raw bytes and as h5dump
#    text, summary.json, report.html, every stdout and stderr) holds a name, SSN,
#    licence, passport, address, city, zip, coordinate, birth date or source id
#    of the fixture, an Address survey answer, or the salt; and the same scan
#    does find them in the fixture itself (import_check.py scan);
#  - imputed values equal an independent computation (import_check.py impute);
#  - a patients.csv without GENDER, an unset or short salt variable, and a
#    reference date before every birth each give one line on stderr (the file
#    and column; the config's FILE:LINE:COL; the source and the counts), exit
#    status 2 and no file.
# usage: cohort_import_cli.sh TWINSCALE SOURCE_DIR
set -u
bin=$1 src=$2
cfg=$src/configs/import-synthea.yaml
fixture=$src/tests/data/synthea
check="/usr/bin/python3 -s $src/tests/cohort/import_check.py"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
export TW_SALT="twinscale-test-salt-0123456789" # as in validation/synthea_expected.py

mkdir -p "$tmp/a" "$tmp/b" "$tmp/errors"
(cd "$tmp/a" && OMP_NUM_THREADS=1 "$bin" cohort import "$cfg" -o cohort.h5 > stdout 2> stderr) ||
  { cat "$tmp/a/stderr"; fail "import (1 thread)"; }
(cd "$tmp/b" && OMP_NUM_THREADS=2 "$bin" cohort import "$cfg" -o cohort.h5 > stdout 2> stderr) ||
  { cat "$tmp/b/stderr"; fail "import (2 threads)"; }
cat "$tmp/a/stdout"
h5diff "$tmp/a/cohort.h5" "$tmp/b/cohort.h5" > "$tmp/diff" || { cat "$tmp/diff"; fail "1 and 2 threads differ"; }
grep -q '^persons: 14 in the source; left out: 3 deceased, 1 unborn, 0 with a body weight outside the pack.s range; kept 10$' \
  "$tmp/a/stdout" || fail "the persons line"
for v in age_y weight_kg height_cm bmi hba1c_percent glucose_mg_dl egfr sex; do
  grep -Eq "^$v +[^ ]+ +[-0-9.e+]+ +[-0-9.e+]+ +[-0-9.e+]+ +[-0-9.e+]+ +[0-9.]+%" "$tmp/a/stdout" ||
    fail "no summary row for $v"
done
$check expected "$tmp/a/cohort.h5" "$fixture/expected.csv" || fail "the import differs from synthea_expected.py"
(cd "$tmp/b" && "$bin" cohort import "$cfg" --set keep_deceased=true -o deceased.h5 > deceased.stdout 2> deceased.stderr) ||
  { cat "$tmp/b/deceased.stderr"; fail "import with keep_deceased"; }
grep -q '^persons: 14 in the source; left out: 0 deceased, 1 unborn, .*; kept 13$' "$tmp/b/deceased.stdout" ||
  fail "the persons line with keep_deceased"
$check expected "$tmp/b/deceased.h5" "$fixture/expected_keep_deceased.csv" ||
  fail "the import with keep_deceased differs from synthea_expected.py"

# a trial on the imported twins
cat > "$tmp/a/trial.yaml" <<'YAML'
kind: trial
pack: t1d
twins: {cohort: cohort.h5}
duration_min: 1440
precision: float64
scenario:
  basal_u_per_h: reference
  meals: [{time_min: 420, carbs_g: 45}, {time_min: 720, carbs_g: 70}, {time_min: 1080, carbs_g: 80}]
sensor: {name: Dexcom, noise: true}
design: {type: parallel, stratify_by: [{covariate: sex}]}
arms:
  - {name: none, controller: none}
  - {name: pid, controller: pid, controller_params: {p: 0.001, i: 0.00001, d: 0.001, target: 140}}
output: {path: trial.h5}
seed: 1
YAML
(cd "$tmp/a" && "$bin" trial trial.yaml > trial.stdout 2> trial.stderr) || { cat "$tmp/a/trial.stderr"; fail "trial"; }
grep -q '"n_twins": 10' "$tmp/a/summary.json" || fail "summary.json does not count the 10 imported twins"
h5diff "$tmp/a/cohort.h5" "$tmp/a/trial.h5" /cohort/covariates/age_y /cohort/covariates/age_y > "$tmp/diff" ||
  { cat "$tmp/diff"; fail "the trial's cohort ages differ from the import's"; }

# errors: one line, exit 2, no file
expect_error() { # name, pattern, then the command
  local name=$1 pattern=$2; shift 2
  "$@" > "$tmp/errors/$name.stdout" 2> "$tmp/errors/$name.stderr"
  local rc=$?
  [ "$rc" = 2 ] || { cat "$tmp/errors/$name.stderr"; fail "$name: exit $rc, expected 2"; }
  [ "$(wc -l < "$tmp/errors/$name.stderr")" = 1 ] || { cat "$tmp/errors/$name.stderr"; fail "$name: not one line"; }
  grep -Eq "$pattern" "$tmp/errors/$name.stderr" || { cat "$tmp/errors/$name.stderr"; fail "$name: message"; }
  [ ! -e "$tmp/errors/bad.h5" ] || fail "$name: a file was written"
  cat "$tmp/errors/$name.stderr"
}
mkdir -p "$tmp/nogender"
cp "$fixture/observations.csv" "$fixture/conditions.csv" "$tmp/nogender/"
cp "$fixture/broken/patients_missing_column.csv" "$tmp/nogender/patients.csv"
expect_error missing_column 'patients\.csv:1: .*missing column GENDER' \
  "$bin" cohort import "$cfg" --set "source.synthea=$tmp/nogender" -o "$tmp/errors/bad.h5"
line=$(grep -n '^salt_env:' "$cfg" | cut -d: -f1)
expect_error unset_salt "import-synthea\.yaml:$line:11: salt_env: the environment variable TW_SALT is not set" \
  env -u TW_SALT "$bin" cohort import "$cfg" -o "$tmp/errors/bad.h5"
expect_error short_salt "import-synthea\.yaml:$line:11: salt_env: the salt in TW_SALT is 5 bytes" \
  env TW_SALT=short "$bin" cohort import "$cfg" -o "$tmp/errors/bad.h5"
expect_error no_persons 'no persons left to import at 1900-01-01: 14 in the source, 0 deceased and 14 unborn' \
  "$bin" cohort import "$cfg" --set reference_date=1900-01-01 -o "$tmp/errors/bad.h5"

# the privacy scan of every output, and that it finds what it looks for
outputs=$(find "$tmp/a" "$tmp/b" "$tmp/errors" -type f | sort)
[ "$(echo "$outputs" | wc -l)" -ge 16 ] || fail "fewer outputs than expected: $outputs"
# shellcheck disable=SC2086
$check scan "$fixture" "$TW_SALT" $outputs || fail "identifying text in an output"
$check scan "$fixture" "$TW_SALT" "$fixture/patients.csv" > /dev/null && fail "the scan found nothing in patients.csv"
printf 'x%sx' "$TW_SALT" > "$tmp/planted"
$check scan "$fixture" "$TW_SALT" "$tmp/planted" > /dev/null && fail "the scan did not find a planted salt"

# imputation against an independent computation
mkdir -p "$tmp/impute"
$check impute "$bin" "$tmp/impute" || fail "imputation"
echo "ok"
