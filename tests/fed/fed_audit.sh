#!/usr/bin/env bash
# fed_audit.sh: what crosses between sites (ctest fed_audit, label mpi), on
# tests/fed/fed.yaml's three sites with a canary planted in the records of
# site mixed (not the leader's site, so its updates cross)
# (checks in fed_audit.py):
#   opens   under strace, each rank (one per site) opens its own file and the
#           reference set, never another site's
#   audit   every inter-site message is logged by both ends, none is larger
#           than one model update, none carries the canary or any record value
#           of the canary site
#   view    the children's records all change (other patients, other meals):
#           the model changes; the same data with fresh keys gives the same
#           model; every masked update the leader receives is uniform bytes
#           and differs completely between runs; plain updates are not uniform;
#           the same with DP-SGD at every site (the masked sum is noised too)
#   fed_audit.sh MPIEXEC TWINSCALE TESTSDIR DATADIR OUTDIR
set -euo pipefail
mpiexec=$1 tw=$2 tests=$3 data=$4 out=$5
py=(env -i PATH=/usr/bin:/bin /usr/bin/python3 -s)
"${py[@]}" -c 'import h5py' 2>/dev/null || { echo "SKIP: no h5py in /usr/bin/python3"; exit 77; }
command -v strace >/dev/null || { echo "SKIP: no strace"; exit 77; }
rm -rf "$out" && mkdir -p "$out" && cd "$out"
export OMP_NUM_THREADS=1 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
. "$tests/fed_data.sh"
fed_data "$tw" "$data"
cp "$tests/fed.yaml" .
"${py[@]}" "$tests/fed_audit.py" plant site-mixed.h5
fail=0
run() { "$mpiexec" -n 3 "$tw" fed train fed.yaml -o "$1.h5" "${@:2}" >"$1.log" 2>&1 || { cat "$1.log"; exit 1; }; }

# A under strace, one trace per rank (= site)
"$mpiexec" -n 3 sh -c 'exec strace -f -qq -e trace=open,openat -o "trace.${OMPI_COMM_WORLD_RANK:-$PMI_RANK}" "$@"' sh \
  "$tw" fed train fed.yaml -o A.h5 >A.log 2>&1 || { cat A.log; exit 1; }
"${py[@]}" "$tests/fed_audit.py" opens trace adults children mixed || fail=1
"${py[@]}" "$tests/fed_audit.py" audit A site-mixed.h5 || fail=1

run A2
run P --set federation.secure_aggregation=false
dp=(--set privacy.epsilon=2 --set privacy.max_grad_norm=0.5)
run AD "${dp[@]}"
run AD2 "${dp[@]}"
run PD "${dp[@]}" --set federation.secure_aggregation=false
cp "$data/train/data.yaml" sim.yaml
"$tw" simulate sim.yaml --set "twins.reference=[child#006, child#007, child#008, child#010]" --set seed=14 \
  -o site-children.h5 --force >/dev/null 2>&1
run B
run BD "${dp[@]}"
"${py[@]}" "$tests/fed_audit.py" view A A2 B P || fail=1
echo "with DP-SGD at every site (epsilon 2): the sum the leader sees is noised too"
"${py[@]}" "$tests/fed_audit.py" view AD AD2 BD PD || fail=1
exit $fail
