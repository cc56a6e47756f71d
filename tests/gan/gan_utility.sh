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
#
# The Gaussian copula's utility: `gan baseline --kind gaussian_copula` on the
# real cohort (seed 0, 300 rows: the report's draw 0), its invalid rows
# redrawn (this copula leaves about a quarter without a steady state, so the
# redraws do intervene), run through the same trial and given to the report
# (--baseline-trials); its R^2 equals numpy's to 1e-9 as the others. The
# same draw with --keep-invalid, scored by the report as its synthetic table,
# gives every number the report gives its own copula draw of that seed (so
# the file's rows are the report's), and the redrawn file's rows are that
# draw's rows in order with exactly its invalid ones left out; scored as the
# synthetic table, it gives every number of the report's "copula, valid
# twins" (gaussian_copula_valid) of that seed. A bootstrap
# with --condition retinopathy=1 has only real rows of that category. Bad
# input to both, exit 2 and one line.
#
# The smoothed bootstrap at the synthetic table's privacy: in the report of
# a smoothed bootstrap of bandwidth 1.5 and seed 7 (one seed; on these 300
# twins the copula's privacy, DCROverfittingProtection 1, is more than any
# bandwidth of the smoothed bootstrap reaches: it keeps each twin's reference
# patient) its bandwidth h is one of the grid's;
# `gan baseline --kind smoothed_bootstrap --bandwidth h` (seed 0), scored as
# the synthetic table, gives every number of the report's
# "smoothed_bootstrap"; its draw as drawn (--keep-invalid: the search's) is
# at least as private as the table (NewRowSynthesis,
# DCROverfittingProtection), the grid's bandwidth below h not (the search
# found the smallest). --bandwidth with another kind is refused.
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
"$bin" gan baseline --real c42.h5 --kind gaussian_copula --n 300 -o g.h5 > g.txt || { cat g.txt; fail "gan baseline"; }
cat g.txt
"$bin" gan baseline --real c42.h5 --kind gaussian_copula --n 300 --keep-invalid -o gk.h5 > gk.txt ||
  { cat gk.txt; fail "gan baseline --keep-invalid"; }
"$bin" gan baseline --real c42.h5 --kind bootstrap --n 20 --seed 3 --condition retinopathy=1 -o gb.h5 > gb.txt ||
  { cat gb.txt; fail "gan baseline --condition"; }
"$bin" trial "$trial_cfg" --set "twins.cohort=$tmp/g.h5" --set output.trajectories.twins=0 \
  -o "$tmp/tg.h5" --force > tg.log 2>&1 || { tail -3 tg.log; fail "trial on the copula's cohort"; }
"$bin" gan report --real c42.h5 --synthetic c43.h5 --holdout c44.h5 --json q.json --html r.html --seeds 3 \
  --trials t42.h5,t43.h5,t44.h5 --endpoint mean_bg --arm pid --baseline-trials gaussian_copula=tg.h5 > out.txt ||
  { cat out.txt; fail "gan report --trials"; }
grep "^utility" out.txt || fail "no utility line"
grep -q "^utility.*on Gaussian copula .* (1 draw)" out.txt || fail "no copula utility on stdout"
grep -q "<h2>Utility</h2>" r.html || fail "report.html has no Utility section"
grep -q "Gaussian copula (trials of its draws)" r.html || fail "report.html has no copula utility"
"$bin" gan report --real c42.h5 --synthetic gk.h5 --holdout c44.h5 --json qk.json --seeds 1 > outk.txt ||
  { cat outk.txt; fail "gan report of the kept copula draw"; }
"$bin" gan report --real c42.h5 --synthetic g.h5 --holdout c44.h5 --json qg.json --seeds 1 > outg.txt ||
  { cat outg.txt; fail "gan report of the redrawn copula draw"; }
"$py" -s - qk.json g.h5 gk.h5 gb.h5 c42.h5 qg.json <<'PY' || fail "the gan baseline files are not the report's draws"
import json, sys
import h5py, numpy as np
q = json.load(open(sys.argv[1]))
qg = json.load(open(sys.argv[6]))
def rows(path):
    f = h5py.File(path, "r")
    cols = [np.asarray(f["cohort/" + g][k], dtype=float) for g in ("covariates", "parameters", "conditions")
            for k in sorted(f["cohort/" + g])]
    return np.stack(cols, 1), dict(f.attrs)
g, ga = rows(sys.argv[2])
gk, gka = rows(sys.argv[3])
gb, gba = rows(sys.argv[4])
real, _ = rows(sys.argv[5])
assert ga["cohort_source"] == "twinscale gan baseline" and ga["gan_baseline"] == "gaussian_copula", ga
assert ga["gan_invalid_kept"] == 0 and gka["gan_invalid_kept"] == 1
assert ga["gan_rows_drawn"] - ga["gan_rows_invalid"] == 300 == len(g), ga
assert ga["gan_rows_invalid"] > 0, "no redraws: the test would not exercise them"
# every number the report gives its copula draw of seed 0 is the kept file's, scored as the synthetic table
def flat(x, path=""):
    if isinstance(x, dict) and set(x) == {"mean", "sd", "min", "max", "n"}:
        return {path: x["mean"]}
    if isinstance(x, dict):
        return {k: v for key, val in x.items() for k, v in flat(val, path + "/" + key).items()}
    if isinstance(x, list):
        return {k: v for i, val in enumerate(x) for k, v in flat(val, path + "/%d" % i).items()}
    return {path: x}
def same(scored, baseline):
    mine = flat({k: scored[k] for k in ("quality", "holdout_quality", "diagnostic", "privacy", "validity")})
    report = flat({k: v for k, v in q["baselines"][baseline].items() if k != "smoothing"})
    assert mine.keys() == report.keys() and len(mine) > 5000, (len(mine), len(report))
    differ = [k for k in mine if mine[k] != report[k]]
    assert not differ, (baseline, differ[:5])
    return mine
mine = same(q, "gaussian_copula")
# and the redrawn file, scored so, is the report's copula of valid twins (invalid share 0)
same(qg, "gaussian_copula_valid")
assert q["baselines"]["gaussian_copula_valid"]["validity"]["invalid_share"]["max"] == 0
kept = gka["gan_rows_invalid"]
assert gka["gan_rows_drawn"] == 300 and q["validity"]["invalid_share"] == kept / 300, (gka, q["validity"])
# the redrawn rows start with the draw's valid rows, in order: exactly `kept` rows of the draw skipped
i = 0
for row in gk:
    if i < 300 - kept and np.array_equal(row, g[i], equal_nan=True):
        i += 1
assert i == 300 - kept, (i, kept)
# bootstrap of the retinopathy = 1 rows only
ret = sorted(h5py.File(sys.argv[5], "r")["cohort/conditions"]).index("retinopathy")
col = real.shape[1] - len(h5py.File(sys.argv[5], "r")["cohort/conditions"]) + ret
assert len(gb) == 20 and np.all(gb[:, col] == 1), gb[:, col]
assert all(any(np.array_equal(r, x, equal_nan=True) for x in real[real[:, col] == 1]) for r in gb)
print("gan baseline: %d rows drawn, %d invalid redrawn; the kept draw equals the report's in %d numbers (%d invalid)"
      % (ga["gan_rows_drawn"], ga["gan_rows_invalid"], len(mine), kept))
PY
# the report of a smoothed bootstrap (seed 7): its own smoothed bootstrap's bandwidth, the smallest of the grid as private
"$bin" gan baseline --real c42.h5 --kind smoothed_bootstrap --bandwidth 1.5 --seed 7 --n 300 -o s7.h5 > /dev/null ||
  fail "gan baseline --kind smoothed_bootstrap --seed 7"
"$bin" gan report --real c42.h5 --synthetic s7.h5 --holdout c44.h5 --json q7.json --seeds 1 > /dev/null ||
  fail "gan report of the smoothed bootstrap of seed 7"
h=$("$py" -s -c 'import json,sys; print(json.load(open(sys.argv[1]))["baselines"]["smoothed_bootstrap"]["smoothing"]["bandwidth"])' q7.json)
below=$("$py" -s -c 'import sys; g = [0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8]; h = float(sys.argv[1]); print(max([x for x in g if x < h], default=""))' "$h")
[ -n "$below" ] || fail "the matched bandwidth is 0: the test would not check that the search found the smallest"
for b in "$h" "k$h" "k$below"; do
  keep=() bw=$b
  [ "${b#k}" = "$b" ] || keep=(--keep-invalid) bw=${b#k}
  "$bin" gan baseline --real c42.h5 --kind smoothed_bootstrap --bandwidth "$bw" --n 300 "${keep[@]}" -o "s$b.h5" > "s$b.txt" ||
    { cat "s$b.txt"; fail "gan baseline --kind smoothed_bootstrap --bandwidth $bw ${keep[*]}"; }
  "$bin" gan report --real c42.h5 --synthetic "s$b.h5" --holdout c44.h5 --json "qs$b.json" --seeds 1 > /dev/null ||
    fail "gan report of the smoothed bootstrap at $b"
done
cat "s$h.txt"
"$py" -s - q7.json "qs$h.json" "qsk$h.json" "qsk$below.json" "s$h.h5" <<'PY' || fail "the smoothed bootstrap is not the report's"
import json, sys
import h5py
q, qs, qk, qb = (json.load(open(p)) for p in sys.argv[1:5])
def flat(x, path=""):
    if isinstance(x, dict) and set(x) == {"mean", "sd", "min", "max", "n"}:
        return {path: x["mean"]}
    if isinstance(x, dict):
        return {k: v for key, val in x.items() for k, v in flat(val, path + "/" + key).items()}
    return {path: x} if not isinstance(x, list) else {k: v for i, val in enumerate(x) for k, v in flat(val, path + "/%d" % i).items()}
mine = flat({k: qs[k] for k in ("quality", "holdout_quality", "diagnostic", "privacy", "validity")})
report = flat({k: v for k, v in q["baselines"]["smoothed_bootstrap"].items() if k != "smoothing"})
assert mine.keys() == report.keys() and len(mine) > 5000, (len(mine), len(report))
differ = [k for k in mine if mine[k] != report[k]]
assert not differ, differ[:5]
a = dict(h5py.File(sys.argv[5], "r").attrs)
assert a["gan_baseline"] == "smoothed_bootstrap" and a["gan_swap"] == 0.3, a
assert a["gan_bandwidth"] == q["baselines"]["smoothed_bootstrap"]["smoothing"]["bandwidth"], a
keys = ("new_row_synthesis", "dcr_overfitting_protection")
assert q["baselines"]["smoothed_bootstrap"]["smoothing"]["matched"] is True
assert all(qk["privacy"][k] >= q["privacy"][k] for k in keys), (qk["privacy"], q["privacy"])
assert not all(qb["privacy"][k] >= q["privacy"][k] for k in keys), (qb["privacy"], q["privacy"])
print("smoothed bootstrap: as drawn, bandwidth %g as private as the table (%s: %s), the grid's next below not (%s)"
      % (a["gan_bandwidth"], [q["privacy"][k] for k in keys], [qk["privacy"][k] for k in keys],
         [qb["privacy"][k] for k in keys]))
PY
"$bin" gan baseline --real c42.h5 --kind bootstrap --bandwidth 1 --n 3 -o bw.h5 2> bw.err
[ $? = 2 ] && [ "$(wc -l < bw.err)" = 1 ] && grep -q "only --kind smoothed_bootstrap" bw.err && [ ! -e bw.h5 ] ||
  { cat bw.err; fail "--bandwidth with --kind bootstrap"; }
"$py" -s - q.json t42.h5 t43.h5 t44.h5 tg.h5 <<'PY' || fail "the utility differs from numpy's ridge"
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
real, syn, hold, cop = (load(p) for p in sys.argv[2:6])
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
want_cop, _ = r2(cop, hold)
c = u["baselines"]["gaussian_copula"]
print("R^2 trained on the Gaussian copula's trial: %.6f (numpy %.6f)" % (c["mean"], want_cop))
assert c["n"] == 1 and c["min"] == c["mean"] == c["max"] and c["sd"] is None, c
assert abs(c["mean"] - want_cop) < 1e-9, (c, want_cop)
assert u["rows"]["gaussian_copula"] == [int(np.sum(~np.isnan(cop[1])))], u["rows"]
assert list(q)[:6] == ["quality", "holdout_quality", "diagnostic", "privacy", "validity", "utility"], list(q)
assert q["validity"] == {"pack": "t1d", "invalid_share": 0.0}, q["validity"]  # drawn valid by cohort generate
PY

# expect_refusal NAME TEXT OUT CMD...: CMD exits 2 with one line on stderr
# holding TEXT, and writes neither OUT nor OUT.partial
expect_refusal() {
  local name=$1 text=$2 out=$3; shift 3
  "$@" > "$name.out" 2> "$name.err"
  local rc=$?
  [ "$rc" = 2 ] || { cat "$name.err"; fail "$name: exit $rc, not 2"; }
  [ "$(wc -l < "$name.err")" = 1 ] || { cat "$name.err"; fail "$name: not one line"; }
  grep -qF -- "$text" "$name.err" || { cat "$name.err"; fail "$name: no '$text'"; }
  [ ! -e "$out" ] && [ ! -e "$out.partial" ] || fail "$name: $out was written"
  echo "$name: $(cat "$name.err")"
}
# refused NAME TEXT ARGS...: `gan report ARGS` refused, no JSON
refused() {
  local name=$1 text=$2; shift 2
  expect_refusal "$name" "$text" bad.json \
    "$bin" gan report --real c42.h5 --synthetic c43.h5 --holdout c44.h5 --json bad.json --seeds 0 "$@"
}
refused no_endpoint "go together" --trials t42.h5,t43.h5,t44.h5
refused arm_alone "go together" --arm pid
refused two_files "three results files" --trials t42.h5,t43.h5 --endpoint mean_bg
refused no_such_endpoint "/endpoints/nope" --trials t42.h5,t43.h5,t44.h5 --endpoint nope
refused no_such_arm "no arm bb" --trials t42.h5,t43.h5,t44.h5 --endpoint mean_bg --arm bb
refused cohort_not_trial "not a trial results file" --trials c42.h5,t43.h5,t44.h5 --endpoint mean_bg
refused copula_alone "needs --trials" --baseline-trials gaussian_copula=tg.h5
refused copula_bootstrap "expected gaussian_copula=" --trials t42.h5,t43.h5,t44.h5 --endpoint mean_bg \
  --baseline-trials bootstrap=tg.h5
refused copula_empty "1 to 64 results files" --trials t42.h5,t43.h5,t44.h5 --endpoint mean_bg \
  --baseline-trials gaussian_copula=tg.h5,
refused copula_cohort "c42.h5 (a Gaussian copula's trial)" --trials t42.h5,t43.h5,t44.h5 --endpoint mean_bg \
  --baseline-trials gaussian_copula=c42.h5

# baseline_refused NAME TEXT ARGS...: `gan baseline ARGS` refused, no cohort file
baseline_refused() {
  local name=$1 text=$2; shift 2
  expect_refusal "$name" "$text" bad.h5 "$bin" gan baseline --n 5 -o bad.h5 "$@"
}
baseline_refused baseline_kind "gaussian_copula" --real c42.h5 --kind copula
baseline_refused baseline_missing "nope.h5" --real nope.h5 --kind bootstrap
baseline_refused baseline_column "no discrete column nope" --real c42.h5 --kind bootstrap --condition nope=1
baseline_refused baseline_value "no row of c42.h5 has retinopathy = 7" --real c42.h5 --kind gaussian_copula \
  --condition retinopathy=7
echo "gan_utility: all checks passed"
