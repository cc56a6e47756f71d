#!/usr/bin/env bash
# scripts/gpu-check.sh: build the kernels-only configuration on a GPU machine, run
# the gpu tests and the GPU benchmarks, and print a summary table last.
#
# Needs a C compiler, CMake >= 3.25 and the CUDA toolkit; nothing from Debian
# (no OpenBLAS, MPI or HDF5; libyaml is used if present, never required). Made
# to finish within 8 minutes on one H100: every step has a time limit and the
# whole run a budget; a step that would not fit is skipped and says so.
#
#   scripts/gpu-check.sh                      # from the repository root
#
# Environment:
#   TW_CUDA_ARCHITECTURES  CMAKE_CUDA_ARCHITECTURES for the build (default 90: H100)
#   TW_GPU_CHECK_BUDGET    seconds for the whole run (default 450)
#   TW_GPU_CHECK_BUILD     build directory (default build-gpu)
#   OUT                    if set, logs go to $OUT/gpu-check/ (else <build>/gpu-check-logs/)
#   PYTHON                 Python with PyTorch for compare-pytorch.sh (default python3)
#
# Steps: configure, build, `twinscale version`, `ctest -L gpu`, `twinscale bench
# gemm --backend cuda` in each math mode and in float64, `bench physio` and
# `bench nn` with --backend cuda where `twinscale --help` lists them and they take
# --backend, and
# scripts/compare-pytorch.sh --backend cuda where it exists and PyTorch imports.
# A benchmark's headline is the last line it prints.
#
# Exit status: 0 when everything ran and passed; 1 otherwise (a failed build,
# test or benchmark, a step out of time, or no GPU visible).
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1
build=${TW_GPU_CHECK_BUILD:-build-gpu}
budget=${TW_GPU_CHECK_BUDGET:-450}
arch=${TW_CUDA_ARCHITECTURES:-90}
python=${PYTHON:-python3}
if [[ -n "${OUT:-}" ]]; then logs=$OUT/gpu-check; else logs=$build/gpu-check-logs; fi
mkdir -p "$logs"
jobs=$(nproc 2>/dev/null || echo 4)

rows=()      # summary table: "step|status|seconds|headline"
failed=0

# run_step NAME LIMIT_S CMD...: runs CMD with its output shown and logged to
# $logs/NAME.log, within min(LIMIT_S, what is left of the budget); records a row.
run_step() {
  local name=$1 limit=$2
  shift 2
  local left=$((budget - SECONDS - 5))
  if ((left < 10)); then
    echo "== $name: skipped, out of time (budget ${budget}s)"
    rows+=("$name|skipped (time)|0|")
    failed=1
    return 124
  fi
  ((limit > left)) && limit=$left
  echo "== $name (limit ${limit}s): $*"
  local t0=$SECONDS
  timeout --kill-after=10 "$limit" "$@" 2>&1 | tee "$logs/$name.log"
  local rc=${PIPESTATUS[0]} status=ok
  if ((rc == 124 || rc == 137)); then status="timed out"; elif ((rc != 0)); then status="failed ($rc)"; fi
  [[ $status == ok ]] || failed=1
  local headline
  headline=$(grep -v '^[[:space:]]*$' "$logs/$name.log" | tail -n 1 | cut -c1-90)
  rows+=("$name|$status|$((SECONDS - t0))|$headline")
  return "$rc"
}

# set_row STATUS HEADLINE: replaces the status and headline of the last row.
set_row() {
  local name secs
  name=$(cut -d'|' -f1 <<<"${rows[-1]}")
  secs=$(cut -d'|' -f3 <<<"${rows[-1]}")
  rows[-1]="$name|$1|$secs|$2"
}

print_summary() {
  {
    echo
    echo "gpu-check summary ($(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown), ${SECONDS}s of ${budget}s)"
    printf '%-22s %-15s %5s  %s\n' step status s headline
    local r name status secs headline
    for r in "${rows[@]}"; do
      IFS='|' read -r name status secs headline <<<"$r"
      printf '%-22s %-15s %5s  %s\n' "$name" "$status" "$secs" "$headline"
    done
    echo "logs: $logs"
  } | tee "$logs/summary.txt"
}

run_step configure 90 cmake -S . -B "$build" -DTW_MPI=OFF -DTW_HDF5=OFF -DTW_BLAS=OFF -DTW_CUDA=ON \
  -DCMAKE_CUDA_ARCHITECTURES="$arch" &&
  run_step build 240 cmake --build "$build" -j"$jobs"
if ((failed)); then
  print_summary
  exit 1
fi
tw=$(cd "$build" && pwd)/twinscale

run_step version 20 "$tw" version
devices=$(awk '/^CUDA devices:/{on=1; next} on' "$logs/version.log")
if [[ -z "$devices" ]]; then
  echo "gpu-check: no CUDA device is visible; the gpu tests will skip and no benchmark can run"
  set_row "no GPU" "CUDA devices: none found"
  failed=1
else
  set_row ok "$(head -n 1 <<<"$devices")"
fi

# ctest counts a test that exits 77 as skipped (SKIP_RETURN_CODE).
run_step ctest-gpu 150 ctest --test-dir "$build" -L gpu --output-on-failure --timeout 120
passed=$(grep -cE 'Test +#[0-9]+: .* Passed' "$logs/ctest-gpu.log")
skipped=$(grep -cE 'Test +#[0-9]+: .*\*\*\*Skipped' "$logs/ctest-gpu.log")
total=$(grep -cE 'Test +#[0-9]+: ' "$logs/ctest-gpu.log")
counts="passed $passed, failed $((total - passed - skipped)), skipped $skipped of $total"
if ((skipped > 0 || total == 0)); then
  # On a GPU machine every gpu test must run: a skip is a failure of the check.
  set_row "not all ran" "$counts"
  failed=1
else
  set_row "$(cut -d'|' -f2 <<<"${rows[-1]}")" "$counts"
fi

if [[ -n "$devices" ]]; then
  run_step gemm-f32-fp32 60 "$tw" bench gemm --backend cuda
  run_step gemm-f32-tf32 60 "$tw" bench gemm --backend cuda --math tf32
  run_step gemm-f32-bf16 60 "$tw" bench gemm --backend cuda --math bf16
  run_step gemm-f64 60 "$tw" bench gemm --backend cuda --dtype f64
  # A benchmark runs here once it exists and takes --backend.
  for what in physio nn; do
    if ! "$tw" --help | grep -qE "^ +bench $what "; then
      rows+=("bench-$what|absent|0|not in this build's twinscale --help")
    elif ! "$tw" bench "$what" --help | grep -q -- "--backend"; then
      rows+=("bench-$what|not run|0|bench $what has no --backend option yet")
    else
      run_step "bench-$what" 90 "$tw" bench "$what" --backend cuda
    fi
  done
  if [[ -x scripts/compare-pytorch.sh ]] && "$python" -c 'import torch' 2>/dev/null; then
    run_step compare-pytorch 120 env TWINSCALE="$tw" PYTHON="$python" scripts/compare-pytorch.sh --backend cuda
  fi
fi

print_summary
exit "$failed"
