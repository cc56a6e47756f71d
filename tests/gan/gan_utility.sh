#!/bin/bash
# gan_utility.sh: `twinscale gan report --trials R,S,H --endpoint NAME --arm A`
# end to end. Three t1d cohorts (300, 300, 200 twins; configs/cohort-t1d.yaml,
# seeds 42, 43, 44), each run through the stratified parallel trial of
# tests/data/trial/strata.yaml; the report's "utility" then holds, for
# mean_bg in arm pid: the twins with a value per file (counted here from
# /endpoints with h5py), and R^2 on the holdout twins of ridge models trained
# on the real and the synthetic trial's twins, each equal to 1e-9 to numpy's
# solution of the same ridge problem (standardised columns, ddof 1, missing at
# the mean, constant columns out, alpha 1, intercept unpenalised); bootstrap
# R^2 as 3 draws; the keys in order, "validity" (the cohorts record pack t1d;
# the "synthetic" one, drawn by cohort generate, is all valid) before
# "utility". report.html has the Utility section. Bad input, each exit 2
# and one line: --trials without --endpoint, --arm alone, two files, an
# endpoint or arm the file lacks, a cohort file in place of a results file.
# usage: gan_utility.sh TWINSCALE COHORT_YAML TRIAL_YAML PYTHON
set -u
bin=$1 cohort_cfg=$2 trial_cfg=$3 py=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$tmp" || exit 1
for s in 42:300 43:300 44:200; do
  seed=${s%%:*} n=${s##*:}
  "$bin" cohort generate "$cohort_cfg" --set size=$n --set seed=$seed --set parameters.steady_state.hours=0 \
    -o "$tmp/c$seed.h5" --force > /dev/null || fail "cohort $seed"
  "$bin" trial "$trial_cfg" --set "twins.cohort=$tmp/c$seed.h5" --set output.trajectories.twins=0 \
    -o "$tmp/t$seed.h5" --force > "t$seed.log" 2>&1 || { tail -3 "t$seed.log"; fail "trial $seed"; }
done
"$bin" gan report --real c42.h5 --synthetic c43.h5 --holdout c44.h5 --json q.json --html r.html --seeds 3 \
  --trials t42.h5,t43.h5,t44.h5 --endpoint mean_bg --arm pid > out.txt || { cat out.txt; fail "gan report --trials"; }
grep "^utility" out.txt || fail "no utility line"
grep -q "<h2>Utility</h2>" r.html || fail "report.html has no Utility section"
"$py" -s - q.json t42.h5 t43.h5 t44.h5 <<'PY' || fail "the utility differs from numpy's ridge"
import json, sys
import h5py, numpy as np
q = json.load(open(sys.argv[1]))
u = q["utility"]
assert u["endpoint"] == "mean_bg" and u["arm"] == "pid", u
def load(path):
    f = h5py.File(path, "r")
    cols = [np.asarray(f["cohort/" + g][k], dtype=float) for g in ("covariates", "parameters") for k in sorted(f["cohort/" + g])]
    for g in ("covariates", "parameters"):
        for k in f["cohort/" + g]:
            assert f["cohort/" + g][k].dtype.kind == "f", (g, k)  # a results file's columns are all floats
    arm = [a.decode() for a in f["arms/name"][:]].index("pid")
    return np.stack(cols, 1), np.asarray(f["endpoints/mean_bg"][:, arm], dtype=float)
real, syn, hold = (load(p) for p in sys.argv[2:5])
for (X, y), key in zip((real, syn, hold), ("real", "synthetic", "holdout")):
    assert u["rows"][key] == int(np.sum(~np.isnan(y))), (key, u["rows"][key])
def r2(train, test):
    X, y = train
    keep = ~np.isnan(y)
    X, y = X[keep], y[keep]
    mean = np.nanmean(X, 0)
    sd = np.array([np.std(c[~np.isnan(c)], ddof=1) if np.sum(~np.isnan(c)) > 1 else 0.0 for c in X.T])
    use = sd > 0
    def design(Z):
        Z = (Z[:, use] - mean[use]) / sd[use]
        return np.hstack([np.ones((len(Z), 1)), np.where(np.isnan(Z), 0.0, Z)])
    A = design(X)
    D = np.eye(A.shape[1]); D[0, 0] = 0
    beta = np.linalg.solve(A.T @ A + D, A.T @ y)
    Xt, yt = test
    k = ~np.isnan(yt)
    pred = design(Xt[k]) @ beta
    return 1 - np.sum((yt[k] - pred) ** 2) / np.sum((yt[k] - yt[k].mean()) ** 2), A.shape[1]
want_real, width = r2(real, hold)
want_syn, _ = r2(syn, hold)
print("R^2: real %.6f (numpy %.6f), synthetic %.6f (numpy %.6f); %d features" %
      (u["train_real"], want_real, u["train_synthetic"], want_syn, width))
assert abs(u["train_real"] - want_real) < 1e-9 and abs(u["train_synthetic"] - want_syn) < 1e-9
assert u["features"] == width, (u["features"], width)
b = u["baselines"]["bootstrap"]
assert b["n"] == 3 and b["min"] <= b["mean"] <= b["max"] <= 1, b
assert u["baselines"]["gaussian_copula"] is None
assert list(q)[:5] == ["quality", "diagnostic", "privacy", "validity", "utility"], list(q)
assert q["validity"] == {"pack": "t1d", "invalid_share": 0.0}, q["validity"]  # drawn valid by cohort generate
PY

# refused NAME TEXT ARGS...: exit 2, one line on stderr holding TEXT, no JSON
refused() {
  local name=$1 text=$2; shift 2
  "$bin" gan report --real c42.h5 --synthetic c43.h5 --holdout c44.h5 --json bad.json --seeds 0 "$@" \
    > "$name.out" 2> "$name.err"
  local rc=$?
  [ "$rc" = 2 ] || { cat "$name.err"; fail "$name: exit $rc, not 2"; }
  [ "$(wc -l < "$name.err")" = 1 ] || { cat "$name.err"; fail "$name: not one line"; }
  grep -qF -- "$text" "$name.err" || { cat "$name.err"; fail "$name: no '$text'"; }
  [ ! -e bad.json ] && [ ! -e bad.json.partial ] || fail "$name: a JSON was written"
  echo "$name: $(cat "$name.err")"
}
refused no_endpoint "go together" --trials t42.h5,t43.h5,t44.h5
refused arm_alone "go together" --arm pid
refused two_files "three results files" --trials t42.h5,t43.h5 --endpoint mean_bg
refused no_such_endpoint "/endpoints/nope" --trials t42.h5,t43.h5,t44.h5 --endpoint nope
refused no_such_arm "no arm bb" --trials t42.h5,t43.h5,t44.h5 --endpoint mean_bg --arm bb
refused cohort_not_trial "not a trial results file" --trials c42.h5,t43.h5,t44.h5 --endpoint mean_bg
echo "gan_utility: all checks passed"
