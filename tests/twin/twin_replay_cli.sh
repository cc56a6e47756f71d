#!/bin/bash
# twin_replay_cli.sh: `twinscale twin replay` as a user runs it (ctest
# twin_replay_cli, unit label), end to end from the CSV fixture of
# tests/data/twin: `twin import`, `twin fit` (3 persons fitted, 3 flagged
# no-data), then `twin replay`:
#  - bolus_scale 1: exit 0, the summary line, the 3 flagged fits named,
#    the bands line (the fit's sampler writes 200 draws) and the attribute
#    replay_bands, /replay/<endpoint>/difference and its q05/q50/q95 over the
#    draws exactly 0 for every replayed person and endpoint, NaN for the skipped ones, /replay/status 0 0 1 1 0 1, and
#    /replay/mean_bg/observed the mean of the person's CGM readings after the
#    first, worked out from the records file;
#  - bolus_scale 2: mean bg lower for the person with a bolus, unchanged for
#    the two without; basal_scale 0.5: mean bg higher for all three;
#  - controller pid in the loop: exit 0, the attribute replay_controller, the
#    recorded runs unchanged;
#  - the records imported in the command (--salt-env) give the same file;
#  - bad input: a records file as --twins, an unknown scenario key, basal_scale
#    with basal_u_per_h, a controller with bolus_scale, an unknown controller,
#    --person not in the twins file, records of other
#    persons: one line, exit 2, no output file.
# usage: twin_replay_cli.sh TWINSCALE SOURCE_DIR
. "$(dirname "$0")/cli_fixture.sh"
fitted_fixture
"$bin" twin import --records "$data/nightscout" --salt-env TW_SALT --weight-kg 70 -o "$tmp/ns.h5" > /dev/null ||
  fail "Nightscout import"

printf 'bolus_scale: 1\n' > "$tmp/same.yaml"
"$bin" twin replay --twins "$tmp/t.h5" --records "$tmp/r.h5" --scenario "$tmp/same.yaml" -o "$tmp/same.h5" \
  > "$tmp/out" 2> "$tmp/err" || { cat "$tmp/err"; fail "replay with bolus_scale 1"; }
cat "$tmp/out"
grep -q "^wrote $tmp/same.h5 (6 persons: 3 replayed, 3 flagged fits skipped, 0 without CGM in the days)$" "$tmp/out" ||
  fail "the summary line"
[ "$(grep -o '(flag 2)' "$tmp/out" | wc -l)" -eq 3 ] || fail "the skipped fits named"
grep -q "^bands: q05, q50, q95 over 200 posterior draws per person$" "$tmp/out" || fail "the bands line"
grep -q "^replay: .* persons/s$" "$tmp/out" || fail "the timing line"
h5dump -a replay_bands "$tmp/same.h5" | grep -q '"posterior: q05, q50, q95 over 200 draws' || fail "the attribute replay_bands"
[ "$(vals "$tmp/same.h5" /replay/status)" = "0,0,1,1,0,1" ] || fail "/replay/status: $(vals "$tmp/same.h5" /replay/status)"
n_ep=0
for ep in $(h5ls "$tmp/same.h5/replay" | awk '$2 == "Group" { print $1 }'); do
  [ "$ep" = status ] && continue
  d=$(vals "$tmp/same.h5" "/replay/$ep/difference")
  r=$(vals "$tmp/same.h5" "/replay/$ep/recorded")
  c=$(vals "$tmp/same.h5" "/replay/$ep/changed")
  [ "$d" = "0,0,nan,nan,0,nan" ] || fail "/replay/$ep/difference with bolus_scale 1: $d"
  for q in q05 q50 q95; do # every draw's difference is 0 too
    [ "$(vals "$tmp/same.h5" "/replay/$ep/difference_$q")" = "0,0,nan,nan,0,nan" ] || fail "/replay/$ep/difference_$q"
  done
  [ "$r" = "$c" ] || fail "/replay/$ep: recorded $r, changed $c"
  n_ep=$((n_ep + 1))
done
[ $n_ep -eq 13 ] || fail "$n_ep endpoints, the trial's 13 glucose endpoints expected"

# /replay/mean_bg/observed: the mean of each replayed person's CGM readings after
# the first (the run's start), worked out here from the records file
want=$(awk -v off="$(vals "$tmp/r.h5" /cgm/offset)" -v g="$(vals "$tmp/r.h5" /cgm/mg_dl)" 'BEGIN {
  split(off, o, ","); split(g, v, ","); n = length(o) - 1; s = ""
  for (i = 1; i <= n; i++) {
    if (o[i + 1] - o[i] < 2) { s = s (i > 1 ? "," : "") "x"; continue }
    t = 0; for (k = o[i] + 2; k <= o[i + 1]; k++) t += v[k]
    s = s (i > 1 ? "," : "") sprintf("%.3f", t / (o[i + 1] - o[i] - 1))
  }
  print s }')
got=$(vals "$tmp/same.h5" /replay/mean_bg/observed | awk -F, '{ for (i = 1; i <= NF; i++) printf "%s%s", (i > 1 ? "," : ""), ($i == "nan" ? "x" : sprintf("%.3f", $i)); print "" }')
echo "observed mean bg: $got (from the records: $want)"
[ "$(pick "$got" "1 2 5")" = "$(pick "$want" "1 2 5")" ] || fail "/replay/mean_bg/observed $got, the records' $want"

mean_diff() { # SCENARIO_TEXT NAME -> the mean_bg differences
  printf "$1" > "$tmp/$2.yaml"
  "$bin" twin replay --twins "$tmp/t.h5" --records "$tmp/r.h5" --scenario "$tmp/$2.yaml" -o "$tmp/$2.h5" \
    > /dev/null 2> "$tmp/err" || { cat "$tmp/err"; fail "replay $2"; }
  vals "$tmp/$2.h5" /replay/mean_bg/difference
}
d=$(mean_diff 'bolus_scale: 2\n' more)
echo "mean bg differences with bolus_scale 2: $d"
echo "$d" | awk -F, '{ exit !($1 < -1 && $2 == 0 && $5 == 0) }' || fail "bolus_scale 2: $d (person 1 has the bolus)"
d=$(mean_diff 'basal_scale: 0.5\n' less)
echo "mean bg differences with basal_scale 0.5: $d"
echo "$d" | awk -F, '{ exit !($1 > 0 && $2 > 0 && $5 > 0) }' || fail "basal_scale 0.5: $d"

printf 'controller: {name: pid, params: {target: 120}}\n' > "$tmp/pid.yaml"
"$bin" twin replay --twins "$tmp/t.h5" --records "$tmp/r.h5" --scenario "$tmp/pid.yaml" -o "$tmp/pid.h5" > /dev/null ||
  fail "replay with pid in the loop"
h5dump -a replay_controller "$tmp/pid.h5" | grep -q '"pid"' || fail "the attribute replay_controller"
[ "$(vals "$tmp/pid.h5" /replay/mean_bg/recorded)" = "$(vals "$tmp/same.h5" /replay/mean_bg/recorded)" ] ||
  fail "the recorded runs moved with a controller"
echo "mean bg with pid at 120: $(vals "$tmp/pid.h5" /replay/mean_bg/changed)"

"$bin" twin replay --twins "$tmp/t.h5" --records "$data/records.csv" --persons "$data/persons.csv" \
  --salt-env TW_SALT --scenario "$tmp/more.yaml" -o "$tmp/more-import.h5" > /dev/null || fail "replay importing"
[ "$(vals "$tmp/more-import.h5" /replay/mean_bg/changed)" = "$(vals "$tmp/more.h5" /replay/mean_bg/changed)" ] ||
  fail "records imported in the command differ from the records file"

bad() { # EXPECTED_MESSAGE ARGS...
  local want=$1
  shift
  "$bin" twin replay "$@" -o "$tmp/bad.h5" > "$tmp/out" 2> "$tmp/err"
  local rc=$?
  [ $rc -eq 2 ] || fail "$want: exit $rc"
  [ "$(wc -l < "$tmp/err")" -eq 1 ] || fail "$want: not one line: $(cat "$tmp/err")"
  grep -q "$want" "$tmp/err" || fail "expected '$want', got: $(cat "$tmp/err")"
  ls "$tmp"/bad.h5* > /dev/null 2>&1 && fail "$want: an output file was written"
  return 0
}
bad "r.h5: not a twins file from \`twinscale twin fit\`" --twins "$tmp/r.h5" --records "$tmp/r.h5" \
  --scenario "$tmp/same.yaml"
printf 'bolus_scale: 1\nbolus_scal: 2\n' > "$tmp/typo.yaml"
bad "typo.yaml:2:1: .*bolus_scal.*bolus_scale" --twins "$tmp/t.h5" --records "$tmp/r.h5" --scenario "$tmp/typo.yaml"
printf 'basal_scale: 0.5\nbasal_u_per_h: 1\n' > "$tmp/both.yaml"
bad "both.yaml:1:14: basal_scale: give basal_scale or basal_u_per_h, not both" --twins "$tmp/t.h5" \
  --records "$tmp/r.h5" --scenario "$tmp/both.yaml"
printf 'bolus_scale: 2\ncontroller: {name: pid}\n' > "$tmp/ctl.yaml"
bad "ctl.yaml:2:13: controller: it takes the place of the recorded boluses and basal" --twins "$tmp/t.h5" \
  --records "$tmp/r.h5" --scenario "$tmp/ctl.yaml"
printf 'controller: {name: pidd}\n' > "$tmp/ctl.yaml"
bad "ctl.yaml:1:20: controller.name: unknown controller 'pidd'" --twins "$tmp/t.h5" --records "$tmp/r.h5" \
  --scenario "$tmp/ctl.yaml"
bad "t.h5: no person nobody in this twins file" --twins "$tmp/t.h5" --records "$tmp/r.h5" \
  --scenario "$tmp/same.yaml" --person nobody
bad "the records hold no person .* of $tmp/t.h5" --twins "$tmp/t.h5" --records "$tmp/ns.h5" --scenario "$tmp/same.yaml"
echo "twin replay CLI: ok"
