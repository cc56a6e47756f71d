#!/bin/bash
# cohort_ranks.sh: `twinscale cohort generate` under mpiexec. With 2 and 3 ranks
# (each drawing its block of twin ids, the columns gathered, rank 0 writing),
# configs/cohort-t1d.yaml with a narrow steady-state window (so that some twins
# are drawn again) gives a file identical to 1 process's (h5diff: every dataset
# and attribute but rank_count-free ones; the same output name in separate
# directories keeps the config attribute equal) and the same summary lines
# (redraw counts summed over ranks); a cohort no twin of which can be drawn
# fails with the same one line (lowest twin, count over all ranks), exit 2, and
# no file.
# usage: cohort_ranks.sh TWINSCALE SOURCE_DIR MPIEXEC
bin=$1 src=$2 mpiexec=$3
command -v h5diff > /dev/null || { echo "SKIP: no h5diff"; exit 77; }
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
export OMP_NUM_THREADS=1
narrow=(--set parameters.steady_state.low=90 --set parameters.steady_state.high=180)
impossible=(--set parameters.steady_state.low=150 --set parameters.max_attempts=3)
gen() { # dir ranks args...
  local dir=$tmp/$1 n=$2; shift 2
  mkdir -p "$dir" && cd "$dir" || fail "mkdir $dir"
  if [ "$n" = 1 ]; then "$bin" cohort generate "$src/configs/cohort-t1d.yaml" -o c.h5 "$@" > out 2> err
  else "$mpiexec" -n "$n" "$bin" cohort generate "$src/configs/cohort-t1d.yaml" -o c.h5 "$@" > out 2> err; fi
  echo $? > rc
}
gen r1 1 "${narrow[@]}"
[ "$(cat "$tmp/r1/rc")" = 0 ] || fail "1 process: exit $(cat "$tmp/r1/rc"): $(cat "$tmp/r1/err")"
grep -Eq '^parameters: .* [1-9][0-9]* twin\(s\) redrawn' "$tmp/r1/out" || fail "no twin was drawn again: the test needs some"
for n in 2 3; do
  gen r$n $n "${narrow[@]}"
  [ "$(cat "$tmp/r$n/rc")" = 0 ] || fail "$n ranks: exit $(cat "$tmp/r$n/rc"): $(cat "$tmp/r$n/err")"
  h5diff "$tmp/r1/c.h5" "$tmp/r$n/c.h5" || fail "$n ranks: the cohort file differs from 1 process's"
  diff <(grep -v '^steady state' "$tmp/r1/out") <(grep -v '^steady state' "$tmp/r$n/out") ||
    fail "$n ranks: the summary differs"
  echo "ok: $n ranks: identical file and summary"
done
gen f1 1 "${impossible[@]}"
gen f3 3 "${impossible[@]}"
for d in f1 f3; do
  [ "$(cat "$tmp/$d/rc")" = 2 ] || fail "$d: exit $(cat "$tmp/$d/rc"), expected 2"
  [ ! -e "$tmp/$d/c.h5" ] && [ ! -e "$tmp/$d/c.h5.partial" ] || fail "$d: a file was left"
done
first=$(grep -m1 '^twin-' "$tmp/f1/err")
[ -n "$first" ] || fail "1 process: no message naming the twin: $(cat "$tmp/f1/err")"
grep -qxF -- "$first" "$tmp/f3/err" || fail "3 ranks: the message differs: $(head -1 "$tmp/f3/err") vs $first"
echo "ok: failure on 3 ranks: $first"
