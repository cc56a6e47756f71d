#!/usr/bin/env bash
# endpoints_recompute.sh: the streamed endpoints of real trials equal those
# recomputed in numpy from the saved 1-minute trajectories
# (ctest trial_endpoints_recompute; validation/trial_endpoints_check.py).
#
#   endpoints_recompute.sh TWINSCALE CONFIG CHECKER OUTDIR
#
# Runs the trial CONFIG (tests/data/trial/small.yaml) three times, keeping the
# 1-minute trajectories of every twin: a crossover with the glucose endpoints
# on bg, the same as a parallel trial (NaN outside each twin's arm), and the
# crossover with `endpoints.glucose: cgm` (Dexcom: a sample every 3 min). Each
# file must pass CHECKER (every endpoint to 1e-12 relative, counts exact).
# Two negative controls show the checker can fail: the cgm file checked with
# the wrong sample time (5 min), and a file checked without the definition of
# its user threshold, must both be refused (exit 1).
# Skips (77) without Debian's python3 with numpy and h5py.
set -u
ts=$1
config=$2
check=$3
out=$4
py() { env -i PATH=/usr/bin:/bin /usr/bin/python3 -s "$@"; }

[ -x /usr/bin/python3 ] || { echo "SKIP: no /usr/bin/python3"; exit 77; }
py -c 'import numpy, h5py' 2>/dev/null || { echo "SKIP: /usr/bin/python3 lacks numpy or h5py (python3-numpy, python3-h5py)"; exit 77; }
rm -rf "$out"
mkdir -p "$out"
cd "$out" || exit 1
fail=0
all="--set output.trajectories.twins=1000000 --set output.trajectories.every_min=1"
thr="--threshold pct_bg_above_140:above:140"

run() { # NAME SET...
  local name=$1
  shift
  timeout 300 "$ts" trial "$config" -o "$name.h5" $all "$@" >"$name.out" 2>"$name.err" ||
    { echo "FAIL: trial $name: exit $?: $(cat "$name.err")"; fail=1; }
}
run crossover_bg
run parallel_bg --set 'design={type: parallel, ratios: [1, 1], block_size: 2}'
run crossover_cgm --set endpoints.glucose=cgm

for name in crossover_bg parallel_bg crossover_cgm; do
  echo "== $name"
  py "$check" "$name.h5" $thr --cgm-every 3 || { echo "FAIL: $name: streamed endpoints differ"; fail=1; }
done

echo "== negative controls (each must be refused)"
py "$check" crossover_cgm.h5 $thr --cgm-every 5 >neg1.log
rc=$?
[ $rc = 1 ] || { echo "FAIL: the cgm file checked at 5 min strides: exit $rc, expected 1"; fail=1; }
grep -m2 FAIL neg1.log | sed "s/^/  as expected: /"
py "$check" crossover_bg.h5 >neg2.log
rc=$?
[ $rc = 1 ] || { echo "FAIL: an endpoint the checker cannot recompute: exit $rc, expected 1"; fail=1; }
grep -m1 FAIL neg2.log | sed "s/^/  as expected: /"
exit $fail
