#!/usr/bin/env bash
# trial_ranks.sh: a trial on 2 MPI ranks writes the same results as on one
# (ctest trial_ranks, label mpi): tests/data/trial/small.yaml as a crossover and
# as a parallel design, 1 rank with the default chunks against 2 ranks with
# chunks of 3 (each rank writes its own chunks of the one file collectively);
# /endpoints, /status, /trajectories and /assignment must be identical (h5diff
# without tolerance) and summary.json byte for byte (rank 0 analyses the file).
#   trial_ranks.sh MPIEXEC TWINSCALE CONFIG OUTDIR
set -euo pipefail
mpiexec=$1 tw=$2 config=$3 out=$4
command -v h5diff >/dev/null || { echo "SKIP: no h5diff (hdf5-tools)"; exit 77; }
rm -rf "$out" && mkdir -p "$out" && cd "$out"
fail=0
for design in crossover parallel; do
  set_design=(--set "design={type: $design}")
  [[ $design == parallel ]] && set_design=(--set "design={type: parallel, ratios: [1, 1], block_size: 2}")
  for ranks in 1 2; do
    chunk=0; ((ranks == 1)) || chunk=3
    OMP_NUM_THREADS=1 "$mpiexec" -n "$ranks" --oversubscribe "$tw" trial "$config" "${set_design[@]}" \
      --set output.chunk_twins=$chunk -o "$design$ranks.h5" --set output.summary="$design$ranks.json" \
      --set output.report="$design$ranks.html" >"$design$ranks.log" 2>&1 || { cat "$design$ranks.log"; exit 1; }
  done
  for group in /endpoints /status /trajectories $([[ $design == parallel ]] && echo /assignment); do
    if h5diff "${design}1.h5" "${design}2.h5" "$group" "$group" >/dev/null; then echo "ok: $design $group: 2 ranks = 1 rank"
    else echo "FAIL: $design $group differs between 1 and 2 ranks"; fail=1; fi
  done
  if cmp -s "${design}1.json" "${design}2.json"; then echo "ok: $design summary.json identical"
  else echo "FAIL: $design summary.json differs"; fail=1; fi
done
exit $fail
