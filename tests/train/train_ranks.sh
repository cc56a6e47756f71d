#!/usr/bin/env bash
# train_ranks.sh: training on 2 MPI ranks gives the weights of 1 (ctest
# train_ranks, label mpi): tests/data/train's small training for 100 steps of 4
# gradient groups, one rank against two (each computes two groups; the groups'
# gradients are gathered and summed in group order on every rank). Every
# dataset of the model file must be identical (h5diff without tolerance).
#   train_ranks.sh MPIEXEC TWINSCALE DATADIR OUTDIR
set -euo pipefail
mpiexec=$1 tw=$2 data=$3 out=$4
command -v h5diff >/dev/null || { echo "SKIP: no h5diff (hdf5-tools)"; exit 77; }
rm -rf "$out" && mkdir -p "$out" && cd "$out"
export OMP_NUM_THREADS=1
cp "$data/data.yaml" . && "$tw" simulate data.yaml >sim.log 2>&1 || { cat sim.log; exit 1; }
for ranks in 1 2; do
  mkdir -p r$ranks && cp "$data/train.yaml" r$ranks/ && ln -sf "$PWD/data.h5" r$ranks/data.h5
  (cd r$ranks && "$mpiexec" -n $ranks --oversubscribe "$tw" train train.yaml --set steps=100 >log 2>&1) || { cat r$ranks/log; exit 1; }
done
fail=0 n=0
for d in $(h5ls -r r1/model.h5 | awk '$2 == "Dataset" {print $1}'); do
  n=$((n + 1))
  h5diff r1/model.h5 r2/model.h5 "$d" "$d" >/dev/null || { echo "FAIL: $d differs between 1 and 2 ranks"; fail=1; }
done
((fail)) || echo "ok: 2 ranks = 1 rank in all $n datasets of the model file"
exit $fail
