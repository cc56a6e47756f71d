#!/bin/bash
# twin_fit_cli.sh: `twinscale twin fit` as a user runs it (ctest twin_fit_cli,
# unit label), on records imported from the fixtures of tests/data/twin:
#  - the CSV fixture (6 persons, 3 without CGM): exit 0, the summary line,
#    /fit/flag 0 0 2 2 0 2 (no CGM in fit_days: flagged, written, not left out),
#    /prediction/cgm (6, 20) on a 5-minute grid, the `identifiable` attribute;
#    the posterior datasets with their shapes, q05 <= q50 <= q95, NaN for the
#    persons not fitted, the draws against the quantiles, flag 16 against R-hat;
#  - the Nightscout fixture: fitted, and the prediction at the first CGM
#    sample equal to that sample (the twin starts there);
#  - the Nightscout folder named in the config (imported and fitted in one
#    step): the same fit as the two steps, no salt in the outputs;
#  - bad configs (an unknown parameter, a degenerate one, fit_days reversed,
#    an odd number of walkers, a burn-in leaving fewer than 4 steps,
#    an import without salt_env, an unset salt variable): one line naming the
#    config's line and column, exit 2, no output file.
# usage: twin_fit_cli.sh TWINSCALE SOURCE_DIR
. "$(dirname "$0")/cli_fixture.sh" # bin, src, data, tmp, fail, vals

"$bin" twin import --records "$data/records.csv" --persons "$data/persons.csv" --salt-env TW_SALT \
  -o "$tmp/r.h5" > /dev/null || fail "CSV import"
"$bin" twin import --records "$data/nightscout" --salt-env TW_SALT --weight-kg 70 -o "$tmp/ns.h5" > /dev/null ||
  fail "Nightscout import"

printf 'kind: twin_fit\nrecords: r.h5\nfit_days: [1, 1]\noutput: {path: %s/t.h5}\n' "$tmp" > "$tmp/fit.yaml"
"$bin" twin fit "$tmp/fit.yaml" > "$tmp/out" 2> "$tmp/err" || { cat "$tmp/err"; fail "twin fit on the CSV fixture"; }
cat "$tmp/out"
# the sampler's chain flag (16) may add to the three fitted persons' flags; checked below against R-hat
nchain=$(sed -n 's/.*; \([0-9]*\) chains not converged$/\1/p' "$tmp/out")
[ -n "$nchain" ] || fail "the sampler's summary"
grep -q "^wrote $tmp/t.h5 (6 persons: 3 fitted, $((3 + nchain)) flagged: 0 not converged, 3 without CGM in fit_days, 0 poor fits)$" \
  "$tmp/out" || fail "the summary line"
flags=$(vals "$tmp/t.h5" /fit/flag)
[ "$(echo "$flags" | tr , '\n' | awk '{ printf("%s%d", (NR > 1 ? "," : ""), $1 % 16) }')" = "0,0,2,2,0,2" ] || fail "/fit/flag: $flags"
h5dump -H -d /prediction/cgm "$tmp/t.h5" | grep -q "SIMPLE { ( 6, 20 ) / ( 6, 20 ) }" || fail "/prediction/cgm shape"
h5dump -a identifiable "$tmp/t.h5" | grep -q '"Vmx,kp1,kmax"' || fail "the identifiable attribute"
# the posterior: every dataset there with its shape; q05 <= q50 <= q95 and
# R-hat finite for the fitted persons (0, 1, 4), all NaN for those without CGM;
# 80-98% of the 200 draws inside [q05, q95] (the draws are thinned from the
# samples the quantiles come from); flag 16 exactly where an R-hat is > 1.1
shape() { h5dump -H -d "$2" "$1" | grep -q "SIMPLE { ( $3 ) / ( $3 ) }" || fail "$2: not ( $3 )"; }
rh_all=""
for p in Vmx kp1 kp3 kabs kmax; do
  for d in map q05 q50 q95; do shape "$tmp/t.h5" /fit/$p/$d 6; done
  shape "$tmp/t.h5" /fit/rhat/$p 6
  shape "$tmp/t.h5" /fit/draws/$p "6, 200"
  paste -d' ' <(vals "$tmp/t.h5" /fit/$p/q05 | tr , '\n') <(vals "$tmp/t.h5" /fit/$p/q50 | tr , '\n') \
    <(vals "$tmp/t.h5" /fit/$p/q95 | tr , '\n') <(vals "$tmp/t.h5" /fit/rhat/$p | tr , '\n') |
    awk -v p=$p 'BEGIN { fitted[1] = fitted[2] = fitted[5] = 1 }
      fitted[NR] && !($1 > 0 && $1 <= $2 && $2 <= $3 && $4 >= 1 && $4 < 100) { print p, NR, $0; bad = 1 }
      !fitted[NR] && !($1 == "nan" && $2 == "nan" && $3 == "nan" && $4 == "nan") { print p, NR, $0; bad = 1 }
      END { exit bad }' || fail "/fit/$p quantiles or R-hat"
  h5dump -y -d /fit/draws/$p "$tmp/t.h5" | sed -n '/^   DATA {/,/^   }/p' | tr -d ' \n{}DATA' | tr , '\n' > "$tmp/draws"
  paste -d' ' <(vals "$tmp/t.h5" /fit/$p/q05 | tr , '\n') <(vals "$tmp/t.h5" /fit/$p/q95 | tr , '\n') > "$tmp/q"
  awk -v p=$p 'NR == FNR { lo[NR] = $1; hi[NR] = $2; next }
    { i = int((FNR - 1) / 200) + 1; if (lo[i] != "nan") { n[i]++; inside[i] += ($1 >= lo[i] && $1 <= hi[i]) } }
    END { for (i in n) if (inside[i] < 160 || inside[i] > 196) { print p, i, inside[i]; bad = 1 }; exit bad }' \
    "$tmp/q" "$tmp/draws" || fail "/fit/draws/$p: draws inside [q05, q95]"
  rh_all="$rh_all $(vals "$tmp/t.h5" /fit/rhat/$p)"
done
echo "$rh_all $flags" | awk '{ n = split($NF, f, ","); for (k = 1; k < NF; ++k) { m = split($k, r, ",");
    for (i = 1; i <= m; ++i) if (r[i] != "nan" && r[i] > 1.1) over[i] = 1 }
  for (i = 1; i <= n; ++i) if ((int(f[i] / 16) % 2) != (over[i] ? 1 : 0)) { print "person", i, f[i]; bad = 1 }; exit bad }' ||
  fail "flag 16 against R-hat > 1.1: $flags"

printf 'kind: twin_fit\nrecords: ns.h5\nfit_days: [1, 1]\nparameters: [kp1, Vmx]\nsampler: {steps: 200, burn_in: 50}\noutput: {path: %s/ns-t.h5}\n' \
  "$tmp" > "$tmp/ns.yaml"
"$bin" twin fit "$tmp/ns.yaml" > "$tmp/out" 2> "$tmp/err" || { cat "$tmp/err"; fail "twin fit on Nightscout"; }
grep -q "(1 persons: 1 fitted, 0 flagged" "$tmp/out" || fail "Nightscout summary: $(cat "$tmp/out")"
first_cgm=$(vals "$tmp/ns.h5" /cgm/mg_dl | cut -d, -f1)
first_pred=$(vals "$tmp/ns-t.h5" /prediction/cgm | cut -d, -f1)
awk -v a="$first_cgm" -v b="$first_pred" 'BEGIN { exit !(a - b < 1e-9 && b - a < 1e-9) }' ||
  fail "prediction at the first CGM sample $first_pred, the sample $first_cgm"

# the Nightscout folder named in the config: imported, then fitted, in one step,
# with the same fitted value as the two steps
printf 'kind: twin_fit\nrecords: %s\nsalt_env: TW_SALT\nweight_kg: 70\nfit_days: [1, 1]\nparameters: [kp1, Vmx]\noutput: {path: %s/ns-1.h5}\n' \
  "$data/nightscout" "$tmp" > "$tmp/ns1.yaml"
"$bin" twin fit "$tmp/ns1.yaml" > "$tmp/out" 2> "$tmp/err" || { cat "$tmp/err"; fail "twin fit importing Nightscout"; }
[ "$(vals "$tmp/ns-1.h5" /fit/kp1/map)" = "$(vals "$tmp/ns-t.h5" /fit/kp1/map)" ] || fail "one-step and two-step fits differ"
grep -q "$TW_SALT" "$tmp/out" "$tmp/ns-1.h5" && fail "the salt in an output"

bad() { # CONFIG_LINES EXPECTED_MESSAGE
  printf 'kind: twin_fit\nrecords: r.h5\n%b\noutput: {path: %s/bad.h5}\n' "$1" "$tmp" > "$tmp/bad.yaml"
  "$bin" twin fit "$tmp/bad.yaml" > "$tmp/out" 2> "$tmp/err"
  local rc=$?
  [ $rc -eq 2 ] || fail "$2: exit $rc"
  [ "$(wc -l < "$tmp/err")" -eq 1 ] || fail "$2: not one line: $(cat "$tmp/err")"
  grep -q "$2" "$tmp/err" || fail "expected '$2', got: $(cat "$tmp/err")"
  ls "$tmp"/bad.h5* > /dev/null 2>&1 && fail "$2: an output file was written"
  return 0
}
bad 'fit_days: [1, 1]\nparameters: [Vmx, kpp1]' "bad.yaml:4:13: parameters: fit: 'kpp1' is not a parameter of the t1d pack"
bad 'fit_days: [1, 1]\nparameters: [f]' "bad.yaml:4:13: parameters: fit: 'f' is the same for all 30 reference patients"
bad 'fit_days: [3, 1]' "bad.yaml:3:11: fit_days: \[3, 1\]: two whole days, first <= last"
bad 'fit_days: [1, 1]\nsampler: {walkers: 7}' "bad.yaml:4:10: sampler: 7 walkers (even, at least 2 x 5 parameters)"
bad 'fit_days: [1, 1]\nsampler: {steps: 30, burn_in: 28}' "bad.yaml:4:10: sampler: 10 walkers .*, 30 steps, burn_in 28 (at least 4 steps kept"
printf 'kind: twin_fit\nrecords: %s\nfit_days: [1, 1]\noutput: {path: %s/bad.h5}\n' "$data/records.csv" "$tmp" > "$tmp/bad.yaml"
"$bin" twin fit "$tmp/bad.yaml" 2> "$tmp/err" > /dev/null; [ $? -eq 2 ] || fail "an import without salt_env: exit status"
grep -q "bad.yaml:2:10: records: .* is not a records file, so it is imported: name the salt's environment variable in salt_env" \
  "$tmp/err" || fail "an import without salt_env: $(cat "$tmp/err")"
printf 'kind: twin_fit\nrecords: %s\nsalt_env: TW_UNSET_SALT\nfit_days: [1, 1]\noutput: {path: %s/bad.h5}\n' "$data/records.csv" \
  "$tmp" > "$tmp/bad.yaml"
"$bin" twin fit "$tmp/bad.yaml" 2> "$tmp/err" > /dev/null; [ $? -eq 2 ] || fail "an unset salt variable: exit status"
grep -q "bad.yaml:3:11: salt_env: the environment variable TW_UNSET_SALT is not set" "$tmp/err" ||
  fail "an unset salt variable: $(cat "$tmp/err")"
ls "$tmp"/bad.h5* > /dev/null 2>&1 && fail "a bad import wrote a file"
echo "twin fit CLI: ok"
