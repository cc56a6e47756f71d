#!/bin/bash
# gan_rare_run.sh: the rare-condition acceptance run of issue 12 (docs/gan.md,
# "Measured: the rare condition"), as it was run: a 5,000-twin t1d cohort of
# which 60 have the condition addison (configs/cohort-t1d-rare.yaml, seed 42),
# a 4,050-twin holdout (seed 44: 60 with addison, as many as the real cohort, since
# DCROverfittingProtection compares distances to the real and the holdout rows), `gan train` with the
# defaults (a config of the cohort and seed 1 only), `gan sample --condition
# addison=1`, and `gan report` of the conditioned sample against the 60 real
# addison twins (real) and the holdout's addison twins (holdout); the same for
# an unconditioned sample against the whole cohorts. A step whose output exists
# is skipped (so a long training is not redone). Python: Debian's, with h5py.
# usage: validation/gan_rare_run.sh TWINSCALE DIR [N_SAMPLE (default 1000)] [SEED (default 5)]
#        [TRAIN_SEED (default 1)] [STEPS (default: gan train's)]
# GAN_EXTRA, when set, is appended to the gan train config (e.g.
# GAN_EXTRA='focus: {condition: addison=1, share: 0.5}').
# Run on a shared machine with OMP_NUM_THREADS=1 nice -n 5 (and note `uptime`).
set -eu
bin=$(realpath "$1") dir=$2 n=${3:-1000} seed=${4:-5} train_seed=${5:-1} steps=${6:-0}
cfg=$(realpath "$(dirname "$0")/../configs/cohort-t1d-rare.yaml")
mkdir -p "$dir" && cd "$dir"
step() { local out=$1; shift; [ -e "$out" ] && { echo "($out exists: skipped)"; return 0; }; echo "+ $*"; "$@"; }
step rare.h5 "$bin" cohort generate "$cfg" -o rare.h5
step holdout.h5 "$bin" cohort generate "$cfg" --set seed=44 --set size=4050 -o holdout.h5
printf 'kind: gan_train\ncohort: rare.h5\nseed: %s\nsteps: %s\noutput: {path: rare-gan.h5}\n%s\n' "$train_seed" "$steps" \
  "${GAN_EXTRA:-}" > gan.yaml
step rare-gan.h5 "$bin" gan train gan.yaml
# the twins of one condition as a cohort file of the same columns
subset() {
  /usr/bin/python3 -s - "$1" "$2" <<'PY'
import h5py, numpy as np, sys
src, dst = sys.argv[1:3]
with h5py.File(src, "r") as f, h5py.File(dst, "w") as g:
    keep = f["cohort/conditions/addison"][()] == 1
    for k, v in f.attrs.items():
        g.attrs[k] = v
    g["cohort/id"] = f["cohort/id"][()][keep]
    for grp in ("cohort/covariates", "cohort/parameters", "cohort/conditions"):
        for name in f[grp]:
            d = f[grp + "/" + name]
            g[grp + "/" + name] = d[()][keep]
            for k, v in d.attrs.items():
                g[grp + "/" + name].attrs[k] = v
    print("%s: %d of %d twins with addison = 1" % (dst, keep.sum(), keep.size))
PY
}
step real-addison.h5 subset rare.h5 real-addison.h5
step holdout-addison.h5 subset holdout.h5 holdout-addison.h5
step "syn-addison-$seed.h5" "$bin" gan sample --model rare-gan.h5 --n "$n" --condition addison=1 --seed "$seed" \
  -o "syn-addison-$seed.h5"
step "q-addison-$seed.json" "$bin" gan report --real real-addison.h5 --synthetic "syn-addison-$seed.h5" \
  --holdout holdout-addison.h5 --json "q-addison-$seed.json"
step "syn-all-$seed.h5" "$bin" gan sample --model rare-gan.h5 --n "$n" --seed "$seed" -o "syn-all-$seed.h5"
step "q-all-$seed.json" "$bin" gan report --real rare.h5 --synthetic "syn-all-$seed.h5" --holdout holdout.h5 \
  --json "q-all-$seed.json"
# the ceiling for so few rows: the holdout's real addison twins scored as if synthetic
step q-real-holdout.json "$bin" gan report --real real-addison.h5 --synthetic holdout-addison.h5 \
  --holdout holdout-addison.h5 --json q-real-holdout.json
