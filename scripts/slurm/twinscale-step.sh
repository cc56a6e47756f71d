#!/usr/bin/env bash
# scripts/slurm/twinscale-step.sh: the body of the sbatch templates (cpu.sbatch,
# gpu.sbatch), kept in one place: it starts one twinscale job step on the
# allocation and turns a stop request into a checkpoint, a requeue and an
# automatic resume (docs/slurm.md).
#
#   twinscale-step.sh COMMAND CONFIG [ARGS...]      (inside a batch job)
#
# COMMAND is a twinscale command (trial, simulate, train, cohort ...). What it does:
#   - OMP_NUM_THREADS and SRUN_CPUS_PER_TASK from the job's --cpus-per-task (since
#     Slurm 22.05 srun does not inherit sbatch's --cpus-per-task by itself);
#   - launches the ranks with `srun` (TW_LAUNCH=srun, the default; the cluster's
#     MpiDefault, or TW_SRUN_MPI, picks PMI) or `mpirun` (TW_LAUNCH=mpirun: Open
#     MPI's mpirun finds the allocation and starts its daemons through srun);
#   - resumable commands (those whose --help offers --resume: train, trial, simulate) get
#     --resume when the job runs again (SLURM_RESTART_COUNT > 0), when TW_RESUME=1,
#     or when TW_CHECKPOINT names a file that exists;
#   - USR1 (from --signal=B:USR1@120 ahead of the time limit, or `scancel
#     --batch --signal=USR1`) is forwarded to the step for a resumable command:
#     every rank stops at a safe point, writes its checkpoint and exits 138; the
#     job then requeues itself (`scontrol requeue`), at most TW_MAX_REQUEUE times
#     (default 20). A command that cannot resume is left running (a stopped run
#     would be lost: better to let it use the 120 s left);
#   - exits with the step's code (0, 2 for bad input, 130/143/138 when stopped).
# Environment: TWINSCALE (the binary; default `twinscale` on PATH), TW_LAUNCH,
# TW_SRUN_MPI, TW_RESUME, TW_CHECKPOINT, TW_MAX_REQUEUE.
set -uo pipefail

(($# >= 2)) || { echo "usage: twinscale-step.sh COMMAND CONFIG [ARGS...]" >&2; exit 2; }
tw=${TWINSCALE:-twinscale}
command=$1 config=$2
shift 2
say() { echo "twinscale-step[job ${SLURM_JOB_ID:-?} run ${SLURM_RESTART_COUNT:-0}]: $*" >&2; }

export OMP_NUM_THREADS=${SLURM_CPUS_PER_TASK:-${OMP_NUM_THREADS:-1}}
export SRUN_CPUS_PER_TASK=${SLURM_CPUS_PER_TASK:-1}

# The trap goes in first, so that a USR1 never kills this shell; one that comes
# before the step has started is not passed on (the ranks would not yet catch it).
stop_asked=0 interrupted=0 step="" resumable=0
on_usr1() {
  interrupted=1
  if [[ -z $step ]]; then say "USR1 before the step started: ignored"; return; fi
  if ((!resumable)); then say "USR1: '$command' cannot resume; left running"; return; fi
  stop_asked=1
  say "USR1: asking every rank to checkpoint and stop"
  kill -USR1 "$step" 2>/dev/null || true # srun and mpirun pass USR1 on to every rank
}
trap on_usr1 USR1
"$tw" "$command" --help 2>&1 | grep -q -- '--resume' && resumable=1
args=("$command" "$config" "$@")
if ((resumable)) && { ((${SLURM_RESTART_COUNT:-0} > 0)) || [[ ${TW_RESUME:-0} == 1 ]] ||
                      [[ -n ${TW_CHECKPOINT:-} && -e ${TW_CHECKPOINT:-} ]]; }; then
  args+=(--resume)
  say "resuming: $tw ${args[*]}"
fi

case ${TW_LAUNCH:-srun} in
  srun) launch=(srun ${TW_SRUN_MPI:+--mpi=$TW_SRUN_MPI}) ;;
  mpirun) launch=(mpirun -n "${SLURM_NTASKS:-1}") ;;
  *) say "TW_LAUNCH=${TW_LAUNCH}: want srun or mpirun"; exit 2 ;;
esac

"${launch[@]}" "$tw" "${args[@]}" &
step=$!

while :; do
  wait "$step"
  rc=$?
  ((interrupted)) || break
  interrupted=0 # wait was cut short by the trap: wait again for the step itself
done

if ((rc == 138 && resumable)); then
  if ((${SLURM_RESTART_COUNT:-0} >= ${TW_MAX_REQUEUE:-20})); then
    say "exit 138, but requeued ${SLURM_RESTART_COUNT} times already: not again (TW_MAX_REQUEUE)"
  else
    # 138 is also a rank killed by USR1 before it could checkpoint: resuming
    # from the last checkpoint (or step 0) is still the right thing to do
    say "exit 138 (stopped by USR1$( ((stop_asked)) || echo ', not sent by this script')): requeueing to resume"
    scontrol requeue "$SLURM_JOB_ID" && exit 0
    say "scontrol requeue failed: resubmit with TW_RESUME=1"
  fi
fi
say "step exited $rc"
exit "$rc"
