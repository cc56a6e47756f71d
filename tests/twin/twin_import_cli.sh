#!/bin/bash
# twin_import_cli.sh: `twinscale twin import` as a user runs it (ctest
# twin_import_cli, unit label), on the fixtures of tests/data/twin:
#  - the CSV fixture with its persons file: exit 0, the summary's first lines
#    (6 persons, 39 records; the flag counts), a records file whose /persons/flag
#    and /cgm/offset (h5dump) are those worked out in tests/twin/test_records.c,
#    and a JSON report naming the first conflicting duplicate's line;
#  - the Nightscout fixture with --weight-kg and --person-id: exit 0, 6 CGM
#    samples, 3 basal segments, the weight in the file;
#  - no output (records file, report, stdout, stderr) holds a source id or the salt;
#  - every bad input of tests/data/twin/bad, an unset and a short salt variable,
#    and a missing --salt-env: exactly one line on stderr (the file and line or
#    record), exit status 2, and no records file (the report of an unusable
#    input is still written, saying why).
# usage: twin_import_cli.sh TWINSCALE SOURCE_DIR
. "$(dirname "$0")/cli_fixture.sh" # $bin, $src, $data, $tmp, fail, TW_SALT

"$bin" twin import --records "$data/records.csv" --persons "$data/persons.csv" --salt-env TW_SALT \
  -o "$tmp/r.h5" --json "$tmp/r.json" > "$tmp/out" 2> "$tmp/err" || { cat "$tmp/err"; fail "CSV import"; }
cat "$tmp/out"
head -1 "$tmp/out" | grep -q "^wrote $tmp/r.h5 (6 persons from csv, 42 records read; 17 CGM samples, 2 carbohydrate records, 2 boluses, 3 basal segments)$" ||
  fail "the first summary line"
grep -q "^flags: no_cgm 3, cgm_units 1, basal_overlap 1, duplicate_conflict 1, no_weight 2, cgm_gaps 1, no_basal 4, no_records 1$" \
  "$tmp/out" || fail "the flags line"
[ -s "$tmp/err" ] && { cat "$tmp/err"; fail "stderr is not empty"; }
h5dump -d /persons/flag "$tmp/r.h5" | tr -d ' \n' | grep -q 'DATA{(0):40,4,81,67,80,193}' || fail "/persons/flag"
h5dump -d /cgm/offset "$tmp/r.h5" | tr -d ' \n' | grep -q 'DATA{(0):0,10,15,15,15,17,17}' || fail "/cgm/offset"
grep -q '"cgm_duplicates_conflicting": "records.csv:14"' "$tmp/r.json" || fail "the report's first conflict"

"$bin" twin import --records "$data/nightscout" --salt-env TW_SALT --weight-kg 70 --person-id NS-SECRET-42 \
  -o "$tmp/ns.h5" --json "$tmp/ns.json" > "$tmp/ns.out" 2> "$tmp/ns.err" || { cat "$tmp/ns.err"; fail "Nightscout import"; }
grep -q "(1 persons from nightscout, 25 records read; 6 CGM samples, 3 carbohydrate records, 4 boluses, 3 basal segments)" \
  "$tmp/ns.out" || fail "the Nightscout summary"
h5dump -d /persons/weight_kg "$tmp/ns.h5" | tr -d ' \n' | grep -q 'DATA{(0):70}' || fail "the weight"

# privacy: no source id, no salt anywhere in what the command wrote
for f in "$tmp"/r.h5 "$tmp"/r.json "$tmp"/out "$tmp"/err "$tmp"/ns.h5 "$tmp"/ns.json "$tmp"/ns.out "$tmp"/ns.err; do
  for needle in MRN- NS-SECRET-42 "$TW_SALT"; do
    grep -aq -- "$needle" "$f" && fail "$f holds '$needle'"
  done
done
grep -q MRN-A001 "$data/records.csv" || fail "the scan cannot find an id where it is"

# errors: one line, exit 2, no records file
expect_error() { # name, expected line, then the arguments after `twin import`
  local name=$1 line=$2
  shift 2
  "$bin" twin import "$@" -o "$tmp/$name.h5" > "$tmp/$name.out" 2> "$tmp/$name.err"
  local rc=$?
  [ $rc = 2 ] || { cat "$tmp/$name.err"; fail "$name: exit status $rc, expected 2"; }
  [ "$(wc -l < "$tmp/$name.err")" = 1 ] || { cat "$tmp/$name.err"; fail "$name: not one line"; }
  [ "$(cat "$tmp/$name.err")" = "$line" ] || fail "$name: got '$(cat "$tmp/$name.err")', expected '$line'"
  [ -e "$tmp/$name.h5" ] && fail "$name: a records file was written"
  echo "ok: $name: $line"
}
bad=$data/bad
expect_error no_offset "$bad/no_offset.csv:3:4: column time: '2026-03-29T01:35:00' is not an ISO 8601 time with its UTC offset (2026-03-29T01:55:00+01:00 or ...Z)" \
  --records "$bad/no_offset.csv" --salt-env TW_SALT
expect_error unknown_unit "$bad/unknown_unit.csv:3:38: column unit: unit 'mg' of kind cgm is not known (mg/dL or mmol/L)" \
  --records "$bad/unknown_unit.csv" --salt-env TW_SALT
expect_error short_row "$bad/short_row.csv:3: 4 fields, the header has 5" --records "$bad/short_row.csv" --salt-env TW_SALT
expect_error not_a_number "$bad/not_a_number.csv:2:36: column value: 'forty' is not a number" \
  --records "$bad/not_a_number.csv" --salt-env TW_SALT
expect_error unitless_mixed "$bad/unitless_mixed.csv: no person has a usable CGM sample (1 person(s); first left out: cgm_unit_ambiguous at unitless_mixed.csv:2)" \
  --records "$bad/unitless_mixed.csv" --salt-env TW_SALT --json "$tmp/mixed.json"
grep -q '"cgm_unit_ambiguous": "unitless_mixed.csv:2"' "$tmp/mixed.json" || fail "the report of an unusable input"
expect_error ns_truncated "$bad/ns_truncated/entries.json:4:1: JSON: expected ',' or '}'" --records "$bad/ns_truncated" --salt-env TW_SALT
expect_error ns_bad_field "$bad/ns_bad_field/treatments.json: record 2 (line 3): field carbs: not a number" \
  --records "$bad/ns_bad_field" --salt-env TW_SALT
expect_error ns_not_array "$bad/ns_not_array/entries.json:1: expected a JSON array of records (a Nightscout export)" \
  --records "$bad/ns_not_array" --salt-env TW_SALT
printf 'person_id,weight_kg\nMRN-A001,70\nMRN-A001,71\n' > "$tmp/persons.csv"
expect_error persons_twice "$tmp/persons.csv:3: this person_id is given again (first on line 2)" \
  --records "$data/records.csv" --persons "$tmp/persons.csv" --salt-env TW_SALT
expect_error unset_salt "twin import: --salt-env: the environment variable TW_NO_SUCH_SALT is not set; export the pseudonym salt (at least 16 bytes) in it" \
  --records "$data/records.csv" --salt-env TW_NO_SUCH_SALT
TW_SHORT=short expect_error short_salt "twin import: --salt-env: the salt in TW_SHORT is 5 bytes; at least 16 are needed" \
  --records "$data/records.csv" --salt-env TW_SHORT
expect_error no_salt_env "twinscale: twin import: --salt-env is required (see twinscale twin import --help)" --records "$data/records.csv"
echo "twin_import_cli: all checks passed"
