#!/usr/bin/env bash
# shipped_model.sh: the shipped t1d neural twin (data/models/t1d-grt.h5) still
# meets issue 9's targets on twins it never saw (ctest train_shipped_model,
# label validation): 200 twins of configs/train-t1d-cohort.yaml drawn with seed
# 12 (training used seed 11), 7 days of random meals under basal-bolus with
# meal seed 22 (training: 21), `twinscale evaluate`: bg RMSE <= 5, 10 and 20
# mg/dL at 30, 60 and 120 minutes, and below persistence at every horizon.
#   shipped_model.sh TWINSCALE SOURCE_DIR OUTDIR
set -euo pipefail
tw=$1 src=$2 out=$3
rm -rf "$out" && mkdir -p "$out" && cd "$out"
cp "$src"/configs/train-t1d-cohort.yaml "$src"/configs/train-t1d-data.yaml .
"$tw" cohort generate train-t1d-cohort.yaml --set seed=12 --set size=200 -o eval-cohort.h5 >cohort.log 2>&1 ||
  { cat cohort.log; exit 1; }
"$tw" simulate train-t1d-data.yaml --set twins.cohort=eval-cohort.h5 --set seed=22 -o eval-data.h5 >sim.log 2>&1 ||
  { cat sim.log; exit 1; }
"$tw" evaluate --model "$src/data/models/t1d-grt.h5" --data eval-data.h5 --json eval.json | tee eval.log
# "rmse": {"30": x, "60": y, "120": z} and the same for persistence_rmse, from the
# headline block (before "observables")
flat=$(tr -d ' \n' <eval.json)
head=${flat%%\"observables\"*}
num() { local key=$1 h=$2; sed -E "s/.*\"$key\":\{[^}]*\"$h\":([-0-9.eE+]+).*/\1/" <<<"$head"; }
fail=0
for h in 30:5 60:10 120:20; do
  min=${h%%:*} target=${h##*:}
  r=$(num rmse "$min") p=$(num persistence_rmse "$min")
  if awk -v r="$r" -v t="$target" -v p="$p" 'BEGIN { exit !(r <= t && r < p) }'; then
    echo "ok: $min min: bg RMSE $r <= $target mg/dL, persistence $p"
  else
    echo "FAIL: $min min: bg RMSE $r (target $target), persistence $p"; fail=1
  fi
done
exit $fail
