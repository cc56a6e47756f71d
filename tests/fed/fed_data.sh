# fed_data.sh: sourced by the fed tests: writes the small federation's data
# (tests/fed/fed.yaml) into the current folder with `twinscale simulate` of
# tests/data/train/data.yaml: one day, states every 5 minutes.
#   fed_data TWINSCALE DATADIR
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
