#!/usr/bin/env bash
# compare-simglucose.sh: twinscale's t1d pack against simglucose's T1DPatient, same
# run, same machine: patient-days per second per core and their ratio.
#
#   scripts/compare-simglucose.sh [BUILD_DIR]     (default: build)
#
# simglucose (PyPI) is installed with pip into a private directory
# (${TW_PYSITE:-~/.cache/twinscale/pysite}), never into the user or system
# site-packages, and used through PYTHONPATH. T1DPatient is timed two ways:
#   as installed  - its parameters are a pandas Series, read attribute by attribute
#                   at every RHS call (slow with pandas >= 2);
#   plain params  - the same numbers in a SimpleNamespace (about 2 s per patient-day,
#                   the figure usually quoted); the ratio claimed is against this one.
# Workload on both sides: one day, three meals with boluses, basal, inputs held per
# minute; twinscale uses one thread (per core), RK4 at 1 step per minute (within
# 0.25 mg/dL of simglucose, tests/physio/test_t1d_reference.c).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${1:-$ROOT/build}"
SITE="${TW_PYSITE:-$HOME/.cache/twinscale/pysite}"
PY="${PYTHON:-python3}"
if ! PYTHONPATH="$SITE" "$PY" -c "import simglucose" 2>/dev/null; then
  echo "installing simglucose into $SITE (pip --target)"
  "$PY" -m pip install --quiet --target "$SITE" simglucose
fi

PYTHONPATH="$SITE" "$PY" - <<'PY' > /tmp/tw_simglucose_time.$$
import time, types
from simglucose.patient.t1dpatient import Action, T1DPatient

MEALS = {420: 50, 720: 70, 1110: 80}
BOLUS = {420: 4.0, 720: 6.0, 1110: 7.0}

def day(p, minutes=1440):
    basal = p._params.u2ss * p._params.BW / 6000.0
    for t in range(minutes):
        p.step(Action(CHO=MEALS.get(t, 0), insulin=basal + BOLUS.get(t, 0.0)))

def plain(p):
    p._params = types.SimpleNamespace(**{k: (v if k == "Name" else float(v)) for k, v in p._params.items()})
    return p

names = ["adolescent#001", "adult#001", "child#001"]
t = time.perf_counter()
for n in names:
    day(plain(T1DPatient.withName(n)))
plain_s = (time.perf_counter() - t) / len(names)
t = time.perf_counter()
day(T1DPatient.withName("adult#001"), minutes=360)   # a quarter day: it is slow
asis_s = (time.perf_counter() - t) * 4.0
print(f"{plain_s} {asis_s}")
PY
read -r PLAIN ASIS < /tmp/tw_simglucose_time.$$
rm -f /tmp/tw_simglucose_time.$$

OUT="$("$BUILD/twinscale" bench physio --threads 1 --twins 3840)"
echo "$OUT"
F32=$(echo "$OUT" | awk '/float32 +no-sensor/ {print $7}')
F32C=$(echo "$OUT" | awk '/float32 +cgm-noise/ {print $7}')
F64=$(echo "$OUT" | awk '/float64 +no-sensor/ {print $7}')
awk -v p="$PLAIN" -v a="$ASIS" -v f="$F32" -v fc="$F32C" -v d="$F64" 'BEGIN {
  printf "simglucose T1DPatient: %.3f s per patient-day (plain params), %.1f s (as installed, 1/4 day x 4)\n", p, a
  printf "twinscale float32: %.0f patient-days/s per core -> %.0fx simglucose (plain params), %.0fx (as installed)\n", f, f * p, f * a
  printf "twinscale float32 with CGM noise: %.0f per core -> %.0fx (plain params)\n", fc, fc * p
  printf "twinscale float64: %.0f per core -> %.0fx (plain params)\n", d, d * p
}'
