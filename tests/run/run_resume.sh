#!/usr/bin/env bash
# run_resume.sh: checkpoints and --resume of the run engine, through the binary
# (ctest run_resume; run_resume_ranks with MPIEXEC). A 200-twin, 3-day
# crossover trial in 13 chunks of 16 twins is the run; its uninterrupted
# results file is the reference, and "identical" means every dataset equal
# (h5diff, no tolerance):
#   kill     SIGKILL once a random number (1-8) of chunks is recorded,
#            3 times: --resume finishes a file identical to the reference,
#            and no .partial, .resume or .strings file stays behind;
#   term     SIGTERM: exit 143, the .partial file and the record kept; --resume:
#            identical;
#   usr1     SIGUSR1: exit 138 after the chunk in hand; --resume: identical;
#   refuse   --resume with another config (seed), with a record from another
#            twinscale version, with a damaged record: exit 2 naming the
#            record, which is left in place;
#   fresh    --resume with no record starts from the beginning: identical;
#   simulate a simulate run killed and resumed: identical;
#   full     a file-size limit (`ulimit -f`, as a full disk) hit mid-run:
#            exit 1 naming the file and "File too large", no crash, no
#            results file, no partial file, no record;
#   ranks    (with MPIEXEC) 2 ranks, one killed with SIGKILL, resumed on 2
#            ranks and on 1; 1 rank killed, resumed on 2: identical.
#   run_resume.sh TWINSCALE REPO OUTDIR [MPIEXEC]
set -euo pipefail
tw=$1 repo=$2 out=$3 mpiexec=${4:-}
command -v h5diff >/dev/null || { echo "SKIP: no h5diff (hdf5-tools)"; exit 77; }
rm -rf "$out" && mkdir -p "$out" && cd "$out"
export OMP_NUM_THREADS=1
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

# identical F: every dataset of F equal to the reference's
identical() {
  local d diff=0
  for d in $(h5ls -r ref.h5 | awk '$2 == "Dataset" {print $1}'); do
    h5diff ref.h5 "$1" "$d" "$d" >/dev/null 2>&1 || { echo "  differs: $d"; diff=1; }
  done
  return $diff
}
leftovers() { ls "$1".partial "$1".resume "$1".partial.strings 2>/dev/null || true; }
# (0 when there is no record: a finished run removed it; pipefail must not end the script)
chunks_done() { { grep -o '^done [01]*' "$1.resume" 2>/dev/null || true; } | tr -cd 1 | wc -c; }

"$tw" cohort generate "$repo/configs/cohort-t1d.yaml" --set size=200 --set "subgroups=[]" -o cohort.h5 >cohort.log 2>&1 ||
  { cat cohort.log; exit 1; }
sed -e 's#cohort: cohort-t1d.h5 .*#cohort: cohort.h5#' -e 's#^duration_min: .*#duration_min: 4320#' \
    -e 's#^warmup_min: .*#warmup_min: 0#' "$repo/configs/quickstart.yaml" > trial.yaml
args=(trial trial.yaml --set output.chunk_twins=16)
"$tw" "${args[@]}" -o ref.h5 >ref.log 2>&1 || { cat ref.log; exit 1; }

# start NAME [LAUNCH...]: the run in the background, its pid in $pid; waits for
# $after recorded chunks (default 1). Waiting for a number of chunks, not a
# time, keeps the kill mid-run however fast the build is (an -O3 build finished
# the 2-rank runs within the old random sleep of up to 0.4 s).
start() {
  local name=$1; shift
  rm -f "$name".h5 "$name".h5.*
  ("$@" "$tw" "${args[@]}" -o "$name.h5" >"$name.log" 2>&1) & pid=$!
  for _ in $(seq 3000); do (( $(chunks_done "$name.h5") >= ${after:-1} )) && return 0; sleep 0.01; done
  return 1
}
resume() { # NAME [LAUNCH...] (a hung run fails the test: timeout)
  local name=$1; shift
  timeout 150 "$@" "$tw" "${args[@]}" -o "$name.h5" --resume >"$name.resume.log" 2>&1 || { cat "$name.resume.log"; return 1; }
}

# kill
for i in 1 2 3; do
  after=$((1 + RANDOM % 8)) start kill$i || { bad "kill $i: no chunk recorded"; continue; }
  kill -9 $pid 2>/dev/null || true; wait $pid 2>/dev/null || true
  at=$(chunks_done kill$i.h5)
  if [[ -f kill$i.h5 ]]; then bad "kill $i: the run ended before the kill"; continue; fi
  if resume kill$i && identical kill$i.h5 && [[ -z $(leftovers kill$i.h5) ]]; then
    ok "SIGKILL with $at of 13 chunks recorded, resumed: identical, nothing left over"
  else bad "SIGKILL at $at chunks: resumed file differs or files left: $(leftovers kill$i.h5)"; fi
done

# term and usr1
for sig in TERM:143 USR1:138; do
  name=${sig%%:*} want=${sig##*:}
  start "$name" || { bad "$name: no chunk recorded"; continue; }
  kill -"$name" $pid; rc=0; wait $pid || rc=$?
  at=$(chunks_done "$name.h5")
  if [[ $rc == "$want" && -f $name.h5.partial && -f $name.h5.resume ]] && grep -q "with --resume goes on" "$name.log"; then
    if resume "$name" && identical "$name.h5"; then ok "SIG$name: exit $rc, $at chunks kept; resumed: identical"
    else bad "SIG$name: resumed file differs"; fi
  else bad "SIG$name: exit $rc (want $want), files: $(leftovers "$name.h5"): $(tail -1 "$name.log")"; fi
done

# refuse: a stopped run's record against another config, another version, damage
start other || bad "other: no chunk recorded"
kill -TERM $pid; wait $pid || true
refuse() { # NAME WANT [ARGS...]
  local name=$1 want=$2 rc=0; shift 2
  "$tw" "${args[@]}" -o other.h5 --resume "$@" >"refuse-$name.log" 2>&1 || rc=$?
  if [[ $rc == 2 ]] && grep -qF -- "$want" "refuse-$name.log" && [[ -f other.h5.resume ]]; then
    ok "resume refuses $name: exit 2: $(grep -F -- "$want" "refuse-$name.log" | head -1)"
  else bad "resume with $name: exit $rc: $(tail -2 "refuse-$name.log")"; fi
}
refuse "another config" "written by another config" --set seed=43
cp other.h5.resume record.bak
sed -i 's/^version .*/version 0.0.1 0123456789ab/' other.h5.resume
refuse "another version" "written by twinscale 0.0.1 0123456789ab"
head -c 40 record.bak > other.h5.resume
refuse "a damaged record" "not a run record twinscale can read"
cp record.bak other.h5.resume
if resume other && identical other.h5; then ok "the record put back: resumed, identical"; else bad "other: resume"; fi

# fresh
rm -f fresh.h5*
if resume fresh && identical fresh.h5 && grep -q "no record of a stopped run" fresh.resume.log; then
  ok "--resume without a record: from the beginning, identical"
else bad "--resume without a record"; fi

# simulate
cp "$repo/configs/simulate-t1d-random.yaml" sim.yaml
sargs=(simulate sim.yaml --set output.chunk_twins=2 --set duration_min=40320)
"$tw" "${sargs[@]}" -o sref.h5 >sref.log 2>&1 || { cat sref.log; exit 1; }
("$tw" "${sargs[@]}" -o skill.h5 >skill.log 2>&1) & pid=$!
for _ in $(seq 3000); do (( $(chunks_done skill.h5) >= 1 )) && break; sleep 0.01; done
kill -9 $pid 2>/dev/null || true; wait $pid 2>/dev/null || true
at=$(chunks_done skill.h5)
if [[ -f skill.h5 ]]; then bad "simulate: ended before the kill"
elif "$tw" "${sargs[@]}" -o skill.h5 --resume >skill.resume.log 2>&1; then
  diff=0
  for d in $(h5ls -r sref.h5 | awk '$2 == "Dataset" {print $1}'); do h5diff sref.h5 skill.h5 "$d" "$d" >/dev/null || diff=1; done
  ((diff == 0)) && ok "simulate killed with $at of 5 chunks recorded, resumed: identical" || bad "simulate resume differs"
else bad "simulate resume: $(tail -2 skill.resume.log)"; fi

# full
rc=0; (ulimit -f 400; exec "$tw" "${args[@]}" -o full.h5 >full.log 2>&1) || rc=$?
if [[ $rc == 1 ]] && grep -q "full.h5.partial.*File too large" full.log && [[ ! -e full.h5 && -z $(leftovers full.h5) ]]; then
  ok "a file-size limit mid-run: exit 1, the file named, nothing left"
else bad "file-size limit: exit $rc, left: $(leftovers full.h5) $(ls full.h5 2>/dev/null): $(tail -c 300 full.log)"; fi

# ranks
if [[ -n $mpiexec ]]; then
  for plan in 2:2 2:1 1:2; do
    n0=${plan%%:*} n1=${plan##*:} name=r$n0$n1
    after=$((1 + RANDOM % 6)) start "$name" "$mpiexec" -n "$n0" || { bad "$name: no chunk recorded"; continue; }
    victim=$(pgrep -f -- "-o $name.h5" | tail -1 || true)
    kill -9 "$victim" 2>/dev/null || true; wait $pid 2>/dev/null || true
    at=$(chunks_done "$name.h5")
    if [[ -f $name.h5 ]]; then bad "$name: the run ended before the kill"; continue; fi
    if resume "$name" "$mpiexec" -n "$n1" && identical "$name.h5" && [[ -z $(leftovers "$name.h5") ]]; then
      ok "$n0 ranks, one killed with $at chunks recorded, resumed on $n1: identical"
    else bad "$n0 ranks killed at $at, resumed on $n1: differs or left $(leftovers "$name.h5")"; fi
  done
fi
exit $fail
