# cli_fixture.sh: sourced by the command-line tests of personal twins
# (tests/twin/twin_import_cli.sh, twin_fit_cli.sh, twin_replay_cli.sh, tests/trial/trial_from_twins.sh): the
# arguments (TWINSCALE SOURCE_DIR), a scratch folder removed on exit, fail,
# vals (a dataset's values, comma-separated), pick, and fitted_fixture, which imports
# the CSV fixture of tests/data/twin to $tmp/r.h5 and fits day 1 to $tmp/t.h5
# (3 of 6 persons fitted, 3 flagged no-data: the fit's own test checks it).
set -u
bin=$1 src=$2
data=$src/tests/data/twin
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
export TW_SALT="twinscale-test-salt-0123456789"
vals() { h5dump -y -d "$2" "$1" | sed -n '/^   DATA {/,/^   }/p' | tr -d ' \n{}DATA' ; }
# pick "a,b,c,d" "1 3": the fields named, comma-separated ("a,c")
pick() { echo "$1" | awk -F, -v k="$2" '{ n = split(k, c, " "); s = ""; for (i = 1; i <= n; i++) s = s (i > 1 ? "," : "") $c[i]; print s }'; }

fitted_fixture() {
  "$bin" twin import --records "$data/records.csv" --persons "$data/persons.csv" --salt-env TW_SALT \
    -o "$tmp/r.h5" > /dev/null || fail "CSV import"
  printf 'kind: twin_fit\nrecords: r.h5\nfit_days: [1, 1]\noutput: {path: %s/t.h5}\n' "$tmp" > "$tmp/fit.yaml"
  "$bin" twin fit "$tmp/fit.yaml" > /dev/null || fail "twin fit"
  # the sampler's flag 16 (chains not converged on one day) does not matter here
  local flags="" f
  for f in $(vals "$tmp/t.h5" /fit/flag | tr , ' '); do flags+="${flags:+,}$(( f & 15 ))"; done
  [ "$flags" = "0,0,2,2,0,2" ] || fail "the fit's flags changed: $(vals "$tmp/t.h5" /fit/flag)"
}
