#!/bin/sh
# compare-train-pytorch.sh: twinscale's training throughput against the same
# training in PyTorch, same data, model, windows and thread count, in one run.
#
#   scripts/compare-train-pytorch.sh --data FILE [--twinscale build-rel/twinscale] [--steps 30]
#                                    [--threads 2] [--rounds 1] [--group 0] [--dry-run]
#
# FILE is a simulate file written with output.states: true (configs/train-t1d-data.yaml
# makes one; a smaller cohort, --set size=100, is enough for timing). The binary is
# --twinscale, else $TWINSCALE, else build-rel/twinscale (the script says which it
# uses; it builds nothing). --dry-run runs nothing heavy: it checks that the binary
# runs and takes the train keys set below, that the data file and the PyTorch script
# exist (and, where PyTorch imports, that the script takes its options), and prints
# the commands one round would run; exit 0 when all is in place, 2 if not.
#
# Each round runs, back to back, with OMP_NUM_THREADS=OPENBLAS_NUM_THREADS=threads:
#   twinscale bench gemm --size 2048 (OpenBLAS sgemm: the ceiling G);
#   twinscale train configs/train-t1d.yaml --set data.files=[FILE] --set steps=N
#       --set rollout.max=0 (teacher forcing only) --set validate_every=0
#       --set checkpoint.every=0 --set optimizer.warmup=max(1, N/5)
#     its "twin-steps/s (forward, backward, AdamW)": every step timed, the first too;
#   validation/grt_train_torch.py (PyTorch eager, torch.set_num_threads(threads),
#     GRT.forward_batched, masked MSE, clip_grad_norm_, torch.optim.AdamW, the same
#     learning-rate schedule; 2 untimed warm-up steps, then N timed ones; --group 0:
#     the step's 128 windows in one batch, the faster PyTorch; --group 16 as twinscale);
#     it checks its N, F, O against the model file twinscale just wrote;
# then prints both rates, the ratio of that round, each side's FLOP rate against G
# (3 x tw_grt_flops_per_twin_step per training twin-step, which the PyTorch script
# prints: 2,201,472 FLOP for the t1d model, N=7 F=49 H=64 Hr=64 L=2 M=64 O=3), and
# the largest ratio G allows over that PyTorch rate (a twinscale whose products all
# ran at the square-sgemm rate and did nothing else). A twin-step is one window step
# of one twin: a step counts windows x (context + horizon). Rounds repeat the pair
# so that load from other processes shows up as spread, not as a biased ratio.
# OMP_WAIT_POLICY and the like are passed through unchanged to both sides.
# Needs Debian's python3-torch and python3-h5py (/usr/bin/python3 -s, or PYTHON=...).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
ts=${TWINSCALE:-$here/build-rel/twinscale}
cfg=$here/configs/train-t1d.yaml
data="" steps=30 threads=2 rounds=1 group=0 dry=0
py=${PYTHON:-/usr/bin/python3 -s}
while [ $# -gt 0 ]; do
  case "$1" in
    --twinscale) ts=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --group) group=$2; shift 2 ;;
    --dry-run) dry=1; shift ;;
    -h|--help) sed -n '2,36p' "$0"; exit 0 ;;
    *) echo "compare-train-pytorch.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ -x "$ts" ] || { echo "compare-train-pytorch.sh: $ts not found (build first, pass --twinscale or set TWINSCALE)" >&2; exit 2; }
[ -n "$data" ] || { echo "compare-train-pytorch.sh: --data FILE is required (a simulate file with output.states: true)" >&2; exit 2; }
case "$data" in /*) ;; *) data=$(pwd)/$data ;; esac
echo "compare-train-pytorch: twinscale binary $ts"
warm=$((steps / 5)); [ "$warm" -ge 1 ] || warm=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ts_cmd OUT / torch_cmd OUT: the command lines, as printed and eval'ed (paths without
# spaces); the train keys are those of src/train/train_config.c.
ts_cmd() {
  echo "$ts train $cfg --set 'data.files=[$data]' --set steps=$steps --set rollout.max=0 --set validate_every=0" \
    "--set checkpoint.every=0 --set optimizer.warmup=$warm -o $1"
}
torch_cmd() {
  echo "$py $here/validation/grt_train_torch.py --data $data --model $1 --steps $steps --threads $threads" \
    "--group $group --lr-warmup $warm"
}

# dry_check: the binary takes the train keys, the files exist, the PyTorch script its options.
dry_check() {
  bad=0
  "$ts" train --help 2>&1 | grep -q -- "--set" || { echo "compare-train-pytorch: $ts train lacks --set" >&2; bad=1; }
  for k in files steps max validate_every every warmup; do # data.files, rollout.max, checkpoint.every, optimizer.warmup
    grep -q "\.key = \"$k\"" "$here/src/train/train_config.c" 2>/dev/null ||
      { echo "compare-train-pytorch: key $k not in src/train/train_config.c" >&2; bad=1; }
  done
  [ -f "$data" ] || { echo "compare-train-pytorch: data file $data missing" >&2; bad=1; }
  [ -f "$here/validation/grt_train_torch.py" ] || { echo "compare-train-pytorch: validation/grt_train_torch.py missing" >&2; bad=1; }
  if $py -c 'import torch, h5py' 2>/dev/null; then
    for o in --data --model --steps --threads --group --lr-warmup; do
      $py "$here/validation/grt_train_torch.py" --help 2>&1 | grep -q -- "$o" ||
        { echo "compare-train-pytorch: grt_train_torch.py lacks $o" >&2; bad=1; }
    done
  else
    echo "compare-train-pytorch: torch or h5py does not import with '$py' (the real run needs both)"
  fi
  echo "would run, per round, with OMP_NUM_THREADS=$threads:"
  echo "  $ts bench gemm --size 2048 --repeats 5"
  echo "  $(ts_cmd "$tmp/ts.h5")"
  echo "  $(torch_cmd "$tmp/ts.h5")"
  [ "$bad" = 0 ] && echo "compare-train-pytorch: dry run ok" && return 0
  return 2
}
if [ "$dry" = 1 ]; then dry_check; exit $?; fi
export OMP_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads"

echo "compare-train-pytorch: configs/train-t1d.yaml, teacher forcing, $steps steps, $threads threads," \
  "data $data; $(date -u '+%Y-%m-%d %H:%M UTC'); commit $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown);" \
  "OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-unset}"
r=1
while [ "$r" -le "$rounds" ]; do
  rm -f "$tmp/ts.h5"
  "$ts" bench gemm --size 2048 --repeats 5 > "$tmp/gemm"
  eval "$(ts_cmd "$tmp/ts.h5")" > "$tmp/ts.log" 2>&1 || { cat "$tmp/ts.log" >&2; exit 1; }
  eval "$(torch_cmd "$tmp/ts.h5")" > "$tmp/torch.log" 2>&1 || { cat "$tmp/torch.log" >&2; exit 1; }
  tr=$(grep 'twin-steps/s (forward, backward, AdamW)' "$tmp/ts.log" | tail -1 | sed 's/ twin-steps\/s.*//; s/.* //')
  pr=$(grep '^torch-train ' "$tmp/torch.log" | sed 's/.*: //' | awk '{print $1}')
  echo "round $r ($(date -u '+%H:%M:%S'), load $(cut -d' ' -f1-3 /proc/loadavg)):"
  grep 'twin-steps/s (forward, backward, AdamW)' "$tmp/ts.log" | tail -1 | sed 's/^/  twinscale: /'
  grep '^torch-train ' "$tmp/torch.log" | sed 's/^/  /'
  flops=$(grep '^torch-train ' "$tmp/torch.log" | sed 's/.*training FLOP\/twin-step //; s/[;)].*//')
  gemm=$(tail -1 "$tmp/gemm" | sed 's/.*: //' | awk '{print $1}')
  awk -v t="$tr" -v p="$pr" -v g="$gemm" -v f="$flops" 'BEGIN {
    printf "  sgemm 2048: %s GFLOP/s; twinscale %.1f GFLOP/s (%.0f%% of it), PyTorch %.1f (%.0f%%)\n", g,
      t * f * 1e-9, 100 * t * f * 1e-9 / g, p * f * 1e-9, 100 * p * f * 1e-9 / g
    printf "  ratio twinscale/pytorch: %.2fx (target >= 3; at the sgemm rate at most %.2fx)\n", t / p, g * 1e9 / f / p }'
  r=$((r + 1))
done
