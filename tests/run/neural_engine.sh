#!/usr/bin/env bash
# neural_engine.sh: `engine: neural` end to end with the shipped t1d model
# (data/models/t1d-grt.h5), through the binary (ctest run_neural_engine):
#   close     10 reference adults, 2 days of random meals under basal-bolus on a
#             Dexcom (3-min samples: decisions inside the model's 5-min steps):
#             bg against the physiology engine, RMSE <= 25 mg/dL and mean
#             within 8 mg/dL (measured 15 and 3.5 over 7 days: docs/simulate.md);
#   interp    on a GuardianRT (5-min samples: decisions at step ends only),
#             output every minute: at every 5th minute the same bits as output
#             every 5 minutes, and bg in between on the straight line between
#             them (to 1e-9 mg/dL; with a decision inside a step the samples
#             before it stand as taken, off the line of the step taken again);
#   threads   1 and 2 threads: the same file, every dataset;
#   trial     a crossover trial (bb vs pid, 20 twins, 1 day) runs on the neural
#             twin: exit 0, summary.json, the file's engine attribute `neural`;
#   ranks     (with MPIEXEC) 2 ranks write the file 1 rank writes;
#   bad       no model, a missing file, a file that is not a model, a model of
#             another pack, a duration that is not whole steps, states between
#             steps, a model with the physio engine: exit 2, each named.
#   neural_engine.sh TWINSCALE REPO OUTDIR [MPIEXEC]
set -euo pipefail
tw=$1 repo=$2 out=$3 mpiexec=${4:-}
command -v h5diff >/dev/null || { echo "SKIP: no h5diff (hdf5-tools)"; exit 77; }
rm -rf "$out" && mkdir -p "$out" && cd "$out"
export OMP_NUM_THREADS=1
model=$repo/data/models/t1d-grt.h5
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

# same F1 F2: every dataset of the two files identical
same() {
  local d diff=0
  for d in $(h5ls -r "$1" | awk '$2 == "Dataset" {print $1}'); do
    h5diff "$1" "$2" "$d" "$d" >/dev/null || { echo "  differs: $d"; diff=1; }
  done
  return $diff
}

# the random-meal basal-bolus week of configs/simulate-t1d-random.yaml, 2 days
sed -e 's#^duration_min: .*#duration_min: 2880#' -e 's#path: simulate-t1d-random.h5#path: physio.h5#' \
  "$repo/configs/simulate-t1d-random.yaml" > physio.yaml
sed -e 's#path: physio.h5#path: neural.h5#' physio.yaml > neural.yaml
printf 'engine: neural\nmodel: %s\n' "$model" >> neural.yaml
"$tw" simulate physio.yaml >physio.log 2>&1 || { cat physio.log; exit 1; }
"$tw" simulate neural.yaml >neural.log 2>&1 || { cat neural.log; exit 1; }

# close: the bg trajectories (10 x 577 samples) through h5dump's plain output
values() { h5dump -m "%.17g" -d "$2" -y -w 0 "$1" | sed -n '/DATA {/,/}/p' | tr -c '0-9.eE+\n-' '\n' | grep -E '^-?[0-9]'; }
read -r rmse dmean < <(paste <(values physio.h5 /trajectories/bg) <(values neural.h5 /trajectories/bg) |
  awk '{d = $2 - $1; s += d * d; m += d; n++} END {printf "%.3f %.3f\n", sqrt(s / n), m / n}')
if awk -v r="$rmse" -v m="$dmean" 'BEGIN {exit !(r <= 25 && m >= -8 && m <= 8)}'; then
  ok "neural vs physio bg over 2 days: RMSE $rmse mg/dL, mean difference $dmean"
else bad "neural vs physio bg: RMSE $rmse (want <= 25), mean difference $dmean (want within 8)"; fi
[[ $(h5dump -a /engine neural.h5 | grep -c '"neural"') == 1 ]] && ok "engine attribute: neural" || bad "engine attribute"

# interp
sed -e 's#name: Dexcom#name: GuardianRT#' -e 's#path: neural.h5#path: five.h5#' neural.yaml > five.yaml
sed -e 's#every_min: 5#every_min: 1#' -e 's#path: five.h5#path: minute.h5#' five.yaml > minute.yaml
"$tw" simulate five.yaml >five.log 2>&1 || { cat five.log; exit 1; }
"$tw" simulate minute.yaml >minute.log 2>&1 || { cat minute.log; exit 1; }
values minute.h5 /trajectories/bg > minute.txt
if values five.h5 /trajectories/bg > five.txt &&
   awk 'NR == FNR {five[FNR] = $1; next} {m[FNR] = $1} END {
          per = 2881; n = 0
          for (i = 1; i <= FNR; ++i) {
            twin = int((i - 1) / per); k = (i - 1) % per
            if (k % 5 == 0) { if (m[i] != five[twin * 577 + k / 5 + 1]) { print "step end differs at", twin, k; exit 1 } }
            else { a = m[i - k % 5]; b = m[i - k % 5 + 5]; want = a + (k % 5) / 5 * (b - a)
                   if (m[i] - want > 1e-9 || want - m[i] > 1e-9) { print "not linear at", twin, k, m[i], want; exit 1 } }
            n++ }
          if (n != 10 * per) { print "samples:", n; exit 1 } }' five.txt minute.txt; then
  ok "every minute: step ends the same bits as every 5 min, linear in between"
else bad "every-minute samples"; fi

# threads
sed -e 's#path: neural.h5#path: t2.h5#' neural.yaml > t2.yaml
OMP_NUM_THREADS=2 "$tw" simulate t2.yaml >t2.log 2>&1 || { cat t2.log; exit 1; }
if same neural.h5 t2.h5; then ok "1 and 2 threads: the same file"; else bad "1 and 2 threads differ"; fi

# trial
"$tw" cohort generate "$repo/configs/cohort-t1d.yaml" --set size=20 --set "subgroups=[]" -o cohort.h5 >cohort.log 2>&1 || { cat cohort.log; exit 1; }
sed -e 's#cohort: cohort-t1d.h5 .*#cohort: cohort.h5#' -e 's#^warmup_min: .*#warmup_min: 0#' -e 's#^duration_min: .*#duration_min: 1440#' \
    -e 's#path: quickstart.h5#path: trial.h5#' "$repo/configs/quickstart.yaml" > trial.yaml
printf 'engine: neural\nmodel: %s\n' "$model" >> trial.yaml
if OMP_NUM_THREADS=2 "$tw" trial trial.yaml >trial.log 2>&1 && [[ -s summary.json ]] &&
   [[ $(h5dump -a /engine trial.h5 | grep -c '"neural"') == 1 ]]; then
  ok "a crossover trial on the neural twin: $(grep -o '"n_twins": [0-9]*' summary.json | head -1)"
else bad "trial on the neural engine: $(tail -3 trial.log)"; fi

# ranks
if [[ -n $mpiexec ]]; then
  sed -e 's#path: neural.h5#path: r2.h5#' neural.yaml > r2.yaml
  "$mpiexec" -n 2 "$tw" simulate r2.yaml >r2.log 2>&1 || { cat r2.log; exit 1; }
  if same neural.h5 r2.h5; then ok "2 ranks: the same file as 1"; else bad "2 ranks differ from 1"; fi
fi

# bad inputs
expect2() { # NAME WANT CONFIG
  local rc=0
  "$tw" simulate "$3" >"$1.log" 2>&1 || rc=$?
  if [[ $rc == 2 ]] && grep -qF -- "$2" "$1.log"; then ok "$1: exit 2: $(grep -F -- "$2" "$1.log" | head -1)"
  else bad "$1: exit $rc: $(cat "$1.log")"; fi
}
grep -v '^model:' neural.yaml > no-model.yaml
expect2 no-model "engine: neural needs \`model:\`" no-model.yaml
sed -e "s#^model: .*#model: missing.h5#" neural.yaml > missing.yaml
expect2 missing "missing.h5" missing.yaml
sed -e "s#^model: .*#model: physio.h5#" neural.yaml > not-model.yaml
expect2 not-model "model: " not-model.yaml
cp "$repo/configs/simulate-pbpk.yaml" pbpk.yaml
printf 'engine: neural\nmodel: %s\n' "$model" >> pbpk.yaml
expect2 other-pack "is a learned twin of pack t1d" pbpk.yaml
sed -e 's#^duration_min: .*#duration_min: 2882#' -e 's#every_min: 5#every_min: 1#' neural.yaml > odd.yaml
expect2 odd-duration "is not a whole number of the neural twin's 5-minute steps" odd.yaml
sed -e 's#every_min: 5#every_min: 1\n  states: true#' neural.yaml > states.yaml
expect2 states-between "with states: true must be a whole number" states.yaml
sed -e 's#^engine: neural#engine: physio#' neural.yaml > physio-model.yaml
expect2 physio-model "is for \`engine: neural\`" physio-model.yaml
for f in *.h5.partial; do [[ -e $f ]] && bad "a partial file was left: $f"; done
exit $fail
