#!/bin/bash
# twin_fit_ranks.sh: `twinscale twin fit` under mpirun (ctest twin_fit_ranks,
# mpi label), on the CSV fixture of tests/data/twin (6 persons, 3 with CGM on
# day 1): 2, 4 and 8 ranks write every dataset of the file 1 rank writes,
# bit for bit (h5diff, NaN equal to NaN): the blocks of 4 ranks are uneven
# (2, 2, 1, 1 persons) and one holds only persons without CGM; 8 ranks leave
# two ranks with no person at all. The summary line names the ranks.
# usage: twin_fit_ranks.sh TWINSCALE SOURCE_DIR MPIEXEC
. "$(dirname "$0")/cli_fixture.sh" # bin, src, data, tmp, fail, vals
mpiexec=$3
command -v h5diff > /dev/null || { echo "SKIP: no h5diff (hdf5-tools)"; exit 77; }
export OMP_NUM_THREADS=1
"$bin" twin import --records "$data/records.csv" --persons "$data/persons.csv" --salt-env TW_SALT \
  -o "$tmp/r.h5" > /dev/null || fail "CSV import"
printf 'kind: twin_fit\nrecords: r.h5\nfit_days: [1, 1]\noutput: {path: %s/t1.h5}\n' "$tmp" > "$tmp/fit.yaml"
"$bin" twin fit "$tmp/fit.yaml" > "$tmp/out1" 2>&1 || { cat "$tmp/out1"; fail "twin fit, 1 rank"; }
datasets=$(h5ls -r "$tmp/t1.h5" | awk '$2 == "Dataset" {print $1}')
[ "$(echo "$datasets" | wc -l)" -ge 30 ] || fail "fewer datasets than a fit writes: $datasets"
for n in 2 4 8; do
  "$mpiexec" -n $n "$bin" twin fit "$tmp/fit.yaml" -o "$tmp/t$n.h5" > "$tmp/out$n" 2>&1 ||
    { cat "$tmp/out$n"; fail "twin fit, $n ranks"; }
  grep -q "^MAP + sampler: .* s on $n ranks (" "$tmp/out$n" || { cat "$tmp/out$n"; fail "the summary's ranks ($n)"; }
  for d in $datasets; do
    h5diff "$tmp/t1.h5" "$tmp/t$n.h5" "$d" "$d" > /dev/null || fail "$d: $n ranks differ from 1"
  done
  echo "ok: $n ranks: the $(echo "$datasets" | wc -l) datasets of 1 rank, bit for bit"
done
