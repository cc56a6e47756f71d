#!/bin/sh
# compare-pytorch.sh: twinscale's GRT against PyTorch on the CPU, same model, sizes
# and thread count, in one run, with the machine's large-sgemm rate as the ceiling.
#
#   scripts/compare-pytorch.sh [--twinscale build/twinscale] [--batch 8192] [--threads 2]
#                              [--repeats 3] [--rounds 1]
#
# Each round runs, back to back: `twinscale bench gemm` (OpenBLAS, square 2048, the
# ceiling), `twinscale bench nn` (forward and forward+backward, reference model,
# T=24) and validation/grt_bench_torch.py (PyTorch eager, torch.set_num_threads),
# then prints the ratios of that round. Rounds repeat the whole set so that load
# from other processes shows up as spread rather than as a biased ratio.
# Needs Debian's python3-torch (/usr/bin/python3 -s).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
ts="$here/build/twinscale"
batch=8192 threads=2 repeats=3 rounds=1
while [ $# -gt 0 ]; do
  case "$1" in
    --twinscale) ts=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --repeats) repeats=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "compare-pytorch.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ -x "$ts" ] || { echo "compare-pytorch.sh: $ts not found (build first or pass --twinscale)" >&2; exit 2; }
export OMP_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# value after "B=$batch ... MODE:" in a bench line: field 1 twin-steps/s, 3 GFLOP/s
pick() { grep "B=$batch .* $2:" "$1" | sed 's/.*: //' | awk -v f="$3" '{print $f}'; }

echo "compare-pytorch: GRT reference model, B=$batch, T=24, $threads threads; $(date -u '+%Y-%m-%d %H:%M UTC'); commit $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)"
r=1
while [ "$r" -le "$rounds" ]; do
  "$ts" bench gemm --size 2048 --repeats 5 > "$tmp/gemm"
  "$ts" bench nn --batch "$batch" --threads "$threads" --repeats "$repeats" > "$tmp/nn"
  /usr/bin/python3 -s "$here/validation/grt_bench_torch.py" --batch "$batch" --threads "$threads" \
    --repeats "$repeats" > "$tmp/torch"
  gemm=$(tail -1 "$tmp/gemm" | sed 's/.*: //' | awk '{print $1}')
  tf=$(pick "$tmp/nn" forward 1); tfg=$(pick "$tmp/nn" forward 3)
  tb=$(pick "$tmp/nn" forward+backward 1); tbg=$(pick "$tmp/nn" forward+backward 3)
  pf=$(pick "$tmp/torch" forward 1); pb=$(pick "$tmp/torch" forward+backward 1)
  echo "round $r:"
  sed 's/^/  /' "$tmp/nn" | grep "B=$batch"
  sed 's/^/  /' "$tmp/torch" | grep "B=$batch"
  echo "  sgemm 2048: $gemm GFLOP/s"
  awk -v tf="$tf" -v pf="$pf" -v tb="$tb" -v pb="$pb" -v tfg="$tfg" -v tbg="$tbg" -v g="$gemm" 'BEGIN {
    printf "  ratio forward twinscale/pytorch:          %.2fx (target >= 5)\n", tf / pf
    printf "  ratio forward+backward twinscale/pytorch: %.2fx (target >= 3)\n", tb / pb
    printf "  forward GFLOP/s / sgemm GFLOP/s:          %.0f%% (target >= 50%%)\n", 100 * tfg / g
    printf "  forward+backward GFLOP/s / sgemm:         %.0f%%\n", 100 * tbg / g }'
  r=$((r + 1))
done
