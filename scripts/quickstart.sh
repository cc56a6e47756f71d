#!/usr/bin/env bash
# scripts/quickstart.sh: install, build and run twinscale's main job on a fresh
# Debian 12 machine: dependencies (scripts/setup.sh), a Release build in build/,
# a virtual cohort of 1,000 type 1 diabetes twins (configs/cohort-t1d.yaml), then
# the in-silico crossover trial of configs/quickstart.yaml (basal-bolus vs PID,
# 14 days of random meals), writing quickstart.h5, summary.json and report.html
# into the directory it is run from.
set -euo pipefail
here=$PWD
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

bash scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)" --target programs   # the binary and its modules, not the tests

./build/twinscale version
./build/twinscale cohort generate configs/cohort-t1d.yaml -o configs/cohort-t1d.h5 --force >/dev/null
cd "$here"
start=$(date +%s%N)
"$repo/build/twinscale" trial "$repo/configs/quickstart.yaml"
echo "quickstart trial: $(( ($(date +%s%N) - start) / 1000000 )) ms, the results file, summary.json and report.html included"
