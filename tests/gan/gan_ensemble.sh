#!/bin/bash
# gan_ensemble.sh: `twinscale gan sample` with --model given more than once, an
# ensemble of generators trained on one cohort file (docs/gan.md, "Training seeds and ensembles"),
# on a 300-twin t1d cohort from configs/cohort-t1d.yaml:
#   - three short trainings (seeds 1 and 2, and seed 3 with other network
#     widths): one transformer, so they make an ensemble;
#   - `--model A --model A` gives A's sample: the same rows, every column
#     within 1e-5 relative (candidate g keeps its own noise in an ensemble;
#     only its place in a product moves);
#   - `--model A --model B`: every row is a row of A's or of B's own sample of
#     the same seed (the candidate's noise and condition vector are the
#     same), each member gives 35-65 % of them, and the file's gan_model names
#     both files; the same file for --threads 1 and 2;
#   - A, B and C (another width) with --condition and --conditioning reject:
#     every row has the condition;
#   - bad input, one line on stderr naming the file, exit 2, no output: a
#     model trained on another cohort file, a second file that is not a GAN
#     model.
# usage: gan_ensemble.sh TWINSCALE COHORT_CONFIG PYTHON(with h5py)
set -u
export OMP_WAIT_POLICY=passive
bin=$1 cohort_cfg=$2 py=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$tmp" || fail "no temporary directory"

"$bin" cohort generate "$cohort_cfg" --set size=300 --set seed=42 -o real.h5 > /dev/null || fail "real cohort"
"$bin" cohort generate "$cohort_cfg" --set size=200 --set seed=43 -o other.h5 > /dev/null || fail "other cohort"
train() { # NAME COHORT SEED WIDTH
  printf 'kind: gan_train\ncohort: %s\nsteps: 300\nbatch: 100\nseed: %s\n' "$2" "$3" > "$1.yaml"
  printf 'network: {embedding: 16, generator: [%s, %s], critic: [32, 32]}\noutput: {path: %s.h5}\n' "$4" "$4" "$1" \
    >> "$1.yaml"
  "$bin" gan train "$1.yaml" > "$1.out" 2>&1 || { cat "$1.out"; fail "gan train $1"; }
}
train A real.h5 1 32
train B real.h5 2 32
train C real.h5 3 48
train D other.h5 1 32

sample() { # OUT N ARGS...
  local out=$1 n=$2; shift 2
  "$bin" gan sample --n "$n" --seed 5 "$@" -o "$out" > "$out.out" 2>&1 || { cat "$out.out"; fail "gan sample $*"; }
}
sample a.h5 200 --model A.h5
sample aa.h5 200 --model A.h5 --model A.h5
sample a400.h5 400 --model A.h5
sample b400.h5 400 --model B.h5
sample ab.h5 200 --model A.h5 --model B.h5 --threads 1
sample ab2.h5 200 --model A.h5 --model B.h5 --threads 2
sample abc.h5 200 --model A.h5 --model B.h5 --model C.h5 --condition retinopathy=1 --conditioning reject

"$py" -s - <<'PY' || fail "the ensemble's rows"
import h5py, numpy as np

def table(path):
    with h5py.File(path, "r") as f:
        cols = {}
        for grp in ("cohort/covariates", "cohort/parameters", "cohort/conditions"):
            for name in f[grp]:
                cols[grp + "/" + name] = f[grp + "/" + name][()].astype(float)
        return np.column_stack([cols[k] for k in sorted(cols)]), sorted(cols), dict(f.attrs)

def close(x, y):
    return np.all(np.abs(x - y) <= 1e-5 * np.maximum(np.abs(x), np.abs(y)) + 1e-12, axis=-1)

a, names, _ = table("a.h5")
aa, _, _ = table("aa.h5")
assert a.shape == aa.shape == (200, len(names)), (a.shape, aa.shape)
assert np.all(close(a, aa)), "--model A --model A: rows other than A's"
print("A twice: A's 200 rows within 1e-5")

ab, _, at = table("ab.h5")
a4, _, _ = table("a400.h5")
b4, _, _ = table("b400.h5")
in_a = np.array([close(row, a4).any() for row in ab])
in_b = np.array([close(row, b4).any() for row in ab])
assert np.all(in_a | in_b), "%d rows of neither member's sample" % np.sum(~(in_a | in_b))
share = in_a.mean()
assert 0.35 <= share <= 0.65 and 0.35 <= in_b.mean() <= 0.65, (share, in_b.mean())
model = at["gan_model"].decode() if isinstance(at["gan_model"], bytes) else at["gan_model"]
assert model == "A.h5, B.h5", model
print("A and B: every row one member's (%.2f A, %.2f B); gan_model %r" % (share, in_b.mean(), model))

with h5py.File("ab.h5", "r") as f1, h5py.File("ab2.h5", "r") as f2:
    def same(name, o):
        if isinstance(o, h5py.Dataset):
            assert np.array_equal(o[()], f2[name][()]), name
    f1.visititems(same)
print("threads 1 and 2: the same datasets")

abc, names3, at3 = table("abc.h5")
ret = abc[:, names3.index("cohort/conditions/retinopathy")]
assert np.all(ret == 1), "rows without the condition"
print("A, B, C by rejection: %d rows, every one with retinopathy 1" % len(ret))
PY

bad() { # WHAT PATTERN ARGS...
  local what=$1 pat=$2; shift 2
  "$bin" gan sample --n 10 "$@" -o bad.h5 > bad.out 2> bad.err
  local rc=$?
  [ "$rc" -eq 2 ] || { cat bad.out bad.err; fail "$what: exit $rc, not 2"; }
  [ "$(wc -l < bad.err)" -eq 1 ] || { cat bad.err; fail "$what: not one line"; }
  grep -q "$pat" bad.err || { cat bad.err; fail "$what: the message does not say '$pat'"; }
  [ ! -e bad.h5 ] || fail "$what: an output file"
  echo "refused, $what: $(cat bad.err)"
}
bad "a model of another cohort" "D.h5: trained on 200 rows" --model A.h5 --model D.h5
bad "a second file that is no GAN model" "real.h5.*not a GAN model" --model A.h5 --model real.h5
echo "gan_ensemble: ok"
