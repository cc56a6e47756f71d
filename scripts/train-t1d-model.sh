#!/usr/bin/env bash
# scripts/train-t1d-model.sh: retrains the shipped t1d neural twin,
# data/models/t1d-grt.h5, and evaluates it on twins it never saw
# (docs/training.md, figures in docs/performance.md "The shipped t1d model").
#
#   1. cohorts: 600 training twins (configs/train-t1d-cohort.yaml, seed 11) and
#      200 held-out twins of the same population (seed 12);
#   2. 7 days of simglucose's random meals, states every 5 minutes
#      (configs/train-t1d-data.yaml), under the quickstart trial's two arms:
#      basal-bolus therapy and its PID controller in the loop: training data
#      (seeds 21 and 24), held-out data (seeds 22 and 23), and the held-out
#      twins under a controller training never saw: PID with simglucose's
#      example gains (p 0.001, i 1e-5, d 0.001; seed 25);
#   3. training (configs/train-t1d.yaml), with a checkpoint every 500 steps:
#      interrupted, the script may be rerun and training resumes;
#   4. `twinscale evaluate` on the three held-out sets: eval.json (bb),
#      eval-pid.json (the quickstart's PID) and eval-unseen.json.
# Prints the time of each stage. Work files go to --work (default
# build-train/), the model to data/models/t1d-grt.h5 (--no-install: not).
#   scripts/train-t1d-model.sh [--build DIR] [--work DIR] [--set KEY=VALUE]... [--no-install]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
build=$repo/build work=$repo/build-train install=1 sets=()
while [ $# -gt 0 ]; do
  case $1 in
    --build) build=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --set) sets+=(--set "$2"); shift 2 ;;
    --no-install) install=0; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "train-t1d-model.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
build=$(cd "$build" 2>/dev/null && pwd) || { echo "train-t1d-model.sh: no build directory $build" >&2; exit 2; }
tw=$build/twinscale
[ -x "$tw" ] || { echo "train-t1d-model.sh: $tw not found (build first, or --build DIR)" >&2; exit 2; }
mkdir -p "$work"
cp "$repo"/configs/train-t1d*.yaml "$work/"
cd "$work"
stage() { local t0=$SECONDS; "$@"; echo "  ($((SECONDS - t0)) s)" >&2; }
# the quickstart trial's PID arm (configs/quickstart.yaml), and simglucose's example gains
pid_loop=(--set scenario.controller=pid --set "scenario.controller_params={p: 0.0001, i: 0.0000002, d: 0.001, target: 140}")
pid_unseen=(--set scenario.controller=pid --set "scenario.controller_params={p: 0.001, i: 0.00001, d: 0.001, target: 140}")

echo "== cohorts"
stage "$tw" cohort generate train-t1d-cohort.yaml -o train-t1d-cohort.h5 --force >/dev/null
stage "$tw" cohort generate train-t1d-cohort.yaml --set seed=12 --set size=200 -o eval-cohort.h5 --force >/dev/null
echo "== simulations (7 days, states every 5 min)"
stage "$tw" simulate train-t1d-data.yaml -o train-t1d-data.h5 --force >/dev/null
stage "$tw" simulate train-t1d-data.yaml --set seed=24 "${pid_loop[@]}" -o train-t1d-data-pid.h5 --force >/dev/null
stage "$tw" simulate train-t1d-data.yaml --set twins.cohort=eval-cohort.h5 --set seed=22 -o eval-data.h5 --force >/dev/null
stage "$tw" simulate train-t1d-data.yaml --set twins.cohort=eval-cohort.h5 --set seed=23 "${pid_loop[@]}" \
  -o eval-pid.h5 --force >/dev/null
stage "$tw" simulate train-t1d-data.yaml --set twins.cohort=eval-cohort.h5 --set seed=25 "${pid_unseen[@]}" \
  -o eval-unseen.h5 --force >/dev/null
echo "== training"
stage "$tw" train train-t1d.yaml -o t1d-grt.h5 --resume "${sets[@]}"
echo "== evaluation on 200 held-out twins"
stage "$tw" evaluate --model t1d-grt.h5 --data eval-data.h5 --json eval.json
echo "== the same twins under the quickstart's PID control"
stage "$tw" evaluate --model t1d-grt.h5 --data eval-pid.h5 --json eval-pid.json
echo "== the same twins under PID with simglucose's example gains (a controller training never saw)"
stage "$tw" evaluate --model t1d-grt.h5 --data eval-unseen.h5 --json eval-unseen.json
if ((install)); then
  mkdir -p "$repo/data/models" && cp t1d-grt.h5 "$repo/data/models/t1d-grt.h5"
  echo "installed $repo/data/models/t1d-grt.h5"
fi
