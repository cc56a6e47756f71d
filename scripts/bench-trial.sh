#!/usr/bin/env bash
# scripts/bench-trial.sh: the trial's throughput and memory against the bare
# physiology, in one run (docs/performance.md, "Trials"). Draws cohorts of each
# size N given (default 10000 100000), runs the quickstart trial on each for
# DAYS days (default 7; 2 arms: BB and PID in the loop, CGM, random meals,
# streaming endpoints, no warm-up, no trajectories), and times `bench physio` on
# the same machine right before: twins/s, patient-days/s per core, peak memory.
#   scripts/bench-trial.sh [--days D] [--build DIR] [N ...]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
build=$repo/build days=7 sizes=()
while [ $# -gt 0 ]; do
  case $1 in
    --days) days=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    *) sizes+=("$1"); shift ;;
  esac
done
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
tw=$build/twinscale
threads=${OMP_NUM_THREADS:-$(nproc)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "machine: $(nproc) cores, $threads threads; $(date -u +%FT%TZ); commit $(git -C "$repo" rev-parse --short HEAD)"
"$tw" bench physio --twins 10000 --days 1 --threads "$threads" | grep -E "float64  cgm-noise|^bench"
for n in "${sizes[@]}"; do
  "$tw" cohort generate "$repo/configs/cohort-t1d.yaml" --set size="$n" -o "$work/c$n.h5" >/dev/null
  /usr/bin/time -f "%e %M" -o "$work/time" "$tw" trial "$repo/configs/quickstart.yaml" \
    --set twins.cohort="$work/c$n.h5" --set warmup_min=0 --set duration_min=$((days * 1440)) \
    --set output.trajectories.twins=0 --set output.summary="$work/s.json" --set output.report="$work/r.html" \
    -o "$work/t$n.h5" >/dev/null 2>"$work/err" || { cat "$work/err"; exit 1; }
  read -r secs kb <"$work/time"
  awk -v n="$n" -v d="$days" -v s="$secs" -v kb="$kb" -v th="$threads" 'BEGIN {
    pd = 2 * n * d / s
    printf "trial %7d twins x 2 arms x %d days: %8.1f s, %8.1f twins/s, %8.1f patient-days/s (%.1f per core), peak %.0f MB\n",
           n, d, s, n / s, pd, pd / th, kb / 1024 }'
done
