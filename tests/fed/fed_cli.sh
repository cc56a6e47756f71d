#!/usr/bin/env bash
# fed_cli.sh: `twinscale fed train` on tests/fed/fed.yaml's three sites (ctest
# fed_cli, label mpi):
#   secure     secure aggregation on and off give the same model, bit for bit
#              (the masks cancel exactly); the report has a row per round with
#              every site's validation loss and the bytes of the round, and
#              the global validation loss falls from round 0
#   weights    FedAvg weights sites by their training windows: one round of
#              sites of 4 and 2 twins (160 and 80 windows) gives (2 A + P) / 3
#              of the models A and P each site trains alone (to 1e-6), not
#              their plain mean
#   ranks      two ranks per site (6 in all) give the model of one per site
#   resume     SIGTERM mid-run: every site's checkpoint, `stopped by signal
#              15`; --resume then ends on the model of a run never stopped
#   fedprox    runs, and its model differs from FedAvg's
#   sampling   fraction 0.5: 2 of 3 sites per round in the report, the same
#              sites and model in two runs
#   check      `config check`'s normalised fed_train config is valid itself
#   bad        a site without data, sites whose model sizes differ, a rank
#              count that fits no site layout: exit 2 and one line naming it
#   fed_cli.sh MPIEXEC TWINSCALE TESTSDIR DATADIR OUTDIR
set -euo pipefail
mpiexec=$1 tw=$2 tests=$3 data=$4 out=$5
command -v h5diff >/dev/null || { echo "SKIP: no h5diff (hdf5-tools)"; exit 77; }
py=(env -i PATH=/usr/bin:/bin /usr/bin/python3 -s)
rm -rf "$out" && mkdir -p "$out" && cd "$out"
export OMP_NUM_THREADS=1 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
. "$tests/fed_data.sh"
fed_data "$tw" "$data"
cp "$tests/fed.yaml" .
fail=0
bad() { echo "FAIL: $*"; fail=1; }
fed() { "$mpiexec" -n "$1" "$tw" fed train fed.yaml "${@:2}"; }

# secure
fed 3 -o sec.h5 >sec.log 2>&1 || { cat sec.log; exit 1; }
fed 3 -o plain.h5 --set federation.secure_aggregation=false >plain.log 2>&1 || { cat plain.log; exit 1; }
same_model sec.h5 plain.h5 && echo "ok: secure aggregation on and off: the same model" || bad "secure vs plain"
"${py[@]}" - sec.h5.json <<'PY' || bad "report"
import json, math, sys
r = json.load(open(sys.argv[1]))
rows = r["curve"]
assert len(rows) == r["rounds"] + 1 == 13, len(rows)
for i, row in enumerate(rows):
    assert row["round"] == i
    assert set(row["site_val_loss"]) == {"adults", "children", "mixed"}
    assert row["bytes"] > 0 and row["sampled"] == (3 if i < 12 else 0)
assert rows[-1]["global_val_loss"] < rows[0]["global_val_loss"], (rows[0], rows[-1])
assert all(v is not None and math.isfinite(v) for v in rows[-1]["site_val_loss"].values()), rows[-1]
print("ok: report: %d rows, global validation %.4g -> %.4g, %d bytes in all" % (
    len(rows), rows[0]["global_val_loss"], rows[-1]["global_val_loss"], r["bytes"]))
PY

# weights: one round, no twin held out
one=(--set train.steps=4 --set federation.local_steps=4 --set train.data.validation_fraction=0)
fed 2 -o W.h5 "${one[@]}" --set "sites=[{name: adults, files: [site-adults.h5]}, {name: pair, files: [site-pair.h5]}]" \
  >W.log 2>&1 || { cat W.log; exit 1; }
"$tw" fed train fed.yaml -o WA.h5 "${one[@]}" --set "sites=[{name: adults, files: [site-adults.h5]}]" >WA.log 2>&1 \
  || { cat WA.log; exit 1; }
"$tw" fed train fed.yaml -o WP.h5 "${one[@]}" --set "sites=[{name: pair, files: [site-pair.h5]}]" >WP.log 2>&1 \
  || { cat WP.log; exit 1; }
if "${py[@]}" -c 'import h5py' 2>/dev/null; then
  "${py[@]}" - <<'PY' || bad "FedAvg weighting"
import h5py, numpy as np
def weights(path):
    with h5py.File(path, "r") as f:
        names = []
        f.visit(lambda n: names.append(n) if isinstance(f[n], h5py.Dataset) and n.split(".")[0] in ("gnn", "lstm", "head") else None)
        return np.concatenate([f[n][()].ravel().astype(np.float64) for n in sorted(names)])
g, a, p = weights("W.h5"), weights("WA.h5"), weights("WP.h5")
weighted, plain = np.abs(g - (2 * a + p) / 3).max(), np.abs(g - (a + p) / 2).max()
print("ok: FedAvg by windows: |G - (2A+P)/3| <= %.2g, |G - (A+P)/2| = %.2g (%d weights)" % (weighted, plain, g.size))
assert weighted < 1e-6 and plain > 1e-4, (weighted, plain)
PY
else echo "skipped the weighting check: no h5py in /usr/bin/python3"; fi

# ranks
fed 6 -o r6.h5 --set "sites=[{name: adults, files: [site-adults.h5], ranks: 2}, {name: children, files: [site-children.h5], ranks: 2}, {name: mixed, files: [site-mixed.h5], ranks: 2}]" >r6.log 2>&1 || { cat r6.log; exit 1; }
same_model sec.h5 r6.h5 && echo "ok: 2 ranks per site: the model of 1" || bad "6 ranks vs 3"

# resume
long=(--set train.steps=480 --set federation.local_steps=4 --set checkpoint.every=0)
fed 3 -o full.h5 "${long[@]}" >full.log 2>&1 || { cat full.log; exit 1; }
stop_at_round 5 "$mpiexec" -n 3 "$tw" fed train fed.yaml -o stop.h5 "${long[@]}" >stop.log 2>&1 && bad "a run stopped by SIGTERM exited 0"
grep -q "stopped by signal 15" stop.log || { cat stop.log; bad "no 'stopped by signal 15'"; }
ls stop.h5.ckpt.adults.h5 stop.h5.ckpt.children.h5 stop.h5.ckpt.mixed.h5 >/dev/null || bad "a site's checkpoint missing"
fed 3 -o stop.h5 "${long[@]}" --resume >resume.log 2>&1 || { cat resume.log; exit 1; }
grep -q "^rounds [1-9][0-9]*\.\.120" resume.log || bad "the resumed run started at round 0"
same_model full.h5 stop.h5 && echo "ok: SIGTERM and --resume: the model of a run never stopped ($(grep -o 'rounds [0-9]*' resume.log))" \
  || bad "resumed model differs"

# fedprox
fed 3 -o prox.h5 --set federation.algorithm=fedprox --set federation.mu=0.1 >prox.log 2>&1 || { cat prox.log; exit 1; }
if same_model sec.h5 prox.h5 >/dev/null; then bad "FedProx gave FedAvg's model"; else echo "ok: fedprox runs, another model"; fi

# sampling
for i in 1 2; do
  fed 3 -o half$i.h5 --set federation.fraction=0.5 >half$i.log 2>&1 || { cat half$i.log; exit 1; }
done
same_model half1.h5 half2.h5 || bad "sampling: two runs differ"
"${py[@]}" -c 'import json,sys; r=json.load(open(sys.argv[1])); assert all(x["sampled"] == 2 for x in r["curve"][:-1]), r["curve"]' \
  half1.h5.json && echo "ok: fraction 0.5: 2 of 3 sites per round, the same model twice" || bad "sampling"

# config check: the normalised print of a fed_train config is itself a valid one
"$tw" config check fed.yaml >norm.yaml && "$tw" config check norm.yaml >/dev/null \
  && echo "ok: config check's normalised fed_train config checks" || bad "config check round trip"

# bad
expect2 "a site without data" "a site without data" "$tw" fed train fed.yaml \
  --set "sites=[{name: adults, files: [site-adults.h5]}, {name: empty, files: []}]"
expect2 "model sizes differ" "build different models" fed 3 --set "sites=[{name: adults, files: [site-adults.h5]}, {name: children, files: [site-children.h5], model: {H: 8}}, {name: mixed, files: [site-mixed.h5]}]"
expect2 "rank count" "ranks for 3 sites" fed 2
exit $fail
