#!/bin/bash
# gan_train_sample.sh: `twinscale gan train` and `twinscale gan sample` end to
# end, as a user runs them (issue 12, item 4), on a 300-twin t1d cohort from
# configs/cohort-t1d.yaml (its conditions hypertension and retinopathy are
# discrete columns):
#   - `config check` takes the gan_train config; `gan train` (2000 steps of 100
#     rows, networks 64 wide) writes a model file holding /transformer,
#     /generator, /critic, /train/loss/* (2000 values each) and the config text;
#   - `gan sample --n 200` writes a cohort of 200 twins whose gan report
#     (against the real cohort and a 200-twin holdout) has a quality score
#     above that of the same sample from a generator trained 1 step (the
#     untrained baseline: both scores printed) by more than 0.01, and whose
#     report's validity names pack t1d with an invalid share of 0 (the
#     sample's invalid candidates were redrawn);
#   - `--condition retinopathy=1`: every sampled twin has retinopathy 1 and
#     the file records the condition (the command prints how many candidates
#     the generator gave another category; they are set to the condition);
#   - `--conditioning reject`: the 100 rows are exactly the first 100 rows
#     with retinopathy 1 of the unconditioned sample of the same seed (every
#     column, in order: the same numbered candidates, the others dropped), the
#     file records gan_conditioning "reject" and the candidates dropped, and
#     the summary says how many; an unknown --conditioning is refused;
#   - the same file (every dataset and attribute) for --threads 1 and 2;
#     training with threads: 1 gives the default team's model file (every
#     dataset); the model file's root attribute gemm is the CPU GEMM line of
#     `twinscale version`, and names Haswell under OPENBLAS_CORETYPE=Haswell
#     (where the build has OpenBLAS); on a CPU with AVX2 and FMA the kernels
#     are pinned (blas_lazy.h): a 3-step model is the same in every dataset
#     with and without OPENBLAS_CORETYPE=Haswell and names Haswell, under
#     OPENBLAS_CORETYPE=SandyBridge (another blocking) it differs, and under
#     TW_BLAS_PIN=0 its gemm is `TW_BLAS_PIN=0 twinscale version`'s;
#   - `twinscale trial` (tests/data/trial/strata.yaml) runs on the sample;
#   - a 200-step run stopped by SIGTERM after a periodic checkpoint: exit 143,
#     the checkpoint left and no model file; --resume finishes with the
#     networks, Adam's moments and curves of an unbroken 200-step run, bit for
#     bit, and removes the checkpoint; --resume with a --set the stopped run
#     did not have is refused (exit 2) and leaves the checkpoint;
#   - bad input, each one line on stderr, exit 2, no output file: a missing
#     cohort, a cohort with no discrete column (written here with h5py), a
#     model file that is not a GAN model, --n 0, an unknown condition column,
#     a condition value the cohort lacks, a backend other than auto, cpu or
#     cuda (config key and --backend), a focus condition the cohort lacks
#     (FILE:LINE:COL: focus.condition) and a focus share of 1; the summary
#     names the backend;
#   - `focus.condition: retinopathy=1`: the summary names the condition, its
#     share and its training rows (as many as real.h5 has).
# usage: gan_train_sample.sh TWINSCALE COHORT_CONFIG TRIAL_CONFIG PYTHON(with h5py)
set -u
# libgomp's idle threads spin between parallel regions and take the CPU on a
# shared machine (docs/gan.md, "Throughput"); the results do not depend on it.
export OMP_WAIT_POLICY=passive
bin=$1 cohort_cfg=$2 trial_cfg=$3 py=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$tmp" || fail "no temporary directory"

"$bin" cohort generate "$cohort_cfg" --set size=300 --set seed=42 -o real.h5 > /dev/null || fail "real cohort"
"$bin" cohort generate "$cohort_cfg" --set size=200 --set seed=43 -o holdout.h5 > /dev/null || fail "holdout cohort"
cat > gan.yaml <<'EOF'
kind: gan_train
cohort: real.h5
steps: 2000
batch: 100
seed: 3
network: {embedding: 32, generator: [64, 64], critic: [64, 64]}
output: {path: model.h5}
EOF
"$bin" config check gan.yaml > check.out || fail "config check refused gan.yaml"
grep -q "^kind: gan_train" check.out || fail "config check: no kind line"

t0=$(date +%s.%N)
"$bin" gan train gan.yaml > train.out 2> train.err || { cat train.out train.err; fail "gan train"; }
t1=$(date +%s.%N)
cat train.out
# backend: auto (the default) names where it trained: cuda with a GPU, else cpu and why
grep -Eq "^backend: (cpu|cuda) \(" train.out || fail "gan train: no backend line"
"$bin" gan train gan.yaml --set steps=1 -o untrained.h5 > /dev/null 2>&1 || fail "gan train, 1 step"
"$py" -s - model.h5 <<'PY' || fail "the model file's contents"
import h5py, sys
f = h5py.File(sys.argv[1], "r")
for g in ("transformer/columns", "generator/sizes", "critic", "train/step", "train/adam/generator_m"):
    assert g in f, g
for c in ("critic", "penalty", "generator", "cond"):
    assert f["train/loss/" + c].shape == (2000,), c
assert "kind: gan_train" in f.attrs["config"], f.attrs["config"]
assert int(f["train/step"][()]) == 2000
PY

"$bin" gan sample --model model.h5 --n 200 --seed 5 -o s.h5 > sample.out || { cat sample.out; fail "gan sample"; }
cat sample.out
grep -q "^200 valid rows" sample.out || fail "the sample summary"
"$bin" gan sample --model untrained.h5 --n 200 --seed 5 -o s0.h5 > /dev/null || fail "gan sample, untrained"
# --seeds 0: no baselines (gan_cli and gan_utility check those); each baseline
# draw's validity would cost a 48-hour integration per row
"$bin" gan report --real real.h5 --synthetic s.h5 --holdout holdout.h5 --json q.json --seeds 0 > /dev/null ||
  fail "report"
"$bin" gan report --real real.h5 --synthetic s0.h5 --holdout holdout.h5 --json q0.json --seeds 0 > /dev/null ||
  fail "report, untrained"
"$py" -s - q.json q0.json <<'PY' || fail "training did not raise the quality score"
import json, sys
q, q0 = (json.load(open(p))["quality"] for p in sys.argv[1:3])
print("quality: trained %.4f (shapes %.4f, pairs %.4f), 1 step %.4f (shapes %.4f, pairs %.4f)" %
      (q["score"], q["column_shapes"], q["column_pair_trends"], q0["score"], q0["column_shapes"], q0["column_pair_trends"]))
assert q["score"] > q0["score"] + 0.01
v = json.load(open(sys.argv[1]))["validity"]
print("validity: pack %s, invalid share %.4f of the sample (redrawn valid)" % (v["pack"], v["invalid_share"]))
assert v["pack"] == "t1d" and v["invalid_share"] == 0.0, v
PY

"$bin" gan sample --model model.h5 --n 100 --seed 6 --condition retinopathy=1 -o c.h5 > cond.out ||
  { cat cond.out; fail "conditioned sample"; }
grep -q "^condition retinopathy=1: the generator's own output had another category in [0-9]* of" cond.out ||
  { cat cond.out; fail "the conditioned sample's summary"; }
"$py" -s - c.h5 <<'PY' || fail "a conditioned row without the condition"
import h5py, sys
f = h5py.File(sys.argv[1], "r")
r = f["cohort/conditions/retinopathy"][()]
assert len(r) == 100 and (r == 1).all(), r
assert f.attrs["gan_condition"] in ("retinopathy=1", b"retinopathy=1"), f.attrs["gan_condition"]
print("conditioned on retinopathy=1: %d of %d rows have it" % ((r == 1).sum(), len(r)))
PY

"$bin" gan sample --model model.h5 --n 100 --seed 6 --condition retinopathy=1 --conditioning reject -o cr.h5 \
  > rej.out || { cat rej.out; fail "sample by rejection"; }
grep -q "^condition retinopathy=1 by rejection: [1-9][0-9]* of [0-9]* candidates had another category" rej.out ||
  { cat rej.out; fail "the summary of the sample by rejection"; }
"$bin" gan sample --model model.h5 --n 1000 --seed 6 -o u.h5 > /dev/null || fail "the unconditioned sample of seed 6"
"$py" -s - cr.h5 u.h5 <<'PY' || fail "rejection sampling: not the unconditioned sample's rows of the category"
import h5py, numpy as np, sys
cr, u = (h5py.File(p, "r") for p in sys.argv[1:3])
keep = np.flatnonzero(u["cohort/conditions/retinopathy"][()] == 1)
assert len(keep) >= 100, "the unconditioned sample has %d rows with retinopathy 1" % len(keep)
for g in ("covariates", "parameters", "conditions"):
    for name in u["cohort/" + g]:
        a, b = cr["cohort/%s/%s" % (g, name)][()], u["cohort/%s/%s" % (g, name)][()][keep[:100]]
        assert np.array_equal(a, b), (g, name, a[:5], b[:5])
at = cr.attrs
assert at["gan_conditioning"] in ("reject", b"reject"), at["gan_conditioning"]
assert 0 < at["gan_rows_off_condition"] < at["gan_rows_drawn"], dict(at)
print("rejection: 100 rows = the first 100 of %d with retinopathy 1 in the unconditioned sample; %d of %d "
      "candidates dropped" % (len(keep), at["gan_rows_off_condition"], at["gan_rows_drawn"]))
PY

"$bin" gan sample --model model.h5 --n 200 --seed 5 --threads 1 -o t1.h5 > /dev/null || fail "1 thread"
"$bin" gan sample --model model.h5 --n 200 --seed 5 --threads 2 -o t2.h5 > /dev/null || fail "2 threads"
"$py" -s - t1.h5 t2.h5 s.h5 <<'PY' || fail "1 and 2 threads gave other files"
import h5py, numpy as np, sys
def items(path):
    f, out = h5py.File(path, "r"), {}
    f.visititems(lambda n, o: out.__setitem__(n, o[()]) if isinstance(o, h5py.Dataset) else None)
    out.update({"@" + k: v for k, v in f.attrs.items() if k != "gan_model"})
    return out
a, b, c = (items(p) for p in sys.argv[1:4])
assert a.keys() == b.keys() == c.keys()
for k in a:
    assert np.array_equal(np.asarray(a[k]), np.asarray(b[k])), k
    assert np.array_equal(np.asarray(a[k]), np.asarray(c[k])), k
PY

mkdir -p trial
"$bin" trial "$trial_cfg" --set "twins.cohort=$tmp/s.h5" -o "$tmp/trial/trial.h5" --force > trial.log 2>&1 ||
  { cat trial.log; fail "twinscale trial refused the sampled cohort"; }
grep -q '"n_twins": 200' trial/summary.json || fail "summary.json does not count 200 twins"

# A stop by SIGTERM after the first periodic checkpoint, then --resume.
cat > gan_ckpt.yaml <<'EOF'
kind: gan_train
cohort: real.h5
steps: 200
batch: 100
seed: 3
network: {embedding: 32, generator: [64, 64], critic: [64, 64]}
checkpoint: {every: 20}
output: {path: model_b.h5}
EOF
"$bin" gan train gan.yaml --set steps=200 -o model_u.h5 > /dev/null 2>&1 || fail "the unbroken 200-step run"
"$bin" gan train gan_ckpt.yaml > stop.out 2> stop.err &
pid=$!
for _ in $(seq 1 3000); do [ -e model_b.h5.ckpt ] && break; sleep 0.02; done
kill -TERM "$pid"
wait "$pid"
rc=$?
[ "$rc" = 143 ] || { cat stop.err; fail "SIGTERM during training: exit $rc, not 143 (finished before the signal?)"; }
[ -e model_b.h5.ckpt ] && [ ! -e model_b.h5 ] || fail "after SIGTERM: no checkpoint, or a model file"
grep -q "checkpoint" stop.err || { cat stop.err; fail "the stop message names no checkpoint"; }
echo "stopped: $(tail -n 1 stop.err)"
"$bin" gan train gan_ckpt.yaml --resume --set batch=50 > other.out 2> other.err
rc=$?
[ "$rc" = 2 ] && grep -q "written by another config" other.err && [ -e model_b.h5.ckpt ] && [ ! -e model_b.h5 ] ||
  { cat other.err; fail "--resume with a --set the stopped run lacked: exit $rc, not refused"; }
echo "resume with another --set: $(cat other.err)"
"$bin" gan train gan_ckpt.yaml --resume > resume.out 2>&1 || { cat resume.out; fail "--resume"; }
[ ! -e model_b.h5.ckpt ] || fail "the checkpoint is left after the run ended"
"$py" -s - model_u.h5 model_b.h5 <<'PY' || fail "stopped and resumed differs from the unbroken run"
import h5py, numpy as np, sys
a, b = (h5py.File(p, "r") for p in sys.argv[1:3])
names = []
a.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) and n.split("/")[0] in ("generator", "critic", "train") else None)
for n in names:
    assert np.array_equal(a[n][()], b[n][()]), n
print("resumed run = unbroken run: %d datasets equal" % len(names))
PY
# Training is the same bits on 1 thread as on the default team (2 here).
"$bin" gan train gan.yaml --set steps=200 --set threads=1 -o model_1.h5 > /dev/null 2>&1 || fail "threads: 1"
"$py" -s - model_u.h5 model_1.h5 <<'PY' || fail "1 thread and the default team trained other networks"
import h5py, numpy as np, sys
a, b = (h5py.File(p, "r") for p in sys.argv[1:3])
names = []
a.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
for n in names:
    assert np.array_equal(a[n][()], b[n][()]), n
print("threads 1 = default team: %d datasets equal" % len(names))
PY
# The model file names the GEMM that trained it (root attribute gemm), as
# `twinscale version` does; OpenBLAS's core is the one it chose, so
# OPENBLAS_CORETYPE=Haswell shows in it (another core: other bits).
"$bin" version | sed -n 's/^CPU GEMM: //p' > gemm.txt
[ -s gemm.txt ] || fail "twinscale version: no CPU GEMM line"
OPENBLAS_CORETYPE=Haswell "$bin" gan train gan.yaml --set steps=1 -o model_haswell.h5 > /dev/null 2>&1 ||
  fail "gan train under OPENBLAS_CORETYPE=Haswell"
"$py" -s - model_1.h5 model_haswell.h5 gemm.txt <<'PY' || fail "the model files' gemm attribute"
import h5py, sys
native, haswell = (h5py.File(p, "r").attrs["gemm"] for p in sys.argv[1:3])
native, haswell = (v.decode() if isinstance(v, bytes) else v for v in (native, haswell))
line = open(sys.argv[3]).read().strip()
assert native == line, (native, line)
assert ("OpenBLAS" not in line) or ("Haswell" in haswell.split()), haswell
print("gemm: %s; under OPENBLAS_CORETYPE=Haswell: %s" % (native, haswell))
PY
# Pinned kernels: where OpenBLAS runs on a CPU with AVX2 and FMA, the default is Haswell's kernels.
if grep -q OpenBLAS gemm.txt && grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo; then
  for k in pinned:env Haswell:env\ OPENBLAS_CORETYPE=Haswell sandy:env\ OPENBLAS_CORETYPE=SandyBridge            free:env\ TW_BLAS_PIN=0; do
    ${k#*:} "$bin" gan train gan.yaml --set steps=3 -o "model_${k%%:*}.h5" > /dev/null 2>&1 ||
      fail "gan train (${k#*:})"
  done
  TW_BLAS_PIN=0 "$bin" version | sed -n 's/^CPU GEMM: //p' > gemm_free.txt
  "$py" -s - model_pinned.h5 model_Haswell.h5 model_sandy.h5 model_free.h5 gemm_free.txt <<'PY' ||
import h5py, numpy as np, sys
p, h, s, f = (h5py.File(x, "r") for x in sys.argv[1:5])
attr = lambda g: g.attrs["gemm"].decode() if isinstance(g.attrs["gemm"], bytes) else g.attrs["gemm"]
names = []
p.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
same = lambda a, b: all(np.array_equal(a[n][()], b[n][()]) for n in names)
assert "Haswell" in attr(p).split() and attr(p) == attr(h), (attr(p), attr(h))
assert same(p, h), "the default model differs from OPENBLAS_CORETYPE=Haswell's"
assert "Sandybridge" in attr(s).split(), attr(s)
assert not same(p, s), "SandyBridge's kernels gave the pinned model's bits: the test would not see a kernel"
assert attr(f) == open(sys.argv[5]).read().strip(), (attr(f),)
print("pinned: %d datasets equal to OPENBLAS_CORETYPE=Haswell's, SandyBridge's differ; TW_BLAS_PIN=0: %s"
      % (len(names), attr(f)))
PY
    fail "the pinned GEMM kernels"
else
  echo "pinned kernels: not checked (no OpenBLAS, or a CPU without AVX2 and FMA)"
fi

# refused NAME TEXT OUTPUT COMMAND...: exit 2, one line on stderr with TEXT, OUTPUT not written
refused() {
  local name=$1 text=$2 out=$3; shift 3
  "$bin" "$@" > "$name.out" 2> "$name.err"
  local rc=$?
  [ "$rc" = 2 ] || { cat "$name.err"; fail "$name: exit $rc, not 2"; }
  [ "$(wc -l < "$name.err")" = 1 ] || { cat "$name.err"; fail "$name: not one line"; }
  grep -qF -- "$text" "$name.err" || { cat "$name.err"; fail "$name: no '$text'"; }
  [ ! -e "$out" ] && [ ! -e "$out.partial" ] || fail "$name: $out was written"
  echo "$name: $(cat "$name.err")"
}
refused missing_cohort "nowhere.h5" bad.h5 gan train gan.yaml --set cohort=nowhere.h5 -o bad.h5
"$py" -s - floats.h5 <<'PY' || fail "writing a cohort of floats"
import h5py, numpy as np, sys
with h5py.File(sys.argv[1], "w") as f:
    for name in ("age_y", "weight_kg"):
        f["cohort/covariates/" + name] = np.linspace(20.0, 80.0, 50)
PY
refused no_discrete "no discrete column" bad.h5 gan train gan.yaml --set cohort=floats.h5 -o bad.h5
refused not_a_model "not a GAN model file" bad.h5 gan sample --model real.h5 --n 10 -o bad.h5
refused n_zero "--n" bad.h5 gan sample --model model.h5 --n 0 -o bad.h5
refused unknown_condition "nosuch" bad.h5 gan sample --model model.h5 --n 10 --condition nosuch=1 -o bad.h5
refused absent_value "retinopathy" bad.h5 gan sample --model model.h5 --n 10 --condition retinopathy=7 -o bad.h5
refused bad_focus "focus.condition: retinopathy=7: the training data has no such value" \
  bad.h5 gan train gan.yaml --set focus.condition=retinopathy=7 -o bad.h5
refused focus_share "focus.share" bad.h5 gan train gan.yaml --set focus.condition=retinopathy=1 --set focus.share=1 \
  -o bad.h5
refused bad_backend "backend" bad.h5 gan train gan.yaml --set backend=tpu -o bad.h5
refused bad_sample_backend "--backend" bad.h5 gan sample --model model.h5 --n 10 --backend tpu -o bad.h5
refused bad_conditioning "--conditioning" bad.h5 gan sample --model model.h5 --n 10 --condition retinopathy=1 \
  --conditioning sideways -o bad.h5
# focus: the summary names the condition, its share and its training rows (retinopathy 1 in real.h5)
"$bin" gan train gan.yaml --set steps=5 --set focus.condition=retinopathy=1 -o focus.h5 > focus.out ||
  fail "a focused gan train failed"
rows=$("$py" -s -c 'import h5py, sys; print(int((h5py.File(sys.argv[1])["cohort/conditions/retinopathy"][()] == 1).sum()))' \
  real.h5)
grep -qF "focus: retinopathy=1 on 0.5 of the draws ($rows training rows)" focus.out ||
  { cat focus.out; fail "the focused run's summary lacks its focus line ($rows rows)"; }
echo "focus: $(grep '^focus' focus.out)"
echo "training: $(awk "BEGIN {print $t1 - $t0}") s wall for the first gan train (2000 steps)"
echo "ok"
