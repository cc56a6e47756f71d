#!/bin/bash
# gan_rare_ensemble.sh: the ensembles of docs/gan.md, "Training seeds and
# ensembles": K generators of the rare-condition run (validation/gan_rare_run.sh
# with training seeds 1..K and 6,000 steps by default, each in DIR/tSEED, sharing the
# first one's cohorts), then 1,000 addison twins of the ensemble for each
# sample seed and conditioning, scored by `gan report --seeds 0` against the
# 60 real addison twins (quality) and the holdout's (holdout_quality). A step
# whose output exists is skipped. Python: Debian's, with h5py.
# STEPS (default 6000) sets the training steps; GAN_EXTRA, as for
# gan_rare_run.sh, is appended to every member's config (docs/gan.md, "Focus
# on a rare condition": STEPS=3000 GAN_EXTRA='focus: {condition: addison=1}').
# FIRST (default 1) makes the members seeds FIRST..FIRST+K-1 (t1 is trained
# all the same, for the cohorts), so that disjoint ensembles can be compared;
# their files are kK-fromFIRST-MODE-SEED.
# usage: validation/gan_rare_ensemble.sh TWINSCALE DIR K [SAMPLE_SEEDS (default "5 6 7")]
#        [CONDITIONINGS (default "vector reject")]
# Run on a shared machine with OMP_NUM_THREADS=1 nice -n 5 (two trainings at a
# time on two cores: run two of these with disjoint DIR/tSEED, or let it train
# one after the other).
set -eu
bin=$(realpath "$1") dir=$2 k=$3 seeds=${4:-5 6 7} modes=${5:-vector reject} steps=${STEPS:-6000} first=${FIRST:-1}
here=$(dirname "$(realpath "$0")")
mkdir -p "$dir" && cd "$dir"
bash "$here/gan_rare_run.sh" "$bin" t1 1000 5 1 "$steps" > t1.log
models=() name=k$k
[ "$first" = 1 ] || name=k$k-from$first
for s in $(seq "$first" $((first + k - 1))); do
  [ "$s" = 1 ] || {
    mkdir -p "t$s"
    for f in rare.h5 holdout.h5; do ln -sf "../t1/$f" "t$s/$f"; done
    bash "$here/gan_rare_run.sh" "$bin" "t$s" 1000 5 "$s" "$steps" > "t$s.log"
  }
  models+=(--model "t$s/rare-gan.h5")
done
for mode in $modes; do
  for seed in $seeds; do
    out=$name-$mode-$seed
    [ -e "$out.json" ] || {
      "$bin" gan sample "${models[@]}" --n 1000 --condition addison=1 --conditioning "$mode" --seed "$seed" \
        -o "$out.h5" > "$out.log"
      "$bin" gan report --real t1/real-addison.h5 --synthetic "$out.h5" --holdout t1/holdout-addison.h5 \
        --seeds 0 --json "$out.json" > /dev/null
    }
    /usr/bin/python3 -s -c '
import json, sys
q = json.load(open(sys.argv[1])); p = q["privacy"]
print("%s: in sample %.4f, out of sample %.4f, new rows %.3f, DCR overfitting %.3f, DCR baseline %.3f"
      % (sys.argv[1], q["quality"]["score"], q["holdout_quality"]["score"], p["new_row_synthesis"],
         p["dcr_overfitting_protection"], p["dcr_baseline_protection"]))' "$out.json"
  done
done
