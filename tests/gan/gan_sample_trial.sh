#!/usr/bin/env bash
# gan_sample_trial.sh CLI SAMPLE.h5 TRIAL.yaml OUTDIR: a cohort file written by
# the GAN's cohort writer (tw_gan_cohort_write; ctest gan_validity wrote
# SAMPLE.h5, 300 generated twins) is accepted by `twinscale trial` as its
# twins: the stratified parallel trial of tests/data/trial/strata.yaml (strata
# of sex and age_y, covariates the file carries) runs on it, exit 0, and its
# summary.json counts the 300 twins.
set -u
cli=$1 sample=$2 cfg=$3 out=$4
mkdir -p "$out"
if ! "$cli" trial "$cfg" --set "twins.cohort=$sample" -o "$out/trial.h5" --force > "$out/trial.log" 2>&1; then
  echo "FAIL: twinscale trial refused the sampled cohort:"; cat "$out/trial.log"; exit 1
fi
if ! grep -q '"n_twins": 300' "$out/summary.json"; then
  echo "FAIL: summary.json does not count 300 twins:"; head -c 600 "$out/summary.json"; exit 1
fi
echo "trial on the sampled cohort: ok ($(grep -c . "$out/trial.log") log lines)"
