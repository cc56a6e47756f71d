#!/bin/sh
# compare-pytorch.sh: twinscale's GRT against PyTorch, same model, sizes and thread
# count, in one run, with the machine's large-sgemm rate as the ceiling.
#
#   scripts/compare-pytorch.sh [--twinscale build/twinscale] [--batch 8192] [--threads 2]
#                              [--repeats 3] [--rounds 1] [--backend cpu|cuda] [--dry-run]
#
# The binary is --twinscale, else $TWINSCALE, else build/twinscale (the script
# says which it uses). --dry-run runs nothing heavy: it checks that the binary
# runs and that its bench commands take every option passed below, that the
# PyTorch script exists (and, where PyTorch imports, takes its options), and
# prints the commands one round would run; exit 0 when all is in place, 2 if not.
#
# With --backend cuda the same runs on the GPU: twinscale bench nn --backend cuda,
# bench gemm --backend cuda (size 4096), PyTorch CUDA eager (LSTMCell loop) and
# PyTorch with the LSTM as one torch.nn.LSTM call (cuDNN); needs a PyTorch with CUDA
# as /usr/bin/python3 (or PYTHON=...).
#
# Each round runs, back to back: `twinscale bench gemm` (OpenBLAS, square 2048, the
# ceiling), `twinscale bench nn` (forward and forward+backward, reference model,
# T=24) and validation/grt_bench_torch.py (PyTorch eager, torch.set_num_threads),
# then prints the ratios of that round. Rounds repeat the whole set so that load
# from other processes shows up as spread rather than as a biased ratio.
# Needs Debian's python3-torch (/usr/bin/python3 -s).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
ts=${TWINSCALE:-$here/build/twinscale}
batch=8192 threads=2 repeats=3 rounds=1 backend=cpu dry=0
py=${PYTHON:-/usr/bin/python3 -s}
while [ $# -gt 0 ]; do
  case "$1" in
    --twinscale) ts=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --repeats) repeats=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --backend) backend=$2; shift 2 ;;
    --dry-run) dry=1; shift ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "compare-pytorch.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ -x "$ts" ] || { echo "compare-pytorch.sh: $ts not found (build first, pass --twinscale or set TWINSCALE)" >&2; exit 2; }
echo "compare-pytorch: twinscale binary $ts"
case "$backend" in cpu) gsize=2048 ;; cuda) gsize=4096 ;; *) echo "compare-pytorch.sh: --backend cpu or cuda" >&2; exit 2 ;; esac

# dry_check: the options each command below is given, against its --help.
dry_check() {
  bad=0
  for o in --backend --size --repeats; do
    "$ts" bench gemm --help 2>&1 | grep -q -- "$o" || { echo "compare-pytorch: bench gemm lacks $o" >&2; bad=1; }
  done
  for o in --backend --batch --threads --repeats; do
    "$ts" bench nn --help 2>&1 | grep -q -- "$o" || { echo "compare-pytorch: bench nn lacks $o" >&2; bad=1; }
  done
  [ -f "$here/validation/grt_bench_torch.py" ] || { echo "compare-pytorch: validation/grt_bench_torch.py missing" >&2; bad=1; }
  if $py -c 'import torch' 2>/dev/null; then
    for o in --device --lstm --batch --threads --repeats; do
      $py "$here/validation/grt_bench_torch.py" --help 2>&1 | grep -q -- "$o" ||
        { echo "compare-pytorch: grt_bench_torch.py lacks $o" >&2; bad=1; }
    done
  else
    echo "compare-pytorch: PyTorch does not import with '$py' (the real run needs it)"
  fi
  echo "would run, per round:"
  echo "  $ts bench gemm --backend $backend --size $gsize --repeats 5"
  echo "  $ts bench nn --backend $backend --batch $batch --threads $threads --repeats $repeats"
  echo "  $py $here/validation/grt_bench_torch.py --device $backend --batch $batch --threads $threads --repeats $repeats"
  [ "$backend" = cuda ] &&
    echo "  $py $here/validation/grt_bench_torch.py --device cuda --lstm cudnn --batch $batch --repeats $repeats"
  [ "$bad" = 0 ] && echo "compare-pytorch: dry run ok" && return 0
  return 2
}
if [ "$dry" = 1 ]; then dry_check; exit $?; fi
export OMP_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# value after "B=$batch ... MODE:" in a bench line: field 1 twin-steps/s, 3 GFLOP/s
pick() { grep "B=$batch .* $2:" "$1" | sed 's/.*: //' | awk -v f="$3" '{print $f}'; }
echo "compare-pytorch: GRT reference model, B=$batch, T=24, $backend, $threads threads; $(date -u '+%Y-%m-%d %H:%M UTC'); commit $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)"
r=1
while [ "$r" -le "$rounds" ]; do
  "$ts" bench gemm --backend "$backend" --size "$gsize" --repeats 5 > "$tmp/gemm"
  "$ts" bench nn --backend "$backend" --batch "$batch" --threads "$threads" --repeats "$repeats" > "$tmp/nn"
  $py "$here/validation/grt_bench_torch.py" --device "$backend" --batch "$batch" --threads "$threads" \
    --repeats "$repeats" > "$tmp/torch"
  if [ "$backend" = cuda ]; then
    $py "$here/validation/grt_bench_torch.py" --device cuda --lstm cudnn --batch "$batch" --repeats "$repeats" \
      > "$tmp/cudnn"
  fi
  gemm=$(tail -1 "$tmp/gemm" | sed 's/.*: //' | awk '{print $1}')
  tf=$(pick "$tmp/nn" forward 1); tfg=$(pick "$tmp/nn" forward 3)
  tb=$(pick "$tmp/nn" forward+backward 1); tbg=$(pick "$tmp/nn" forward+backward 3)
  pf=$(pick "$tmp/torch" forward 1); pb=$(pick "$tmp/torch" forward+backward 1)
  echo "round $r:"
  sed 's/^/  /' "$tmp/nn" | grep "B=$batch"
  sed 's/^/  /' "$tmp/torch" | grep "B=$batch"
  [ "$backend" = cuda ] && sed 's/^/  /' "$tmp/cudnn" | grep "B=$batch"
  echo "  sgemm $gsize ($backend): $gemm GFLOP/s"
  awk -v tf="$tf" -v pf="$pf" -v tb="$tb" -v pb="$pb" -v tfg="$tfg" -v tbg="$tbg" -v g="$gemm" 'BEGIN {
    printf "  ratio forward twinscale/pytorch:          %.2fx (target >= 5)\n", tf / pf
    printf "  ratio forward+backward twinscale/pytorch: %.2fx (target >= 3)\n", tb / pb
    printf "  forward GFLOP/s / sgemm GFLOP/s:          %.0f%% (target >= 50%%)\n", 100 * tfg / g
    printf "  forward+backward GFLOP/s / sgemm:         %.0f%%\n", 100 * tbg / g }'
  if [ "$backend" = cuda ]; then
    cf=$(pick "$tmp/cudnn" forward 1); cb=$(pick "$tmp/cudnn" forward+backward 1)
    awk -v tf="$tf" -v cf="$cf" -v tb="$tb" -v cb="$cb" 'BEGIN {
      printf "  ratio forward twinscale/pytorch-cudnn:    %.2fx\n", tf / cf
      printf "  ratio fwd+bwd twinscale/pytorch-cudnn:    %.2fx\n", tb / cb }'
  fi
  r=$((r + 1))
done
