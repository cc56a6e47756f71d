#!/usr/bin/env bash
# report_of_trial.sh: a real trial's report.html for report_chromium.sh (ctest
# trial_report_chromium_trial): runs `twinscale trial` on the config $TW_TRIAL_CONFIG
# with the binary $TW_TWINSCALE, writing into OUTDIR, and prints "report.html 4":
# the figures a crossover with kept trajectories and one time-to-event endpoint
# has (bands, distributions, forest plot, Kaplan-Meier).
#   report_of_trial.sh OUTDIR
set -euo pipefail
out=$1
(cd "$out" && "$TW_TWINSCALE" trial "$TW_TRIAL_CONFIG" -o trial.h5 >trial.log 2>&1) || { cat "$out/trial.log" >&2; exit 1; }
echo "report.html 4"
