#!/usr/bin/env bash
# scripts/test.sh: the whole test suite, as CI runs it, on a fresh Debian 12 machine.
#
#   1. installs missing dependencies (scripts/setup.sh);
#   2. configures and builds with warnings as errors; where the CUDA toolkit is
#      installed the CUDA code is compiled and linked too (nothing runs it here);
#   3. runs every ctest label: unit, mpi (2 and 4 ranks), validation, gpu
#      (gpu tests skip, exit 77, where there is no GPU), emu (every CUDA kernel
#      under the host emulation of the CUDA runtime, tests/cuda_emu/), slurm
#      (a throwaway single-node Slurm runs scripts/slurm/: needs root or sudo);
#   4. runs scripts/gpu-check.sh --dry-run (its kernels-only build and every
#      check that needs no GPU), so the GPU check's own bugs show here;
#   5. builds an AddressSanitizer + UndefinedBehaviorSanitizer configuration
#      (CPU only) and runs the unit tests in it.
# Build trees: build-test/, build-gpu/ and build-asan/ (TW_BUILD_PREFIX changes the prefix).
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${TW_BUILD_PREFIX:-build}
jobs=$(nproc)
start=$(date +%s)

bash scripts/setup.sh

echo "== configure and build (warnings as errors)"
cmake -S . -B "$prefix-test" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTW_WERROR=ON >"$prefix-test.configure.log" \
  || { cat "$prefix-test.configure.log"; exit 1; }
grep "twinscale:" "$prefix-test.configure.log"
cmake --build "$prefix-test" -j "$jobs"

echo "== ctest (all labels)"
(cd "$prefix-test" && ctest --output-on-failure -j "$jobs" --timeout 900)

echo "== scripts/gpu-check.sh --dry-run"
TW_GPU_CHECK_BUILD="$prefix-gpu" bash scripts/gpu-check.sh --dry-run

echo "== AddressSanitizer + UndefinedBehaviorSanitizer: unit tests"
cmake -S . -B "$prefix-asan" -DCMAKE_BUILD_TYPE=Debug -DTW_SANITIZE=ON -DTW_CUDA=OFF -DTW_WERROR=ON >/dev/null
cmake --build "$prefix-asan" -j "$jobs"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
if [[ -f tests/lsan.supp ]]; then export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp; fi
(cd "$prefix-asan" && ctest --output-on-failure -j "$jobs" -L unit --timeout 900)

echo "== test suite passed in $(( $(date +%s) - start )) s"
