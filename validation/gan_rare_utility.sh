#!/bin/bash
# gan_rare_utility.sh: the utility part of issue 12's rare-condition run
# (docs/gan.md, "Utility", rare condition): in a folder where
# validation/gan_rare_run.sh has run (real-addison.h5, holdout-addison.h5,
# syn-addison-SEED.h5), K draws of the Gaussian copula of the 60 real addison
# twins (`gan baseline`, invalid rows redrawn, seeds 0..K-1, N rows each as
# the synthetic sample), and every cohort through the stratified parallel
# trial of tests/data/trial/strata.yaml; then `gan report --trials
# --baseline-trials` for ENDPOINT in arm pid: ridge R^2 on the holdout's
# addison twins of models trained on the real twins, the synthetic twins, the
# copula's and bootstrap draws of the real twins. A step whose output exists is
# skipped. Run with OMP_NUM_THREADS=1 nice -n 5 on a shared machine.
# usage: validation/gan_rare_utility.sh TWINSCALE DIR [SEED (default 5)] [K (default 5)] [ENDPOINT (default mean_bg)]
set -eu
bin=$(realpath "$1") dir=$2 seed=${3:-5} k=${4:-5} endpoint=${5:-mean_bg}
trial=$(realpath "$(dirname "$0")/../tests/data/trial/strata.yaml")
cd "$dir"
step() { local out=$1; shift; [ -e "$out" ] && { echo "($out exists: skipped)"; return 0; }; echo "+ $*"; "$@"; }
run_trial() { step "t-$1" "$bin" trial "$trial" --set "twins.cohort=$PWD/$1" --set output.trajectories.twins=0 -o "t-$1"; }
n=$(/usr/bin/python3 -s -c "import h5py,sys; print(h5py.File(sys.argv[1],'r')['cohort/id'].shape[0])" "syn-addison-$seed.h5")
copulas=()
for ((i = 0; i < k; i++)); do
  step "copula-$i.h5" "$bin" gan baseline --real real-addison.h5 --kind gaussian_copula --n "$n" --seed "$i" \
    -o "copula-$i.h5"
  run_trial "copula-$i.h5"
  copulas+=("t-copula-$i.h5")
done
for c in real-addison.h5 "syn-addison-$seed.h5" holdout-addison.h5; do run_trial "$c"; done
list=$(IFS=,; echo "${copulas[*]}")
rm -f "u-addison-$seed.json"
"$bin" gan report --real real-addison.h5 --synthetic "syn-addison-$seed.h5" --holdout holdout-addison.h5 \
  --json "u-addison-$seed.json" --seeds "$k" --trials "t-real-addison.h5,t-syn-addison-$seed.h5,t-holdout-addison.h5" \
  --endpoint "$endpoint" --arm pid --baseline-trials "gaussian_copula=$list" 2>&1 | grep -i utility
