#!/usr/bin/env bash
# scripts/fed-t1d-experiment.sh: federated training of the t1d neural twin
# against centralised training on the pooled data (docs/federated.md,
# "Experiment"). Small enough for two CPU cores:
#   1. four sites, disjoint twins, different patient mixes: cohorts of 40 drawn
#      around the nearest reference patient (ages 25-65, 13-19, 7-12 and 7-65),
#      IIV cv 0.3 on kabs, kmax, Vmx, kp2, ka2; a pooled held-out reference set
#      of 10 more twins from each mix (other seeds);
#   2. 3 days of simglucose's random meals under basal-bolus therapy, states
#      every 5 minutes (configs/train-t1d-data.yaml);
#   3. the same model (H 32, Hr 32, L 2, M 32; --model H,Hr,M), window 12 + 24,
#      AdamW at lr 3e-3 (--lr; cosine to a tenth of it), 400 steps; centralised: one site holding all four sites' files, 64
#      windows per step; FedAvg and FedProx (mu 0.01) over the 4 sites, 10 local
#      steps per round, 40 rounds, each site taking 400 steps in all:
#        same batch: 64 windows per site step (the centralised run's batch);
#        same windows: 16 per site step (64 per step over the sites, as the
#        centralised run: the same compute);
#      every run's loss measured each round on the reference set;
#   4. with differential privacy (docs/privacy.md): FedAvg with DP-SGD at every
#      site, epsilon 8 per site (delta 1e-5, C 0.1 or --clip C, sigma auto):
#      fedavg-dp at 64 windows expected per site step, fedavg-dpE at E (E a
#      multiple of 8: fedavg-dp128, fedavg-dp256, ...; only when named in --runs);
#      fedavg-clipE: the same with sigma 0.05 (epsilon about 7e4: clipping
#      without meaningful noise); fedavgE, centralisedE: no DP, E windows a
#      (site) step. --local-steps: k of every federated run (default 10).
# Prints the final global validation losses and the ratios to the centralised.
#   scripts/fed-t1d-experiment.sh [--build DIR] [--work DIR] [--steps N] [--runs "NAMES"] [--twins N]
#                                 [--model H,Hr,M] [--lr LR] [--clip C] [--seed S] [--local-steps K]
#                                 [--group G]
# --twins: twins per site (default 40; the reference set stays 4 x 10).
# --seed: the training seed (initial weights, batches, DP noise; default 1);
# every run's files are named after it when it is not 1 (fedavg-s2.h5, ...).
# --group: windows per gradient group of the E-named runs (default E / 8;
# the group sets the order of the float sums only, not the batch).
# --runs: which runs (default all: centralised fedavg fedprox fedavg16 fedprox16
# fedavg-dp fedavg-dp128); the data are made once and kept in the work folder.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
build=$repo/build work=$repo/build-fed steps=400
twins=40 model=32,32,32 lr=3e-3 clip=0.1 seed=1 k=10 group=
runs="centralised fedavg fedprox fedavg16 fedprox16 fedavg-dp fedavg-dp128"
while [ $# -gt 0 ]; do
  case $1 in
    --build) build=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --twins) twins=$2; shift 2 ;;
    --model) model=$2; shift 2 ;;
    --lr) lr=$2; shift 2 ;;
    --clip) clip=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --local-steps) k=$2; shift 2 ;;
    --group) group=$2; shift 2 ;;
    -h|--help) sed -n '2,36p' "$0"; exit 0 ;;
    *) echo "fed-t1d-experiment.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
tw=$(cd "$build" && pwd)/twinscale
[ -x "$tw" ] || { echo "fed-t1d-experiment.sh: $tw not found (build first, or --build DIR)" >&2; exit 2; }
mkdir -p "$work" && cd "$work"
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
       OMPI_MCA_rmaps_base_oversubscribe=1
cp "$repo/configs/train-t1d-data.yaml" data.yaml

cohort() { # cohort NAME SIZE SEED AGE_LO AGE_HI WEIGHT_MEAN WEIGHT_SD
  cat >"c-$1.yaml" <<YAML
kind: cohort
size: $2
seed: $3
pack: t1d
covariates:
  age_y: {kind: uniform, lo: $4, hi: $5}
  weight_kg: {kind: normal, mean: $6, sd: $7, min: 18, max: 140}
parameters:
  reference: nearest
  variability:
    - {parameter: kabs, cv: 0.3}
    - {parameter: kmax, cv: 0.3}
    - {parameter: Vmx,  cv: 0.3}
    - {parameter: kp2,  cv: 0.3}
    - {parameter: ka2,  cv: 0.3}
output: {path: c-$1.h5}
YAML
  "$tw" cohort generate "c-$1.yaml" --force >/dev/null
  "$tw" simulate data.yaml --set duration_min=4320 --set "twins={cohort: c-$1.h5}" --set seed=$(($3 + 100)) \
    -o "$1.h5" --force >/dev/null 2>&1
}
echo "== data: 4 sites of $twins twins, a reference set of 4 x 10 (3 days each)"
t0=$SECONDS
[ -f ref-mixed.h5 ] && [ "$(cat twins 2>/dev/null)" = "$twins" ] && echo "  (kept from an earlier run)" || {
cohort adults "$twins" 41 25 65 80 12
cohort adolescents "$twins" 42 13 19 58 10
cohort children "$twins" 43 7 12 35 8
cohort mixed "$twins" 44 7 65 60 20
cohort ref-adults 10 51 25 65 80 12
cohort ref-adolescents 10 52 13 19 58 10
cohort ref-children 10 53 7 12 35 8
cohort ref-mixed 10 54 7 65 60 20
echo "$twins" >twins
}
echo "  ($((SECONDS - t0)) s)"

cat >fed.yaml <<YAML
kind: fed_train
train:
  pack: t1d
  data: {files: [ref-adults.h5, ref-adolescents.h5, ref-children.h5, ref-mixed.h5], validation_fraction: 0}
  model: {H: ${model%%,*}, Hr: $(echo "$model" | cut -d, -f2), L: 2, M: ${model##*,}}
  window: {context: 12, horizon: 24, stride: 12}
  optimizer: {lr: $lr, lr_min: $(awk "BEGIN {print $lr / 10}"), warmup: 20, weight_decay: 0.01, clip: 1}
  steps: $steps
  batch: {windows: 16, group: 8}
  seed: $seed
  backend: cpu
sites:
  - {name: adults, files: [adults.h5]}
  - {name: adolescents, files: [adolescents.h5]}
  - {name: children, files: [children.h5]}
  - {name: mixed, files: [mixed.h5]}
federation: {algorithm: fedavg, local_steps: $k}
output: {path: fedavg.h5}
YAML
sfx=$([ "$seed" = 1 ] || echo "-s$seed")
run() { local name=$1$sfx t0=$SECONDS; shift; echo "== $name"
        "$@" -o "$name.h5" --force >"$name.log" 2>&1 || { cat "$name.log"; exit 1; }; echo "  ($((SECONDS - t0)) s)"; }
prox=(--set federation.algorithm=fedprox --set federation.mu=0.01)
dp=(--set privacy.epsilon=8 --set privacy.delta=1e-5 --set "privacy.max_grad_norm=$clip")
fed=(mpirun -n 4 "$tw" fed train fed.yaml)
pooled=("$tw" fed train fed.yaml --set "sites=[{name: pooled, files: [adults.h5, adolescents.h5, children.h5, mixed.h5]}]")
batch() { # batch E: B=(the --set options of E windows a (site) step, in groups of --group or E / 8)
  [[ $1 =~ ^[0-9]+$ ]] && [ $(($1 % 8)) = 0 ] || { echo "fed-t1d-experiment.sh: batch $1: a multiple of 8" >&2; exit 2; }
  B=(--set "train.batch.windows=$1" --set "train.batch.group=${group:-$(($1 / 8))}"); }
one() {
  case $1 in
    centralised) run centralised "${pooled[@]}" --set train.batch.windows=64 ;;
    centralised[0-9]*) batch "${1#centralised}"; run "$1" "${pooled[@]}" "${B[@]}" ;;
    fedavg) run fedavg "${fed[@]}" --set train.batch.windows=64 ;;
    fedprox) run fedprox "${fed[@]}" --set train.batch.windows=64 "${prox[@]}" ;;
    fedavg16) run fedavg16 "${fed[@]}" ;;
    fedprox16) run fedprox16 "${fed[@]}" "${prox[@]}" ;;
    fedavg-dp) run fedavg-dp "${fed[@]}" --set train.batch.windows=64 "${dp[@]}" ;;
    fedavg-dp[0-9]*) batch "${1#fedavg-dp}"; run "$1" "${fed[@]}" "${B[@]}" "${dp[@]}" ;;
    fedavg-clip[0-9]*) batch "${1#fedavg-clip}"
                       run "$1" "${fed[@]}" "${B[@]}" "${dp[@]}" --set privacy.epsilon=1e6 --set privacy.noise_multiplier=0.05 ;;
    fedavg[0-9]*) batch "${1#fedavg}"; run "$1" "${fed[@]}" "${B[@]}" ;;
    *) echo "fed-t1d-experiment.sh: no run named $1" >&2; exit 2 ;;
  esac
}
for r in $runs; do one "$r"; done
env -i PATH=/usr/bin:/bin SFX="$sfx" /usr/bin/python3 -s - $runs <<'PY'
import json, os, sys
names = [n for n in sys.argv[1:] if n == "centralised"] + [n for n in sys.argv[1:] if n != "centralised"]
runs = {n: json.load(open(n + os.environ["SFX"] + ".h5.json")) for n in names}
final = {n: r["curve"][-1]["global_val_loss"] for n, r in runs.items()}
if not names:
    sys.exit(0)
print("reference-set loss per round (batch per site step: centralised 64; fedavg, fedprox, fedavg-dp 64; *16: 16;"
      " fedavg-dpE: E)")
print("round  steps  " + "  ".join("%12s" % n for n in names))
k = runs[names[-1]]["local_steps"]
for i in range(len(runs[names[-1]]["curve"])):
    print("%5d  %5d  " % (i, i * k) + "  ".join("%12.4f" % runs[n]["curve"][i]["global_val_loss"] for n in names))
base = final.get("centralised")
for n in names:
    ratio = " = %.3f x centralised (%.4f)" % (final[n] / base, base) if base and n != "centralised" else ""
    eps = runs[n].get("privacy", {}).get("site_epsilon")
    spent = "; epsilon spent per site %s" % ", ".join("%s %.4f" % kv for kv in eps.items()) if eps else ""
    print("%-12s final %.4f%s; %d bytes between sites, %.0f s%s" % (n, final[n], ratio, runs[n]["bytes"],
                                                                  runs[n]["seconds"], spent))
PY
