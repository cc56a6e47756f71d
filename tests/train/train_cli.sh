#!/usr/bin/env bash
# train_cli.sh: `twinscale train` and `evaluate` end to end on the small data
# of tests/data/train (ctest train_cli):
#   threads  1 and 2 OpenMP threads give the same model file, every dataset;
#   gemm     its root attribute gemm is `twinscale version`'s CPU GEMM line;
#   kill     a run killed with SIGKILL at a random step after its first
#            checkpoint, then `--resume`d, ends with the same weights, moments
#            and curve as a run never stopped;
#   term     SIGTERM after the step in progress: exit 143, a checkpoint, and
#            `--resume` ends the same again;
#   refuse   --resume with a checkpoint of another config: exit 2, said;
#   bad      learning rate 0, data from another pack, no /states, an empty
#            file: exit 2 with the file (and line) named;
#   evaluate the JSON has rmse, mae and persistence_rmse at 30/60/120 min and
#            n_origins, for bg and per observable.
#   train_cli.sh TWINSCALE DATADIR OUTDIR
set -euo pipefail
tw=$1 data=$2 out=$3
command -v h5diff >/dev/null || { echo "SKIP: no h5diff (hdf5-tools)"; exit 77; }
rm -rf "$out" && mkdir -p "$out" && cd "$out"
export OMP_NUM_THREADS=1
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

# same DIR1 DIR2 FILE: every dataset of the two files identical (root
# attributes such as the config text may differ).
same() {
  local f1=$1/$3 f2=$2/$3 diff=0
  for d in $(h5ls -r "$f1" | awk '$2 == "Dataset" {print $1}'); do
    h5diff "$f1" "$f2" "$d" "$d" >/dev/null || { echo "  differs: $d"; diff=1; }
  done
  return $diff
}

setup() { mkdir -p "$1" && cp "$data/train.yaml" "$1/" && ln -sf "$PWD/data.h5" "$1/data.h5"; }

cp "$data/data.yaml" . && "$tw" simulate data.yaml >sim.log 2>&1 || { cat sim.log; exit 1; }

# threads
for th in 1 2; do setup t$th; (cd t$th && OMP_NUM_THREADS=$th "$tw" train train.yaml >log 2>&1) || { cat t$th/log; exit 1; }; done
if same t1 t2 model.h5; then ok "1 and 2 threads: the same model"; else bad "1 and 2 threads differ"; fi
# gemm: the model file names the GEMM that trained it, as `twinscale version` does
gemm=$("$tw" version | sed -n 's/^CPU GEMM: //p')
recorded=$(h5dump -a /gemm t1/model.h5 | sed -n 's/^ *(0): "\(.*\)"$/\1/p')
if [[ -n $gemm && $recorded == "$gemm" ]]; then ok "gemm attribute: $recorded"
else bad "gemm attribute '$recorded', twinscale version says '$gemm'"; fi

# kill: a longer run, so that the kill lands mid-run
long=(--set steps=400 --set validate_every=50 --set checkpoint.every=7)
setup full && (cd full && "$tw" train train.yaml "${long[@]}" >log 2>&1) || { cat full/log; exit 1; }
setup kill
(cd kill && exec "$tw" train train.yaml "${long[@]}" >log 2>&1) & pid=$!
for _ in $(seq 600); do [[ -f kill/model.h5.ckpt ]] && break; sleep 0.01; done
sleep "0.$((RANDOM % 40))"
kill -9 $pid 2>/dev/null || true
wait $pid 2>/dev/null || true
if [[ -f kill/model.h5 ]]; then bad "the run ended before the kill (make it longer)"
else
  step=$(h5dump -a /step kill/model.h5.ckpt 2>/dev/null | awk '/\(0\)/ {print $2}')
  (cd kill && "$tw" train train.yaml "${long[@]}" --resume >log2 2>&1) || { cat kill/log2; exit 1; }
  if same full kill model.h5; then ok "killed (SIGKILL) after checkpoint step $step and resumed: the same model"
  else bad "killed at $step and resumed: differs"; fi
fi

# term
setup term
(cd term && exec "$tw" train train.yaml "${long[@]}" >log 2>&1) & pid=$!
for _ in $(seq 600); do grep -q "step 50/" term/log 2>/dev/null && break; sleep 0.01; done
kill -TERM $pid; rc=0; wait $pid || rc=$?
if [[ $rc == 143 && -f term/model.h5.ckpt && ! -f term/model.h5 ]]; then
  (cd term && "$tw" train train.yaml "${long[@]}" --resume >log2 2>&1) || { cat term/log2; exit 1; }
  if same full term model.h5; then ok "SIGTERM: exit 143, checkpoint, resumed: the same model"; else bad "SIGTERM resume differs"; fi
else bad "SIGTERM: exit $rc (want 143), checkpoint $(ls term)"; fi

# refuse another config's checkpoint
rc=0; (cd term && "$tw" train train.yaml "${long[@]}" --set optimizer.lr=1e-3 --resume >log3 2>&1) || rc=$?
if [[ $rc == 2 ]] && grep -q "written by another config" term/log3; then ok "resume refuses another config's checkpoint"
else bad "resume with another config: exit $rc: $(cat term/log3)"; fi

# bad inputs
expect2() { # NAME WANT -- ARGS...
  local name=$1 want=$2 rc=0; shift 3
  (cd t1 && "$tw" train train.yaml "$@" >"../$name.log" 2>&1) || rc=$?
  if [[ $rc == 2 ]] && grep -qF -- "$want" "$name.log"; then ok "$name: exit 2: $(tail -1 "$name.log")"
  else bad "$name: exit $rc: $(cat "$name.log")"; fi
}
expect2 lr0 "train.yaml:" -- --set optimizer.lr=0
cp "$data/data.yaml" nostates.yaml && "$tw" simulate nostates.yaml --set output.states=false -o nostates.h5 >/dev/null 2>&1
expect2 nostates "nostates.h5: no /states" -- --set "data.files=[$PWD/nostates.h5]"
"$tw" simulate "$data/../../../configs/simulate-pbpk.yaml" --set output.states=true --set output.every_min=5 \
  -o pbpk.h5 >pbpk.log 2>&1 || { cat pbpk.log; exit 1; }
expect2 otherpack "pbpk.h5: data simulated with pack pbpk, not with t1d (the pack of this training or model)" -- --set "data.files=[$PWD/pbpk.h5]"
: >empty.h5
expect2 empty "empty.h5" -- --set "data.files=[$PWD/empty.h5]"

# evaluate
"$tw" evaluate --model t1/model.h5 --data data.h5 --json eval.json >eval.log 2>&1 || { cat eval.log; exit 1; }
flat=$(tr -d ' \n' <eval.json)
if [[ $flat == *'"observable":"bg"'*'"rmse":{"30":'*'"60":'*'"120":'*'"mae":{"30":'*'"persistence_rmse":{"30":'* &&
      $flat == *'"n_origins":'*'"observables":{"bg":{"rmse":{"30":'* ]]; then ok "evaluate: ${flat:0:160}"
else bad "evaluate JSON: $flat"; fi
exit $fail
