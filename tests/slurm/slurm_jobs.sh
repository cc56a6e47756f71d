#!/usr/bin/env bash
# slurm_jobs.sh: the templates of scripts/slurm/ on a real single-node Slurm
# (ctest slurm_jobs, label slurm). It brings up its own throwaway cluster on this
# machine (tests/slurm/cluster.sh: munged and Slurm as root, everything in a
# temporary directory, free ports) and stops it on every exit, then:
#   trial   configs/quickstart.yaml on a 40-twin cohort for 1 day, submitted
#           with `sbatch --wait --ntasks=2`, once with srun (PMIx) and once with
#           mpirun as the launcher: the job ran 2 ranks, wrote the results file
#           and summary.json, every dataset of the file equals a 1-rank run's
#           outside Slurm (h5diff; root attributes such as the rank count may
#           differ) and summary.json is the same byte for byte;
#   twin fit  `twin fit` (a two-word command) on the CSV fixture of
#           tests/data/twin, `sbatch --wait --ntasks=2`: the summary names 2
#           ranks and every dataset equals a 1-rank run's outside Slurm;
#   gpu     gpu.sbatch on the cluster's two stand-in GPUs, the binary replaced
#           by a script that prints what each rank got: 2 ranks, each with one
#           CUDA_VISIBLE_DEVICES of its own, OMP_NUM_THREADS = --cpus-per-task;
#   requeue tests/data/train's small training for 4000 steps (~20 s), 2
#           tasks, sent USR1 the way --signal=B:USR1@120 sends it (`scancel
#           --batch`) once it is past step 300: it stops with a checkpoint (exit 138), the
#           job requeues itself and runs again with --resume (Slurm's own ~2
#           min hold on a requeued job is cut to 5 s with StartTime), and
#           the model equals an uninterrupted 1-rank run's in every dataset;
#   trial requeue  the same for a trial (400 twins, 2 days, chunks of 8): sent
#           USR1 once a chunk is recorded, every rank finishes its chunk, exits
#           138, the job requeues and goes on with --resume from the record,
#           and the results file equals an uninterrupted 1-rank run's.
# Needs root (or password-less sudo): Slurm's daemons run as root here. Exits
# 77 (skipped) only when it has neither; missing Debian packages are installed
# by scripts/setup.sh.
#   slurm_jobs.sh TWINSCALE SOURCE_DIR OUTDIR
set -uo pipefail
tw=$1 src=$2 out=$3
if [[ $(id -u) -ne 0 ]]; then
  if sudo -n true 2>/dev/null; then exec sudo -n -E bash "$0" "$@"; fi
  echo "SKIP: a Slurm cluster's daemons need root, and this is uid $(id -u) without password-less sudo"
  exit 77
fi
for bin in slurmctld slurmd munged sbatch h5diff python3; do
  command -v $bin >/dev/null || { bash "$src/scripts/setup.sh" || exit 1; break; }
done
source "$src/tests/slurm/cluster.sh"
unset $(compgen -v SLURM_) # when CI itself runs inside a Slurm job: none of its job here

rm -rf "$out" && mkdir -p "$out" && cd "$out" || exit 1
cluster=$(mktemp -d /tmp/tw-slurm.XXXXXX) # short: munge's socket path must fit a sockaddr_un
finish() {
  local rc=$?
  ((rc == 0)) || cp "$cluster"/*.log "$cluster"/munge/*.log "$out/" 2>/dev/null
  tw_cluster_stop
  rm -rf "$cluster"
  echo "slurm_jobs: $((SECONDS)) s, cluster stopped, $cluster removed"
  exit $rc
}
trap finish EXIT
trap 'exit 1' INT TERM

fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
die() { echo "FAIL: $*"; exit 1; }

# same F1 F2: every dataset of F1 is in F2 and identical.
same() {
  local diff=0 n=0 d
  for d in $(h5ls -r "$1" | awk '$2 == "Dataset" {print $1}'); do
    n=$((n + 1))
    h5diff "$1" "$2" "$d" "$d" >/dev/null || { echo "  differs: $d"; diff=1; }
  done
  ((n > 0)) || { echo "  no datasets in $1"; diff=1; }
  echo "  $n datasets compared"
  return $diff
}

tw_cluster_start "$cluster" || die "the cluster did not start"
ok "cluster up in $SECONDS s: $(sinfo -h -o '%P %D node(s) %c CPUs %m MB %G %t' | paste -sd ';') ($SLURM_CONF)"
export TWINSCALE=$tw
submit() { sbatch --parsable --ntasks=2 --cpus-per-task=1 --output=job-%j.out "$@"; } # OPTIONS... SCRIPT ARGS...
cpu_sbatch=$src/scripts/slurm/cpu.sbatch

# trial
cp "$src/configs/quickstart.yaml" "$src/configs/cohort-t1d.yaml" .
"$tw" cohort generate cohort-t1d.yaml -o cohort-t1d.h5 --set size=40 --set 'subgroups=[]' >cohort.log 2>&1 ||
  { cat cohort.log; die "cohort generate"; }
day=(--set duration_min=1440 --set warmup_min=1440 --set output.chunk_twins=8)
outs() { echo -o "$1.h5" --set output.summary="$1.json" --set output.report="$1.html"; }
OMP_NUM_THREADS=1 "$tw" trial quickstart.yaml "${day[@]}" $(outs one) >one.log 2>&1 || { cat one.log; die "1-rank trial"; }
for launch in srun mpirun; do
  t0=$SECONDS
  jid=$(OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 TW_LAUNCH=$launch \
        submit --wait "$cpu_sbatch" trial quickstart.yaml "${day[@]}" $(outs $launch)) ||
    { cat job-*.out; die "trial job ($launch) failed"; }
  log=job-$jid.out
  if ! grep -q "rank 0/2" "$log"; then bad "trial ($launch): not 2 ranks: $(cat "$log")"
  elif [[ ! -f $launch.h5 || ! -f $launch.json ]]; then bad "trial ($launch): no $launch.h5 or $launch.json: $(ls)"
  elif same one.h5 $launch.h5 && cmp -s one.json $launch.json; then
    ok "trial job $jid, 2 ranks by $launch, $((SECONDS - t0)) s: every dataset and summary.json equal 1 rank's"
  else bad "trial ($launch): differs from 1 rank"; fi
done

# twin fit: a two-word command through cpu.sbatch, 2 ranks by srun
export TW_SALT="twinscale-test-salt-0123456789"
"$tw" twin import --records "$src/tests/data/twin/records.csv" --persons "$src/tests/data/twin/persons.csv" \
  --salt-env TW_SALT -o records.h5 >import.log 2>&1 || { cat import.log; die "twin import"; }
printf 'kind: twin_fit\nrecords: records.h5\nfit_days: [1, 1]\noutput: {path: fit-one.h5}\n' >fit.yaml
OMP_NUM_THREADS=1 "$tw" twin fit fit.yaml >fit-one.log 2>&1 || { cat fit-one.log; die "1-rank twin fit"; }
t0=$SECONDS
jid=$(submit --wait "$cpu_sbatch" twin fit fit.yaml -o fit-job.h5) || { cat job-*.out; die "twin fit job failed"; }
if ! grep -q "^MAP + sampler: .* on 2 ranks " "job-$jid.out"; then bad "twin fit: not 2 ranks: $(cat "job-$jid.out")"
elif same fit-one.h5 fit-job.h5; then ok "twin fit job $jid, 2 ranks by srun, $((SECONDS - t0)) s: every dataset equals 1 rank's"
else bad "twin fit: differs from 1 rank"; fi

# gpu: gpu.sbatch on the node's two stand-in GPUs (cluster.sh), with a stand-in
# for the binary that reports what each rank was given (there is no GPU here)
cat >fake-twinscale <<'SH'
#!/usr/bin/env bash
[[ ${2:-} == --help ]] && exit 0
echo "rank $SLURM_PROCID local $SLURM_LOCALID devices ${CUDA_VISIBLE_DEVICES-none} threads $OMP_NUM_THREADS"
SH
chmod +x fake-twinscale
jid=$(TWINSCALE=$PWD/fake-twinscale submit --wait "$src/scripts/slurm/gpu.sbatch" trial quickstart.yaml) ||
  { cat job-*.out; die "gpu.sbatch job failed"; }
ranks=$(grep -c '^rank' "job-$jid.out") devices=$(awk '/^rank/ {print $6}' "job-$jid.out" | sort -u | paste -sd ' ')
if [[ $ranks == 2 && $devices =~ ^[0-9]+\ [0-9]+$ ]] && ! grep '^rank' "job-$jid.out" | grep -vq 'threads 1$'; then
  ok "gpu.sbatch job $jid: each of 2 ranks sees one GPU of its own (CUDA_VISIBLE_DEVICES $devices), 1 thread"
else bad "gpu.sbatch binding: $(cat "job-$jid.out")"; fi

# requeue
cp "$src/tests/data/train/data.yaml" . && "$tw" simulate data.yaml >sim.log 2>&1 || { cat sim.log; die "simulate"; }
long=(--set steps=4000 --set validate_every=100 --set checkpoint.every=50)
for d in full job; do mkdir -p $d && cp "$src/tests/data/train/train.yaml" $d/ && ln -sf "$PWD/data.h5" $d/data.h5; done
t0=$SECONDS
(cd full && OMP_NUM_THREADS=1 "$tw" train train.yaml "${long[@]}" >log 2>&1) || { cat full/log; die "uninterrupted train"; }
ok "uninterrupted 1-rank training: $((SECONDS - t0)) s"
t0=$SECONDS
jid=$(cd job && submit "$cpu_sbatch" train train.yaml "${long[@]}") || die "sbatch train"
log=job/job-$jid.out
past300() { grep -qE "step ([3-9]|[1-9][0-9])[0-9]{2}/" "$log" 2>/dev/null; }
for _ in $(seq 900); do past300 && break; sleep 0.1; done
past300 || die "job $jid not past step 300 after 90 s: $(cat "$log" 2>/dev/null)"
[[ -f job/model.h5 ]] && die "the training ended before USR1 (make it longer)"
scancel --batch --signal=USR1 "$jid" || die "scancel --batch --signal=USR1"
echo "  USR1 sent at $((SECONDS - t0)) s: $(grep -oE 'step [0-9]+/' "$log" | tail -1)"
# await_requeue JID T0: until the job has run again and ended; $info, $state, $restarts, $jobstate set
await_requeue() {
local jid=$1 t0=$2 last=""
info="" state=""
for _ in $(seq 1200); do
  info=$(scontrol show job -o "$jid" 2>/dev/null) || die "job $jid: no record (purged?)"
  state=$(grep -oE 'JobState=[A-Z_]+ Reason=[^ ]+' <<<"$info")
  # Slurm holds a requeued job ~2 min (Reason BeginTime): shortened to 5 s (at
  # once, slurmd refuses it: "Job credential revoked" for the first run)
  if [[ $state == "JobState=PENDING Reason=BeginTime" ]]; then
    begin=$(grep -oE 'StartTime=[0-9T:-]+' <<<"$info" | cut -d= -f2)
    if [[ -n $begin ]] && (($(date -d "$begin" +%s) > $(date +%s) + 10)); then
      scontrol update JobId="$jid" StartTime=now+5 && echo "  $((SECONDS - t0)) s: begin time $begin -> now+5 s"
    fi
  fi
  [[ $state != "$last" ]] && echo "  $((SECONDS - t0)) s: $state" && last=$state
  [[ $state =~ JobState=(PENDING|RUNNING|REQUEUED|COMPLETING|CONFIGURING) ]] || break
  sleep 0.1
done
restarts=$(grep -oE 'Restarts=[0-9]+' <<<"$info") jobstate=${state%% *}
}
await_requeue "$jid" "$t0"
[[ $jobstate == JobState=COMPLETED ]] || die "job $jid: '$state' (120 s at most)"
if ! grep -q "stopped by signal 10 after step" "$log" || ! grep -q "Exited with exit code 138" "$log" ||
   ! grep -q "requeueing to resume" "$log"; then
  bad "train: no checkpoint on USR1, exit 138 and requeue in the job's log: $(cat "$log")"
elif [[ $restarts != Restarts=1 || $jobstate != JobState=COMPLETED ]] || ! grep -q "resuming from" "$log"; then
  bad "train: $restarts $jobstate, want one restart that resumed: $(grep -v 'info: train: step' "$log")"
elif same full/model.h5 job/model.h5; then
  ok "train job $jid: $(grep -oE 'stopped by signal 10 after step [0-9]+' "$log"), exit 138, requeued,"\
     "$(grep -oE 'resuming from .* at step [0-9]+' "$log"): every dataset equals the uninterrupted model ($((SECONDS - t0)) s)"
else bad "train: the resumed model differs from the uninterrupted one"; fi

# trial requeue
"$tw" cohort generate cohort-t1d.yaml -o cohort-400.h5 --set size=400 --set 'subgroups=[]' >cohort400.log 2>&1 ||
  { cat cohort400.log; die "cohort generate (400)"; }
mkdir -p tfull tjob && cp quickstart.yaml tfull/ && cp quickstart.yaml tjob/
two=(--set twins.cohort=$PWD/cohort-400.h5 --set duration_min=2880 --set warmup_min=0 --set output.chunk_twins=8)
t0=$SECONDS
(cd tfull && OMP_NUM_THREADS=1 "$tw" trial quickstart.yaml "${two[@]}" -o t.h5 >log 2>&1) || { cat tfull/log; die "uninterrupted trial"; }
ok "uninterrupted 1-rank trial (400 twins, 2 days): $((SECONDS - t0)) s"
t0=$SECONDS
jid=$(cd tjob && OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 submit "$cpu_sbatch" trial quickstart.yaml \
      "${two[@]}" -o t.h5) || die "sbatch trial"
log=tjob/job-$jid.out
recorded() { grep -q '^done [01]*1' tjob/t.h5.resume 2>/dev/null; }
for _ in $(seq 900); do recorded && break; sleep 0.1; done
recorded || die "trial job $jid: no chunk recorded after 90 s: $(cat "$log" 2>/dev/null)"
[[ -f tjob/t.h5 ]] && die "the trial ended before USR1 (make it longer)"
scancel --batch --signal=USR1 "$jid" || die "scancel --batch --signal=USR1 (trial)"
echo "  USR1 sent at $((SECONDS - t0)) s: $(grep -o '^done [01]*' tjob/t.h5.resume | tr -cd 1 | wc -c) chunks recorded"
await_requeue "$jid" "$t0"
if ! grep -q "stopped by SIGUSR1 with" "$log" || ! grep -q "Exited with exit code 138" "$log"; then
  bad "trial: no stop on USR1 with exit 138 in the job's log: $(cat "$log")"
elif [[ $restarts != Restarts=1 || $jobstate != JobState=COMPLETED ]] || ! grep -q "going on from" "$log"; then
  bad "trial: $restarts $jobstate, want one restart that went on from the record: $(cat "$log")"
elif same tfull/t.h5 tjob/t.h5; then
  ok "trial job $jid: $(grep -oE 'stopped by SIGUSR1 with [0-9]+ of [0-9]+ chunks' "$log"), exit 138, requeued,"\
     "$(grep -oE 'going on from [^ ]*: [0-9]+ of [0-9]+ twins' "$log"): every dataset equals the uninterrupted run ($((SECONDS - t0)) s)"
else bad "trial: the resumed file differs from the uninterrupted one"; fi
exit $fail
