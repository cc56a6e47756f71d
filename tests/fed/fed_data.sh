# fed_data.sh: sourced by the fed tests (fed_cli.sh, fed_dp.sh, fed_audit.sh):
#   fed_data TWINSCALE DATADIR   writes the small federation's data
#     (tests/fed/fed.yaml) into the current folder with `twinscale simulate` of
#     tests/data/train/data.yaml: one day, states every 5 minutes;
#   same_model A B               every dataset of two model files identical;
#   stop_at_round R CMD...       runs an mpiexec CMD in the background, waits
#     for round R's global model in stop.h5.audit/adults.jsonl, then sends
#     SIGTERM to the ranks themselves (as Slurm's scancel does; mpiexec's own
#     forwarding can lag by a second under load, past the end of a short run)
#     and waits; its exit status is the run's;
#   expect2 WHAT PATTERN CMD...  exit 2 and one line of twinscale's on stderr
#     (mpirun's own lines and info lines aside), matching PATTERN; calls the
#     sourcing script's `bad` otherwise.
fed_data() {
  local tw=$1 data=$2
  cp "$data/train/data.yaml" sim.yaml
  sim() { "$tw" simulate sim.yaml --set "twins.reference=[$1]" --set "seed=$2" -o "$3" --force >/dev/null 2>&1 \
            || { echo "simulate $3 failed"; return 1; }; }
  sim "adult#001, adult#002, adult#003, adult#004" 3 site-adults.h5
  sim "child#001, child#002, child#003, child#004" 4 site-children.h5
  sim "adult#005, adolescent#001, child#005, adolescent#002" 5 site-mixed.h5
  sim "adult#009, adolescent#009, child#009" 6 ref.h5
  sim "adolescent#003, child#006" 7 site-pair.h5   # a smaller site (fed_cli's weighting check)
}

same_model() { # same_model A B: every dataset identical
  local d
  for d in $(h5ls -r "$1" | awk '$2 == "Dataset" {print $1}'); do
    h5diff "$1" "$2" "$d" "$d" >/dev/null || { echo "  $d differs"; return 1; }
  done
}

stop_at_round() { # stop_at_round R COMMAND...: SIGTERM to the ranks once round R is sent
  local r=$1 pid; shift
  "$@" & pid=$!
  for _ in $(seq 3000); do grep -q "\"round\": $r, \"from\": \"adults\"" stop.h5.audit/adults.jsonl 2>/dev/null && break; sleep 0.01; done
  pkill -TERM -P "$pid" || kill -TERM "$pid"
  wait "$pid"
}

expect2() { # expect2 WHAT PATTERN COMMAND...: exit 2, exactly one line of twinscale's on stderr, matching
  local what=$1 pat=$2 rc=0; shift 2
  "$@" >bad.out 2>bad.err || rc=$?
  local lines; lines=$(grep -v -e '^---' -e '^ ' -e '^$' -e '^mpi[a-z]* detected' -e '^Primary job' -e '^a non-zero exit code' -e '^the job to be terminated' -e ' info: ' bad.err | grep -c . || true)
  if [[ $rc == 2 && $lines == 1 ]] && grep -q "$pat" bad.err; then echo "ok: $what: exit 2, $(grep "$pat" bad.err)"
  else echo "--- stderr:"; cat bad.err; bad "$what: exit $rc, $lines lines"; fi
}
