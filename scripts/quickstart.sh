#!/usr/bin/env bash
# scripts/quickstart.sh: install, build and run twinscale's main job on a fresh
# Debian 12 machine: dependencies (scripts/setup.sh), a Release build in build/,
# then a short simulation: three UVA/Padova patients through a day of meals and
# boluses with a CGM (configs/quickstart.yaml), written to quickstart.h5.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)" --target programs   # the binary and its modules, not the tests

./build/twinscale version
./build/twinscale config check configs/quickstart.yaml >/dev/null
./build/twinscale simulate configs/quickstart.yaml
