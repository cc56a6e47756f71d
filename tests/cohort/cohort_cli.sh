#!/bin/bash
# cohort_cli.sh: `twinscale cohort generate` as a user runs it, on
# configs/cohort-t1d.yaml: the file is identical (h5diff, datasets and
# attributes) for 1 and 2 OpenMP threads and for two runs; the summary table
# has a row per covariate and per condition, and its prevalence equals the
# fraction of ones in the written condition; a correlation matrix that is not
# positive definite and an unknown parameter name each give one line
# FILE:LINE:COL on stderr, exit status 2, and no file. `simulate` with
# `twins: {cohort: FILE}`: a cohort without variability or weight (each twin
# exactly its reference patient) gives the same trajectories as `reference:`
# naming those patients, under the cohort's ids; a cohort file without t1d
# parameters is refused (exit 2, naming the file), and so is a t1d cohort given
# to a pbpk run (exit 2, naming the file and both packs), before any twin runs.
# The redraw counts printed are the file's attributes, and every twin's fasting
# bg (/cohort/fasting_bg) lies in the steady-state rule's [70, 250] mg/dL.
# An output in a directory that does not exist is refused before the draw: one
# line naming the path, exit 2, no file.
# usage: cohort_cli.sh TWINSCALE SOURCE_DIR
set -u
bin=$1 src=$2
cfg=$src/configs/cohort-t1d.yaml
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# gen DIR THREADS [ARGS]: writes DIR/cohort.h5 and DIR/summary (the same -o in
# every run, since the config text with its overrides is a root attribute)
gen() {
  local dir=$tmp/$1 threads=$2; shift 2
  mkdir -p "$dir" && (cd "$dir" && OMP_NUM_THREADS=$threads "$bin" cohort generate "$cfg" -o cohort.h5 "$@" > summary)
}
gen a 1 || fail "generate (1 thread)"
gen b 2 || fail "generate (2 threads)"
gen c 2 || fail "generate (again)"
gen d 2 --set seed=43 || fail "generate (seed 43)"
h5diff "$tmp/a/cohort.h5" "$tmp/b/cohort.h5" > "$tmp/diff" || { cat "$tmp/diff"; fail "1 and 2 threads differ"; }
h5diff "$tmp/b/cohort.h5" "$tmp/c/cohort.h5" > "$tmp/diff" || { cat "$tmp/diff"; fail "two runs differ"; }
# the summaries agree but for the steady-state check's wall time
untimed() { sed 's/ in [0-9.]* s;/ in T s;/' "$1"; }
[ "$(untimed "$tmp/a/summary")" = "$(untimed "$tmp/b/summary")" ] || fail "summaries differ between 1 and 2 threads"
attr() { h5dump -a "/$2" "$1" | sed -n 's/^ *(0): *//p'; }
printed=$(sed -n 's/.*draws rejected: \([0-9]*\) out of range, \([0-9]*\) without a steady state$/\1 \2/p' "$tmp/a/summary")
[ "$printed" = "$(attr "$tmp/a/cohort.h5" redraws_range) $(attr "$tmp/a/cohort.h5" redraws_steady_state)" ] ||
  fail "printed redraws '$printed' differ from the file's attributes"
grep -q '^steady state: [0-9]* draws integrated 48 h' "$tmp/a/summary" || fail "no steady-state line in the summary"
bad_bg=$(h5dump -d /cohort/fasting_bg -y -w 0 "$tmp/a/cohort.h5" | sed -n '/DATA {/,/}/p' | tr ', ' '\n\n' |
  grep -E '^-?[0-9.e+-]+$' | awk '$1 < 70 || $1 > 250 {n++} END {print NR, n + 0}')
[ "$bad_bg" = "1000 0" ] || fail "fasting bg: (values, outside [70, 250]) = $bad_bg, expected 1000 0"
h5diff -q "$tmp/a/cohort.h5" "$tmp/d/cohort.h5" /cohort/covariates/age_y /cohort/covariates/age_y &&
  fail "seeds 42 and 43 drew the same ages"

for v in age_y weight_kg height_cm bmi hba1c_percent egfr sex; do
  grep -q "^$v " "$tmp/a/summary" || fail "no summary row for $v"
done
for c in hypertension retinopathy; do
  printed=$(awk -v c="$c" '$1 == c && $2 == "prevalence" {print $3}' "$tmp/a/summary")
  ones=$(h5dump -d "/cohort/conditions/$c" -y -w 0 "$tmp/a/cohort.h5" | tr ', ' '\n\n' | grep -c '^1$')
  n=$(h5dump -d "/cohort/conditions/$c" -y -w 0 "$tmp/a/cohort.h5" | tr ', ' '\n\n' | grep -c '^[01]$')
  want=$(awk -v o="$ones" -v n="$n" 'BEGIN {printf "%.4f", o / n}')
  [ "$n" = 1000 ] || fail "$c: $n values, expected 1000"
  [ "$printed" = "$want" ] || fail "$c: printed prevalence $printed, file has $want"
done

expect_input_error() { # name, then the generate arguments
  local name=$1; shift
  "$bin" cohort generate "$@" -o "$tmp/bad.h5" > /dev/null 2> "$tmp/err"
  local rc=$?
  [ "$rc" = 2 ] || fail "$name: exit $rc, expected 2"
  [ "$(wc -l < "$tmp/err")" = 1 ] || { cat "$tmp/err"; fail "$name: more than one line"; }
  grep -Eq '\.yaml:[0-9]+:[0-9]+: ' "$tmp/err" || { cat "$tmp/err"; fail "$name: no FILE:LINE:COL"; }
  [ ! -e "$tmp/bad.h5" ] || fail "$name: a file was written"
  cat "$tmp/err"
}
sed 's/^  egfr:      \[-0.60, 0.05, -0.05, 0.05, 1.0\]/  egfr:      [-0.60, 0.05, -0.05, 0.95, 1.0]/; s/^  height_cm: \[-0.10, 0.65, 0.45, 1.0,   0.05\]/  height_cm: [-0.10, 0.65, 0.45, 1.0,   0.95]/' \
  "$cfg" > "$tmp/not_pd.yaml"
cmp -s "$cfg" "$tmp/not_pd.yaml" && fail "the not positive definite config was not made"
expect_input_error "not positive definite" "$tmp/not_pd.yaml"
grep -q "not positive definite" "$tmp/err" || fail "not positive definite: message"
sed 's/parameter: kp2,/parameter: kpq,/' "$cfg" > "$tmp/unknown.yaml"
expect_input_error "unknown parameter" "$tmp/unknown.yaml"
line=$(grep -n 'parameter: kpq' "$tmp/unknown.yaml" | cut -d: -f1)
grep -q "unknown.yaml:$line:7: .*'kpq'" "$tmp/err" || fail "unknown parameter: message (expected line $line, column 7)"
"$bin" cohort generate "$cfg" -o "$tmp/no/such/dir/c.h5" > /dev/null 2> "$tmp/err"
rc=$?
[ "$rc" = 2 ] || fail "output in a missing directory: exit $rc, expected 2"
[ "$(cat "$tmp/err")" = "$tmp/no/such/dir/c.h5: cannot write the results: directory '$tmp/no/such/dir' does not exist" ] ||
  { cat "$tmp/err"; fail "output in a missing directory: message"; }
[ ! -e "$tmp/no" ] || fail "output in a missing directory: something was made"
grep -q '^subgroup children: 100 twins' "$tmp/a/summary" || fail "no summary line for the subgroup children"
# simulate from a cohort file
mkdir -p "$tmp/sim" && cd "$tmp/sim" || fail "cd"
cat > plain.yaml <<'YAML'
kind: cohort
size: 6
seed: 3
covariates:
  age_y: {kind: uniform, lo: 10, hi: 60}
parameters: {reference: uniform}
YAML
"$bin" cohort generate plain.yaml -o cohort.h5 > plain.out || fail "generate for simulate"
grep -q '^steady state: 6 draws integrated 48 h at the basal rate' plain.out || { cat plain.out; fail "the default steady-state rule"; }
refs=$(h5dump -d /cohort/reference -y -w 0 cohort.h5 | grep -o '"[a-z]*#[0-9]*"' | tr -d '"' | paste -sd, -)
[ "$(echo "$refs" | tr ',' '\n' | wc -l)" = 6 ] || fail "cohort references: $refs"
sim() { # name, twins value
  sed "s/^  reference: \[adult.*$/  $2/" "$src/configs/simulate-t1d.yaml" > "$1.yaml"
  "$bin" simulate "$1.yaml" -o "$1.h5" --set integrator.method=rk4 --set duration_min=120 --set scenario.meals=[] \
    --set scenario.boluses=[] > /dev/null 2> "$1.err"
}
sim from_cohort "cohort: cohort.h5" || { cat from_cohort.err; fail "simulate from the cohort"; }
sim from_refs "reference: [$refs]" || { cat from_refs.err; fail "simulate the same references"; }
h5diff from_cohort.h5 from_refs.h5 /trajectories/bg /trajectories/bg > diff || { cat diff; fail "cohort twins differ from their references"; }
h5dump -d /twins/name -y -w 0 from_cohort.h5 | grep -q '"twin-000005"' || fail "simulate did not name the twins by their cohort ids"
h5copy -i cohort.h5 -o other.h5 -s /cohort/id -d /cohort/id -p || fail "h5copy"
sim other "cohort: other.h5" && fail "a cohort without t1d parameters was accepted"
[ $? = 2 ] || fail "a cohort without t1d parameters: exit status not 2"
grep -q "other.h5: no /cohort/parameters/t1d" other.err || { cat other.err; fail "a cohort without t1d parameters: message"; }
cat other.err
# a t1d cohort for a pbpk run: refused before any twin runs, naming both packs
sed 's/^  reference: \[icrp.*$/  cohort: cohort.h5/' "$src/configs/simulate-pbpk.yaml" > pbpk.yaml
grep -q '^  cohort: cohort.h5' pbpk.yaml || fail "the pbpk config was not made"
"$bin" simulate pbpk.yaml -o pbpk.h5 --set scenario.doses=[] --set duration_min=10 > pbpk.out 2> pbpk.err &&
  fail "a t1d cohort was accepted by a pbpk run"
[ $? = 2 ] || { cat pbpk.err; fail "a t1d cohort in a pbpk run: exit status not 2"; }
grep -q "^cohort.h5: a cohort drawn for pack t1d (its attribute \`pack\`), but this run's pack is pbpk$" pbpk.err ||
  { cat pbpk.err; fail "a t1d cohort in a pbpk run: message"; }
[ ! -s pbpk.out ] && [ ! -e pbpk.h5 ] || fail "a t1d cohort in a pbpk run: output written"
cat pbpk.err
echo "ok"
