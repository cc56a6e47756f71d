#!/bin/bash
# gan_rare_focus.sh: issue 12's "beats both baselines on quality at equal
# privacy", as docs/gan.md ("Focus on a rare condition") measures it: E
# disjoint ensembles of K generators each (training seeds 1..K, K+1..2K, ...)
# trained with `focus: {condition: addison=1, share: SHARE}` for STEPS steps
# (validation/gan_rare_ensemble.sh with STEPS, FIRST and GAN_EXTRA), 1,000
# addison twins of each ensemble for each of ten sample seeds (5..14,
# --conditioning vector), against the baselines brought to the generator's
# privacy and validity, ten seeds each (0..9): the Gaussian copula's valid
# twins (`gan baseline`, invalid rows redrawn) and the smoothed bootstrap at
# h = 2 and 3, p = 0.3 (validation/gan_smoothed_bootstrap.py). Every table is
# scored by `gan report --seeds 0` against the 60 real addison twins (in
# sample) and the holdout's 60 (out of sample). It prints each ensemble's and
# baseline's mean with a 95 % t-interval over its seeds, min and max, its
# privacy, and each ensemble's difference from each baseline (Welch's t,
# one-sided p). The intervals of one ensemble are over sample seeds only: how
# far two ensembles differ is the training's own spread, which only E > 1
# shows. A step whose output exists is skipped. Python: Debian's, with h5py
# and scipy.
# usage: validation/gan_rare_focus.sh TWINSCALE DIR [K (default 16)] [E (default 2)]
#        [STEPS (default 2000)] [SHARE (default 0.5)]
# Run with OMP_NUM_THREADS=1 nice -n 5; E x K trainings of STEPS one after the
# other (32 x 2,000 steps: about 35 minutes on one core of the 2-core build
# machine; members trained beforehand in DIR/tSEED, as gan_rare_run.sh does, are kept).
set -eu
bin=$(realpath "$1") dir=$2 k=${3:-16} e=${4:-2} steps=${5:-2000} share=${6:-0.5}
here=$(dirname "$(realpath "$0")")
for first in $(seq 1 "$k" $((k * (e - 1) + 1))); do
  FIRST=$first STEPS=$steps GAN_EXTRA="focus: {condition: addison=1, share: $share}" \
    bash "$here/gan_rare_ensemble.sh" "$bin" "$dir" "$k" "$(seq -s ' ' 5 14)" vector > /dev/null
done
cd "$dir" && mkdir -p baselines
score() { # score TABLE.h5: TABLE.json
  [ -e "${1%.h5}.json" ] || "$bin" gan report --real t1/real-addison.h5 --synthetic "$1" \
    --holdout t1/holdout-addison.h5 --seeds 0 --json "${1%.h5}.json" > /dev/null
}
for s in $(seq 0 9); do
  out=baselines/copula-$s.h5
  [ -e "$out" ] || "$bin" gan baseline --real t1/real-addison.h5 --kind gaussian_copula --n 1000 --seed "$s" \
    -o "$out" > "${out%.h5}.log"
  score "$out"
  for h in 2 3; do
    out=baselines/smoothed-h$h-$s.h5
    [ -e "$out" ] || /usr/bin/python3 -s "$here/gan_smoothed_bootstrap.py" --cohort t1/rare.h5 \
      --condition addison=1 --n 1000 --seed "$s" --bandwidth "$h" --swap 0.3 -o "$out" > /dev/null
    score "$out"
  done
done
/usr/bin/python3 -s - "$k" "$e" <<'PY'
import json, sys
import numpy as np
from scipy import stats
k, e = int(sys.argv[1]), int(sys.argv[2])
ensembles = {}
for i in range(e):
    first = 1 + i * k
    prefix = "k%d" % k if first == 1 else "k%d-from%d" % (k, first)
    name = "generator, focus, seeds %d-%d" % (first, first + k - 1)
    ensembles[name] = ["%s-vector-%d.json" % (prefix, s) for s in range(5, 15)]
tables = dict(ensembles)
tables.update({
    "Gaussian copula, valid twins": ["baselines/copula-%d.json" % s for s in range(10)],
    "smoothed bootstrap h = 2": ["baselines/smoothed-h2-%d.json" % s for s in range(10)],
    "smoothed bootstrap h = 3": ["baselines/smoothed-h3-%d.json" % s for s in range(10)],
})
def read(paths):
    qs = [json.load(open(p)) for p in paths]
    get = lambda f: np.array([f(q) for q in qs])
    return {"in": get(lambda q: q["quality"]["score"]), "out": get(lambda q: q["holdout_quality"]["score"]),
            "nrs": get(lambda q: q["privacy"]["new_row_synthesis"]),
            "dcro": get(lambda q: q["privacy"]["dcr_overfitting_protection"]),
            "dcrb": get(lambda q: q["privacy"]["dcr_baseline_protection"])}
def interval(x):
    h = stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
    return "%.4f [%.4f, %.4f] (%.4f-%.4f)" % (x.mean(), x.mean() - h, x.mean() + h, x.min(), x.max())
data = {name: read(paths) for name, paths in tables.items()}
print("| table | in sample | out of sample | NewRowSynthesis | DCROverfittingProtection | DCRBaselineProtection |")
print("|---|---|---|---|---|---|")
for name, d in data.items():
    print("| %s | %s | %s | %.3f-%.3f | %.3f-%.3f | %.3f-%.3f |" % (name, interval(d["in"]), interval(d["out"]),
          d["nrs"].min(), d["nrs"].max(), d["dcro"].min(), d["dcro"].max(), d["dcrb"].min(), d["dcrb"].max()))
for gname in ensembles:
    gen = data[gname]
    for name, d in data.items():
        if name in ensembles:
            continue
        for side in ("in", "out"):
            t = stats.ttest_ind(gen[side], d[side], equal_var=False, alternative="greater")
            print("%s - %s, %s sample: %+.4f (Welch t %.2f, one-sided p %.2g)"
                  % (gname, name, side, gen[side].mean() - d[side].mean(), t.statistic, t.pvalue))
PY
