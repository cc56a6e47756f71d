#!/usr/bin/env bash
# scripts/validate.sh: live validation on demand. Installs the scientific
# references, reruns every script of validation/ against them, and compares
# what they write with the fixtures committed in tests/data/.
#
#   scripts/validate.sh [--build DIR] [--keep] [--no-install]
#
# Why: the ctests (label `validation`) compare twinscale with fixtures that
# simglucose, scipy and PyTorch wrote once; this shows that the fixtures
# themselves still come out of the references, so the tests keep meaning what
# they say. Works from a fresh clone on Debian 12 with Debian and PyPI reachable.
#
# References:
#   Debian (apt-get, as root or through sudo; only what is missing):
#     python3-torch python3-scipy python3-numpy python3-h5py python3-venv python3-pip
#     hdf5-tools (h5dump, h5diff: the cohort import check)
#   PyPI, into a virtual environment validation/.venv (git-ignored, never the
#     system's site-packages): simglucose==0.2.11, the version every simglucose
#     fixture came from (tests/data/physio/cgm_noise_moments.csv,
#     data/simglucose/README.md), with the dependencies pip chooses for it.
#   PyPI, into a second virtual environment validation/.venv-stats (git-ignored,
#     no system site-packages), pinned: scipy, statsmodels, lifelines, numpy,
#     pandas, mpmath at the versions tests/data/stats/reference.txt names
#     (STATS_PINS below, and why).
# Scripts (Debian's Python runs with -s in a clean environment, as ctest does,
# so that no other numpy is picked up; simglucose's run in the venv):
#   fixture writers, regenerated into a temporary directory and compared by
#     validation/compare_fixtures.py (measures and tolerances are stated there):
#       t1d_simglucose.py   -> physio/t1d_reference_bg.f32   (venv, ~4 min)
#       t1d_cgm_spline.py   -> physio/cgm_spline.csv, physio/cgm_noise_moments.csv (venv)
#       t1d_bb_closed_loop.py -> physio/bb_closed_loop.csv  (venv)
#       t1d_bb_closed_loop.py --controller pid -> physio/pid_closed_loop.csv (venv)
#       pbpk_expm.py        -> pbpk/expm_reference.txt        (Debian scipy)
#       grt_make_fixtures.py-> nn/grt_*.bin                   (Debian torch)
#       grt_per_example.py  -> nn/grt_*_pe.bin (per-example gradients; Debian torch)
#       stats_reference.py  -> stats/reference.txt            (.venv-stats)
#       endpoints_reference.py -> endpoints/endpoints_reference.txt (Debian numpy)
#       trial_analysis_reference.py -> trial/analysis_data.txt,
#                              trial/analysis_reference.txt  (.venv-stats)
#   live checks against a twinscale build (DIR, default build/; skipped with a
#     note when DIR has no twinscale binary):
#       grt_roundtrip.py     PyTorch <-> `twinscale nn forward|grad|init`
#       h5_read_with_h5py.py through ctest (io_h5_collective_np4 writes the file)
#       trial_endpoints_check.py through tests/trial/endpoints_recompute.sh: the
#         trial tests/data/trial/small.yaml (crossover on bg, parallel, crossover
#         with endpoints.glucose=cgm) with every 1-minute trajectory kept; the
#         streamed endpoints against numpy's, and two negative controls
#       tests/cohort/import_check.py through tests/cohort/cohort_import_cli.sh:
#         `cohort import` of tests/data/synthea against synthea_expected.py's
#         tables, the privacy scan, imputation against its own computation
#   grt_bench_torch.py: a benchmark, no fixture; run once, small, to show it runs.
#   grt_model.py: the module the GRT scripts import.
# --keep leaves the temporary directory; --no-install uses what is installed.
# Exit: 0 all reproduced and every live check passed, 1 otherwise, 2 usage.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="$ROOT/build"
KEEP=0
INSTALL=1
SIMGLUCOSE=simglucose==0.2.11
# The statistics references get their own venv: adding statsmodels and lifelines
# to simglucose's would let pip move the numpy, scipy and pandas that the
# simglucose fixtures came from. Pinned to the versions that wrote
# tests/data/stats/reference.txt (scipy 1.10.1 is also Debian 12's); with them
# stats/reference.txt comes out bit for bit and trial/analysis_reference.txt
# (written with scipy 1.17.1, numpy 2.4.6, mpmath 1.3.0) within 1e-14. Not
# scipy 1.17.1: its t.cdf(1e-8, df=1) is 0.500000004743187, the exact value
# (0.5 + atan(1e-8)/pi, mpmath) 0.50000000318309886, which the fixture holds:
# 3.1e-9 relative, over the 1e-9 tolerance.
STATS_PINS=(numpy==1.26.4 scipy==1.10.1 statsmodels==0.15.0 lifelines==0.30.3 pandas==2.3.3 mpmath==1.2.1)
while (($#)); do
  case "$1" in
    --build) BUILD="$(cd "$2" && pwd)"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --no-install) INSTALL=0; shift ;;
    -h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "validate: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

VENV="$ROOT/validation/.venv"
STATS_VENV="$ROOT/validation/.venv-stats"
SYSPY=(env -i PATH=/usr/bin:/bin HOME="$HOME" /usr/bin/python3 -s)
STATSPY=(env -i PATH=/usr/bin:/bin HOME="$HOME" "$STATS_VENV/bin/python")
OUT="$(mktemp -d "${TMPDIR:-/tmp}/twinscale-validate.XXXXXX")"
if ((KEEP)); then echo "validate: regenerated fixtures in $OUT"; else trap 'rm -rf "$OUT"' EXIT; fi
FAILED=()

install_debian() {
  local want=(python3 python3-venv python3-pip python3-numpy python3-scipy python3-torch python3-h5py hdf5-tools)
  local missing=() p
  for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]} == 0)); then echo "validate: Debian references present (${want[*]})"; return; fi
  echo "validate: apt-get install ${missing[*]}"
  local sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

install_simglucose() {
  [[ -x "$VENV/bin/python" ]] || /usr/bin/python3 -m venv "$VENV"
  local have
  have="$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("simglucose"))' 2>/dev/null || true)"
  if [[ "$have" != "${SIMGLUCOSE#*==}" ]]; then
    echo "validate: pip install $SIMGLUCOSE into $VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$SIMGLUCOSE"
  fi
}

install_stats() {
  [[ -x "$STATS_VENV/bin/python" ]] || /usr/bin/python3 -m venv "$STATS_VENV"
  echo "validate: pip install ${STATS_PINS[*]} into $STATS_VENV (nothing when present)"
  "$STATS_VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${STATS_PINS[@]}"
}

# step NAME COMMAND...: runs one script, its output indented, and records a failure.
step() {
  local name="$1" t0=$SECONDS
  shift
  echo "== $name"
  if "$@" 2>&1 | sed 's/^/   /'; then
    echo "   ($((SECONDS - t0)) s)"
  else
    echo "   FAILED ($((SECONDS - t0)) s)"
    FAILED+=("$name")
  fi
}

if ((INSTALL)); then install_debian; install_simglucose; install_stats; fi
versions() {
  "${SYSPY[@]}" -c 'import numpy, scipy, torch, h5py; print("Debian: numpy", numpy.__version__, "scipy", scipy.__version__, "torch", torch.__version__, "h5py", h5py.__version__)'
  "$VENV/bin/python" -c 'import importlib.metadata as m; print("venv: simglucose", m.version("simglucose"), "numpy", m.version("numpy"), "scipy", m.version("scipy"), "pandas", m.version("pandas"))'
  "${STATSPY[@]}" -c 'import importlib.metadata as m; print(".venv-stats:", *(f"{p} {m.version(p)}" for p in ("scipy", "statsmodels", "lifelines", "numpy", "pandas", "mpmath")))'
}
step "reference versions" versions

V="$ROOT/validation"
mkdir -p "$OUT/physio"
step "t1d_simglucose.py (simglucose T1DPatient, 4 scenarios x 30 patients x 1 day)" \
  "$VENV/bin/python" "$V/t1d_simglucose.py" --out "$OUT/physio/t1d_reference_bg.f32"
step "t1d_cgm_spline.py --moments (scipy interp1d, simglucose CGMNoise)" \
  "$VENV/bin/python" "$V/t1d_cgm_spline.py" --moments --out "$OUT/physio"
step "t1d_bb_closed_loop.py (simglucose T1DSimEnv + BBController, noise-free Dexcom, 3 patients x 1 day)" \
  "$VENV/bin/python" "$V/t1d_bb_closed_loop.py" --out "$OUT/physio/bb_closed_loop.csv"
step "t1d_bb_closed_loop.py --controller pid (simglucose T1DSimEnv + PIDController, example gains)" \
  "$VENV/bin/python" "$V/t1d_bb_closed_loop.py" --controller pid --out "$OUT/physio/pid_closed_loop.csv"
step "pbpk_expm.py (scipy.linalg.expm)" "${SYSPY[@]}" "$V/pbpk_expm.py" --out "$OUT/pbpk/expm_reference.txt"
step "grt_make_fixtures.py (PyTorch float64 forward and autograd)" \
  "${SYSPY[@]}" "$V/grt_make_fixtures.py" --out "$OUT/nn"
step "grt_per_example.py (PyTorch float64 per-example gradients, twin by twin)" \
  "${SYSPY[@]}" "$V/grt_per_example.py" --src "$OUT/nn" --out "$OUT/nn"
step "grt_bench_torch.py (smoke run, B=32 T=4)" \
  "${SYSPY[@]}" "$V/grt_bench_torch.py" --batch 32 --steps 4 --repeats 1 --threads 1
step "stats_reference.py (scipy, statsmodels, lifelines, mpmath: every statistic and edge case)" \
  "${STATSPY[@]}" "$V/stats_reference.py" --out "$OUT/stats/reference.txt"
step "endpoints_reference.py (numpy, every endpoint from whole traces)" \
  "${SYSPY[@]}" "$V/endpoints_reference.py" --out "$OUT/endpoints/endpoints_reference.txt"
step "trial_analysis_reference.py (the expected summary.json of five trials)" \
  "${STATSPY[@]}" "$V/trial_analysis_reference.py" --out "$OUT/trial"
step "compare_fixtures.py (committed tests/data vs regenerated)" \
  "${SYSPY[@]}" "$V/compare_fixtures.py" "$ROOT/tests/data" "$OUT"

if [[ -x "$BUILD/twinscale" ]]; then
  step "grt_roundtrip.py against $BUILD/twinscale" "${SYSPY[@]}" "$V/grt_roundtrip.py" --twinscale "$BUILD/twinscale"
  if [[ -x "$BUILD/tests/io/io_h5_collective" ]]; then
    step "h5_read_with_h5py.py (ctest io_h5_collective_np4, io_h5_read_with_h5py)" \
      ctest --test-dir "$BUILD" --output-on-failure -R '^(io_h5_collective_np4|io_h5_read_with_h5py)$'
  fi
  step "trial_endpoints_check.py on tests/data/trial/small.yaml (tests/trial/endpoints_recompute.sh)" \
    bash "$ROOT/tests/trial/endpoints_recompute.sh" "$BUILD/twinscale" "$ROOT/tests/data/trial/small.yaml" \
    "$V/trial_endpoints_check.py" "$OUT/trial_live"
  step "import_check.py on tests/data/synthea (tests/cohort/cohort_import_cli.sh)" \
    bash "$ROOT/tests/cohort/cohort_import_cli.sh" "$BUILD/twinscale" "$ROOT"
  LIVE="every live check passed"
else
  echo "== live checks skipped: no twinscale in $BUILD (scripts/setup.sh; cmake -S . -B build; cmake --build build; or --build DIR)"
  LIVE="live checks skipped (no build)"
fi

echo
if ((${#FAILED[@]})); then
  printf 'validate: FAILED: %s\n' "${FAILED[@]}"
  exit 1
fi
echo "validate: every fixture reproduced; $LIVE"
