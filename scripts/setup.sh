#!/usr/bin/env bash
# scripts/setup.sh: install twinscale's build and test dependencies from Debian 12.
#
# Idempotent: it asks dpkg which packages are missing and installs only those,
# so a machine that has everything gets a no-op. It never downloads anything
# but Debian packages. The CUDA toolkit is not installed here: the build uses
# it where it is already present.
set -euo pipefail

packages=(
  build-essential cmake pkg-config      # compilers and the build
  libyaml-dev                            # configs (libyaml)
  libsodium-dev                          # federated training: secure aggregation (X25519, ChaCha20)
  libopenblas-dev                        # CPU GEMM (cblas_sgemm / dgemm)
  libopenmpi-dev openmpi-bin             # MPI distribution layer and its tests
  libhdf5-openmpi-dev hdf5-tools         # parallel HDF5 results files, h5dump for tests
  clang libclang-rt-14-dev               # libFuzzer for the config-loader fuzz target
  python3-h5py                           # io_h5_read_with_h5py: h5py reads a file 4 ranks wrote
  chromium                               # trial_report_chromium: renders report.html headless, checks every figure
  slurm-wlm munge                        # slurm_jobs: a throwaway single-node Slurm runs scripts/slurm/ (tests/slurm)
)
# Optional extras for validation/ and scripts/ (PyTorch comparison). Requested
# with TW_SETUP_EXTRAS=1 so that the core build stays lean; scripts/validate.sh
# installs them (and simglucose, in a virtual environment) itself.
if [[ "${TW_SETUP_EXTRAS:-0}" == 1 ]]; then
  packages+=(python3-torch python3-numpy python3-scipy python3-venv)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
