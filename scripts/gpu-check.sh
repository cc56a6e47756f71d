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
#   scripts/gpu-check.sh --dry-run            # everything that needs no GPU (CI runs it)
#   scripts/gpu-check.sh --fetch-deps         # here, with Debian's apt: libyaml into .gpu-deps/
#
# libyaml: without it the config commands, and so the gpu test run_sim_cuda (the
# run engine's chunk on the GPU), are not built, and the check reports that test
# as skipped. A GPU machine without Debian's packages can be given them:
# --fetch-deps downloads libyaml's Debian packages into .gpu-deps/ (git-ignored);
# carry that folder to the GPU machine and every run unpacks each .deb found
# there into <build>/deps (dpkg -x, never into /), points pkg-config and the
# loader at it, and builds with libyaml.
#
# --dry-run configures and builds the same kernels-only configuration (with CUDA
# where nvcc is found, else without it, saying so), runs `twinscale version`,
# lists the gpu tests, checks every tool, path and option the real run uses
# (each benchmark's --help, scripts/compare-pytorch.sh --dry-run with the same
# TWINSCALE it would get) and prints every command the real run would add; its
# exit status is 0 when all of that passed. Its build limits are generous
# (TW_GPU_CHECK_BUDGET default 3600 s) since CI machines have few cores; reuse
# of the build directory keeps repeated dry runs cheap.
#
# Environment:
#   TW_CUDA_ARCHITECTURES  CMAKE_CUDA_ARCHITECTURES for the build (default 90: H100)
#   TW_GPU_CHECK_BUDGET    seconds for the whole run (default 450)
#   TW_GPU_CHECK_BUILD     build directory (default build-gpu)
#   OUT                    if set, logs go to $OUT/gpu-check/ (else <build>/gpu-check-logs/)
#   PYTHON                 Python with PyTorch for compare-pytorch.sh (default python3)
#   TW_GPU_CHECK_DRY_CUDA  --dry-run only: ON (default where nvcc is found) or OFF
#
# Steps: configure, build, `twinscale version`, `ctest -L gpu`, `twinscale bench
# gemm --backend cuda` in each math mode and in float64, `bench physio` (a
# million twins),
# `bench nn` and `bench gan` with --backend cuda where `twinscale --help` lists
# them and they take --backend, and
# scripts/compare-pytorch.sh --backend cuda where it exists and PyTorch imports.
# A benchmark's headline is the last line it prints.
#
# Exit status: 0 when everything ran and passed; 1 otherwise (a failed build,
# test or benchmark, a step out of time, or no GPU visible).
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1
dry=0
for arg in "$@"; do
  case "$arg" in
    --dry-run) dry=1 ;;
    --fetch-deps)
      mkdir -p .gpu-deps && (cd .gpu-deps && apt-get download libyaml-0-2 libyaml-dev) || exit 1
      debs=(.gpu-deps/*.deb)
      echo "gpu-check: ${#debs[@]} packages in .gpu-deps/; carry .gpu-deps to the GPU machine"
      exit 0 ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d'; exit 0 ;;
    *) echo "gpu-check.sh: unknown option $arg (expected --dry-run or --fetch-deps)" >&2; exit 2 ;;
  esac
done
build=${TW_GPU_CHECK_BUILD:-build-gpu}
if ((dry)); then budget=${TW_GPU_CHECK_BUDGET:-3600}; build_limit=1800; else budget=${TW_GPU_CHECK_BUDGET:-450}; build_limit=240; fi
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

# gpu_step NAME LIMIT_S CMD...: a step that needs a GPU; under --dry-run it is
# printed, not run, and its row says so.
gpu_step() {
  if ((dry)); then
    echo "== $1 (limit $2s): would run: ${*:3}"
    rows+=("$1|dry-run|0|would run: ${*:3}")
    return 0
  fi
  run_step "$@"
}

# need_option NAME HELP_CMD... -- OPTIONS...: under --dry-run, checks that a
# command's --help lists every option the real run passes it; records a row.
need_option() {
  local name=$1 help missing=()
  shift
  local cmd=()
  while [[ $1 != -- ]]; do cmd+=("$1"); shift; done
  shift
  help=$("${cmd[@]}" 2>&1) || { rows+=("$name|failed|0|${cmd[*]} failed"); failed=1; return 1; }
  for o in "$@"; do grep -q -- "$o" <<<"$help" || missing+=("$o"); done
  if ((${#missing[@]})); then
    rows+=("$name|failed|0|${cmd[*]} lacks ${missing[*]}")
    failed=1
    return 1
  fi
  rows+=("$name|ok|0|${cmd[*]} takes $*")
}

# use_carried_deps: unpacks .gpu-deps/*.deb (from --fetch-deps) into $build/deps,
# rewrites their pkg-config prefix and points pkg-config and the loader there.
use_carried_deps() {
  local debs=(.gpu-deps/*.deb) root pc
  [[ -e ${debs[0]} ]] || return 0
  root=$(mkdir -p "$build/deps" && cd "$build/deps" && pwd)
  for d in "${debs[@]}"; do dpkg -x "$d" "$root" || { echo "gpu-check: cannot unpack $d"; return 1; }; done
  for pc in "$root"/usr/lib/*/pkgconfig/*.pc; do sed -i "s|^prefix=.*|prefix=$root/usr|" "$pc"; done
  PKG_CONFIG_PATH=$(dirname "$pc")${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
  LD_LIBRARY_PATH=$(dirname "$(dirname "$pc")")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  export PKG_CONFIG_PATH LD_LIBRARY_PATH
  echo "gpu-check: ${#debs[@]} carried packages unpacked into $root"
}
use_carried_deps || exit 1

cuda=ON
if ((dry)); then
  missing=()
  for t in cmake ctest timeout tee awk sed grep cut git nproc date; do
    command -v "$t" >/dev/null || missing+=("$t")
  done
  if ((${#missing[@]})); then rows+=("tools|failed|0|missing: ${missing[*]}"); failed=1; else rows+=("tools|ok|0|all found"); fi
  cuda=${TW_GPU_CHECK_DRY_CUDA:-$(command -v nvcc >/dev/null || [[ -x /usr/local/cuda/bin/nvcc ]] && echo ON || echo OFF)}
  [[ $cuda == ON ]] || echo "gpu-check: --dry-run with -DTW_CUDA=OFF (no nvcc found, or TW_GPU_CHECK_DRY_CUDA=OFF); the real run needs the CUDA toolkit"
fi
# The emulated CUDA tests (label emu) are for machines without a GPU: left out.
run_step configure 90 cmake -S . -B "$build" -DTW_MPI=OFF -DTW_HDF5=OFF -DTW_BLAS=OFF -DTW_CUDA="$cuda" \
  -DTW_CUDA_EMU=OFF -DCMAKE_CUDA_ARCHITECTURES="$arch" &&
  run_step build "$build_limit" cmake --build "$build" -j"$jobs"
if ((failed)); then
  print_summary
  exit 1
fi
tw=$(cd "$build" && pwd)/twinscale

run_step version 20 "$tw" version
devices=$(awk '/^CUDA devices:/{on=1; next} on' "$logs/version.log")
if ((dry)); then
  set_row "$(cut -d'|' -f2 <<<"${rows[-1]}")" "devices: ${devices:-none (expected in a dry run)}"
elif [[ -z "$devices" ]]; then
  echo "gpu-check: no CUDA device is visible; the gpu tests will skip and no benchmark can run"
  set_row "no GPU" "CUDA devices: none found"
  failed=1
else
  set_row ok "$(head -n 1 <<<"$devices")"
fi

# ctest counts a test that exits 77 as skipped (SKIP_RETURN_CODE). On a GPU
# machine every gpu test must run: a skip is a failure of the check.
run_gpu_tests() {
  run_step ctest-gpu 150 ctest --test-dir "$build" -L gpu --output-on-failure --timeout 120
  local log=$logs/ctest-gpu.log passed skipped total counts
  passed=$(grep -cE 'Test +#[0-9]+: .* Passed' "$log")
  skipped=$(grep -cE 'Test +#[0-9]+: .*\*\*\*Skipped' "$log")
  total=$(grep -cE 'Test +#[0-9]+: ' "$log")
  counts="passed $passed, failed $((total - passed - skipped)), skipped $skipped of $total"
  if ((skipped > 0 || total == 0)); then
    set_row "not all ran" "$counts"
    failed=1
  else
    set_row "$(cut -d'|' -f2 <<<"${rows[-1]}")" "$counts"
  fi
}

# --dry-run: the gpu tests must at least be there.
list_gpu_tests() {
  run_step ctest-gpu-list 30 ctest --test-dir "$build" -N -L gpu
  local n
  n=$(grep -cE '^ +Test +#[0-9]+: ' "$logs/ctest-gpu-list.log")
  if ((n == 0)); then set_row failed "no gpu tests listed"; failed=1; else set_row ok "$n gpu tests listed"; fi
  gpu_step ctest-gpu 150 ctest --test-dir "$build" -L gpu --output-on-failure --timeout 120
}

if ((dry)); then list_gpu_tests; else run_gpu_tests; fi

if [[ -n "$devices" ]] || ((dry)); then
  ((dry)) && need_option gemm-options "$tw" bench gemm --help -- --backend --math --dtype
  gpu_step gemm-f32-fp32 60 "$tw" bench gemm --backend cuda
  gpu_step gemm-f32-tf32 60 "$tw" bench gemm --backend cuda --math tf32
  gpu_step gemm-f32-bf16 60 "$tw" bench gemm --backend cuda --math bf16
  gpu_step gemm-f64 60 "$tw" bench gemm --backend cuda --dtype f64
  # A benchmark runs here once it exists and takes --backend. bench physio's
  # default 3,840 twins time launches and copies on a GPU: a million fill it
  # (about 4 s in float32 and 7 s in float64 on an H200, 4 Dec 2026).
  declare -A extra=([physio]="--twins 1000000")
  for what in physio nn gan; do
    if ! "$tw" --help | grep -qE "^ +bench $what "; then
      rows+=("bench-$what|absent|0|not in this build's twinscale --help")
    elif ! "$tw" bench "$what" --help | grep -q -- "--backend"; then
      rows+=("bench-$what|not run|0|bench $what has no --backend option yet")
    else
      # shellcheck disable=SC2086 # extra holds separate words
      gpu_step "bench-$what" 90 "$tw" bench "$what" --backend cuda ${extra[$what]:-}
    fi
  done
  # compare-pytorch.sh benchmarks the binary named by TWINSCALE (this build's).
  if ((dry)); then
    run_step compare-pytorch-dry 60 env TWINSCALE="$tw" PYTHON="$python" scripts/compare-pytorch.sh --backend cuda --dry-run
  fi
  if [[ ! -x scripts/compare-pytorch.sh ]]; then
    rows+=("compare-pytorch|absent|0|scripts/compare-pytorch.sh is not executable")
  elif ! "$python" -c 'import torch' 2>/dev/null; then
    rows+=("compare-pytorch|not run|0|$python cannot import torch")
  else
    gpu_step compare-pytorch 120 env TWINSCALE="$tw" PYTHON="$python" scripts/compare-pytorch.sh --backend cuda
  fi
fi

print_summary
exit "$failed"
