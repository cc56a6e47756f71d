#!/bin/bash
# trial_from_twins.sh: a trial whose twins are personal twins (ctest
# trial_from_twins, unit label; docs/trial.md, "Personal twins"): the CSV
# fixture of tests/data/twin imported and fitted (3 of 6 persons fitted, 3
# flagged no-data), then `twinscale trial` with cohort: {from_twins: t.h5,
# records: r.h5}, a crossover of no controller against PID (the quickstart's
# gains: simglucose's example gains take a fitted twin to glucose 0, where it stops):
#  - exit 0 and the line naming 3 of 6 fitted persons, 3 flagged fits left out,
#    2 body weights from the records;
#  - /twins/name the fitted persons' pseudonyms in the twins file's order;
#    /cohort/parameters/t1d.<p> the MAP of each fitted parameter, the records'
#    body weight where there is one and the population twin's otherwise;
#  - every twin's mean_bg finite in both arms;
#  - bad configs: twins and cohort.from_twins both, neither, a records file
#    as from_twins: one line, exit 2, no results file;
#  - the normalised print (`config check`) checks again to the same text.
# usage: trial_from_twins.sh TWINSCALE SOURCE_DIR
. "$(dirname "$0")/../twin/cli_fixture.sh"
fitted_fixture

trial() { # TWINS_LINES NAME
  cat > "$tmp/$2.yaml" <<YAML
kind: trial
pack: t1d
$(printf "$1")
warmup_min: 60
duration_min: 1440
scenario: {basal_u_per_h: reference, meals: [{time_min: 480, carbs_g: 50}]}
sensor: {name: Dexcom, noise: false}
design: {type: crossover}
arms:
  - {name: open, controller: none}
  - {name: pid, controller: pid, controller_params: {p: 0.0001, i: 0.0000002, d: 0.001, target: 140}}
output: {path: $tmp/$2.h5}
YAML
  (cd "$tmp" && "$bin" trial "$tmp/$2.yaml" > "$tmp/out" 2> "$tmp/err")
}
trial 'cohort: {from_twins: t.h5, records: r.h5}' good || { cat "$tmp/err"; fail "the trial on fitted twins"; }
cat "$tmp/out"
grep -q "^twins: 3 of 6 fitted persons of $tmp/t.h5 (3 flagged fits left out; body weight from the records for 2) as $tmp/good.h5.twins.h5$" \
  "$tmp/out" || fail "the twins line"
ids=$(h5dump -y -d /persons/id "$tmp/t.h5" | grep -o '"[0-9a-f]\{64\}"' | tr '\n' ,)
names=$(h5dump -y -d /twins/name "$tmp/good.h5" | grep -o '"[0-9a-f]\{64\}"' | tr '\n' ,)
[ "$names" = "$(pick "$ids" "1 2 5")," ] || fail "/twins/name $names, the fitted persons of $ids"
for p in Vmx kp1 kp3 kabs kmax; do
  [ "$(vals "$tmp/good.h5" /cohort/parameters/t1d.$p)" = "$(pick "$(vals "$tmp/t.h5" /fit/$p/map)" "1 2 5")" ] ||
    fail "t1d.$p: $(vals "$tmp/good.h5" /cohort/parameters/t1d.$p), the MAP $(vals "$tmp/t.h5" /fit/$p/map)"
done
bw=$(vals "$tmp/good.h5" /cohort/parameters/t1d.BW)
[ "$(pick "$bw" "1 2")" = "$(pick "$(vals "$tmp/r.h5" /persons/weight_kg)" "1 2")" ] || fail "body weights $bw"
awk -v w="$(pick "$bw" 3)" 'BEGIN { exit !(w > 40 && w < 80) }' || fail "the population body weight $bw"
mean=$(vals "$tmp/good.h5" /endpoints/mean_bg)
echo "mean bg (twin x arm): $mean"
echo "$mean" | awk -F, '{ for (i = 1; i <= NF; i++) if (!($i > 20 && $i < 600)) exit 1; exit NF != 6 }' ||
  fail "/endpoints/mean_bg: $mean"

bad() { # TWINS_LINES EXPECTED
  trial "$1" bad
  local rc=$?
  [ $rc -eq 2 ] || fail "$2: exit $rc"
  [ "$(wc -l < "$tmp/err")" -eq 1 ] || fail "$2: not one line: $(cat "$tmp/err")"
  grep -q "$2" "$tmp/err" || fail "expected '$2', got: $(cat "$tmp/err")"
  ls "$tmp"/bad.h5 "$tmp"/bad.h5.partial > /dev/null 2>&1 && fail "$2: a results file was written"
  return 0
}
bad 'cohort: {from_twins: t.h5}\ntwins: {reference: [adult#001]}' "bad.yaml:4:8: twins: give twins or cohort.from_twins, not both"
bad 'title: none' "bad.yaml:1:1: twins: missing: give the twins (as in simulate) or cohort.from_twins"
bad 'cohort: {from_twins: r.h5}' "r.h5: not a twins file from \`twinscale twin fit\`"
# the normalised print of a from_twins config is a config that checks again to the same text
"$bin" config check "$tmp/good.yaml" > "$tmp/norm.yaml" || fail "config check of the from_twins config"
(cd "$tmp" && "$bin" config check "$tmp/norm.yaml") > "$tmp/norm2.yaml" || fail "config check of its normalised print"
cmp -s "$tmp/norm.yaml" "$tmp/norm2.yaml" || fail "the normalised print does not check to the same text"
echo "trial from twins: ok"
