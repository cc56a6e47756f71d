#!/usr/bin/env bash
# fed_dp.sh: `twinscale fed train` with DP-SGD at every site (privacy:), on
# tests/fed/fed.yaml's three sites (ctest fed_dp, label mpi):
#   budget     sigma auto: every site trains every round it is sampled for,
#              its epsilon per round never falls and ends at most at the budget,
#              equal (1e-12 relative) to `twinscale privacy epsilon` of the site's
#              q, sigma (from the log) and steps; the model differs from the
#              plain run's
#   spent      a sigma too small for the planned rounds: each site sits the
#              rounds out that would overspend; its epsilon stops rising below
#              the budget, and the run still ends with a model
#   ranks      2 ranks per site: the same model as 1 (the DP step's groups are
#              summed in a fixed order, the noise keyed by seed and step)
#   resume     SIGTERM mid-run and --resume: the model and the epsilons of a run
#              never stopped (the ledger is rebuilt from the rounds before)
#   bad        noise_multiplier 0 with a budget; a site with fewer windows than
#              the expected batch: exit 2, one line naming it
#   fed_dp.sh MPIEXEC TWINSCALE TESTSDIR DATADIR OUTDIR
set -euo pipefail
mpiexec=$1 tw=$2 tests=$3 data=$4 out=$5
command -v h5diff >/dev/null || { echo "SKIP: no h5diff (hdf5-tools)"; exit 77; }
py=(env -i PATH=/usr/bin:/bin /usr/bin/python3 -s)
rm -rf "$out" && mkdir -p "$out" && cd "$out"
export OMP_NUM_THREADS=1 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
. "$tests/fed_data.sh"
fed_data "$tw" "$data"
cp "$tests/fed.yaml" .
fail=0
bad() { echo "FAIL: $*"; fail=1; }
fed() { "$mpiexec" -n "$1" "$tw" fed train fed.yaml "${@:2}"; }
dp=(--set privacy.epsilon=2 --set privacy.delta=1e-5 --set privacy.max_grad_norm=0.5)

# budget
fed 3 -o plain.h5 >plain.log 2>&1 || { cat plain.log; exit 1; }
TW_LOG_ALL_RANKS=1 fed 3 -o dp.h5 "${dp[@]}" >dp.log 2>&1 || { cat dp.log; exit 1; }
if same_model plain.h5 dp.h5 >/dev/null; then bad "DP gave the plain model"; fi
for site in adults children mixed; do
  line=$(grep "site $site: DP-SGD" dp.log) || { bad "no DP-SGD line for $site"; continue; }
  q=$(sed 's/.* q = \([^ ]*\) .*/\1/' <<<"$line") sigma=$(sed 's/.*sigma = \([^,]*\),.*/\1/' <<<"$line")
  steps=$(sed 's/.*; \([0-9]*\) planned steps.*/\1/' <<<"$line")
  want=$("$tw" privacy epsilon --q "$q" --sigma "$sigma" --steps "$steps" --delta 1e-5 --json)
  "${py[@]}" - dp.h5.json "$site" "$want" "$steps" <<'PY' || bad "budget: $site"
import json, sys
r, site, want, steps = json.load(open(sys.argv[1])), sys.argv[2], json.loads(sys.argv[3])["epsilon"], int(sys.argv[4])
eps = [row["site_epsilon"][site] for row in r["curve"]]
assert eps[0] == 0 and all(b >= a for a, b in zip(eps, eps[1:])), eps
final = r["privacy"]["site_epsilon"][site]
assert final == eps[-1] and final <= 2 and abs(final - want) <= 1e-12 * want, (final, want)
assert steps == r["rounds"] * r["local_steps"], steps
print("ok: %s: epsilon %.10g after %d steps = privacy epsilon's %.10g, within the budget 2" % (site, final, steps, want))
PY
done

# spent: sigma 1.6 spends epsilon 2 before the 12 rounds end (1.87 would last)
fed 3 -o spent.h5 "${dp[@]}" --set privacy.noise_multiplier=1.6 >spent.log 2>&1 || { cat spent.log; exit 1; }
"${py[@]}" - spent.h5.json <<'PY' || bad "spent"
import json, sys
r = json.load(open(sys.argv[1]))
for site, final in r["privacy"]["site_epsilon"].items():
    eps = [row["site_epsilon"][site] for row in r["curve"]]
    rising = sum(1 for a, b in zip(eps, eps[1:]) if b > a)
    assert final <= 2 and 0 < rising < r["rounds"], (site, eps)
    print("ok: sigma 1.6: %s trained %d of %d rounds, epsilon %.4g <= 2" % (site, rising, r["rounds"], final))
PY

# ranks
fed 6 -o r6.h5 "${dp[@]}" --set "sites=[{name: adults, files: [site-adults.h5], ranks: 2}, {name: children, files: [site-children.h5], ranks: 2}, {name: mixed, files: [site-mixed.h5], ranks: 2}]" >r6.log 2>&1 || { cat r6.log; exit 1; }
same_model dp.h5 r6.h5 && echo "ok: DP with 2 ranks per site: the model of 1" || bad "DP: 6 ranks vs 3"

# resume
long=(--set train.steps=240 --set federation.local_steps=4 --set checkpoint.every=0)
fed 3 -o full.h5 "${dp[@]}" "${long[@]}" >full.log 2>&1 || { cat full.log; exit 1; }
stop_at_round 5 "$mpiexec" -n 3 "$tw" fed train fed.yaml -o stop.h5 "${dp[@]}" "${long[@]}" >stop.log 2>&1 && bad "a run stopped by SIGTERM exited 0"
grep -q "stopped by signal 15" stop.log || { cat stop.log; bad "no 'stopped by signal 15'"; }
fed 3 -o stop.h5 "${dp[@]}" "${long[@]}" --resume >resume.log 2>&1 || { cat resume.log; exit 1; }
grep -q "^rounds [1-9][0-9]*\.\.60" resume.log || bad "the resumed run started at round 0"
same_model full.h5 stop.h5 || bad "DP: resumed model differs"
"${py[@]}" -c 'import json,sys; a,b=(json.load(open(p))["privacy"]["site_epsilon"] for p in sys.argv[1:]); assert a==b,(a,b)' \
  full.h5.json stop.h5.json && echo "ok: DP: SIGTERM and --resume: the model and epsilons of a run never stopped" \
  || bad "DP: resumed epsilons differ"

# bad
expect2 "sigma 0 with a budget" "privacy.noise_multiplier: 0 adds no noise" fed 3 "${dp[@]}" --set privacy.noise_multiplier=0
expect2 "fewer windows than the batch" "site adults has .* training windows, fewer than train.batch.windows" \
  fed 3 "${dp[@]}" --set train.batch.windows=3000 --set train.batch.group=1000
exit $fail
