#!/bin/bash
# gan_rare_oracle.sh: what a perfect generator would score in the rare-condition
# run (docs/gan.md, "Fixed combinations", Measured): 17 fresh cohorts of
# configs/cohort-t1d-rare.yaml (seeds 101-117, the same 5,000 twins with 100
# children each, so the same mixture as the real cohort), their addison twins
# pooled (about 1,000) as the "synthetic" table, scored by `gan report`
# against the real and holdout addison twins of validation/gan_rare_run.sh's
# DIR. Python: Debian's, with h5py.
# usage: validation/gan_rare_oracle.sh TWINSCALE RARE_RUN_DIR OUT_DIR
set -eu
bin=$(realpath "$1") run=$(realpath "$2") out=$3
cfg=$(realpath "$(dirname "$0")/../configs/cohort-t1d-rare.yaml")
mkdir -p "$out" && cd "$out"
for s in $(seq 101 117); do
  [ -e "c$s.h5" ] || "$bin" cohort generate "$cfg" --set seed="$s" -o "c$s.h5" >/dev/null
done
/usr/bin/python3 -s - <<'PY'
import glob
import h5py
import numpy as np
files = sorted(glob.glob("c1*.h5"))
with h5py.File(files[0], "r") as f0, h5py.File("oracle-addison.h5", "w") as g:
    for k, v in f0.attrs.items():
        g.attrs[k] = v
    keeps = []
    for fn in files:
        with h5py.File(fn, "r") as f:
            keeps.append(f["cohort/conditions/addison"][()] == 1)
    def pooled(path):
        parts = []
        for fn, keep in zip(files, keeps):
            with h5py.File(fn, "r") as f:
                parts.append(f[path][()][keep])
        return np.concatenate(parts)
    g["cohort/id"] = np.arange(sum(int(k.sum()) for k in keeps), dtype=np.int64)
    for grp in ("cohort/covariates", "cohort/parameters", "cohort/conditions"):
        for name in f0[grp]:
            g[grp + "/" + name] = pooled(grp + "/" + name)
            for k, v in f0[grp + "/" + name].attrs.items():
                g[grp + "/" + name].attrs[k] = v
    print("oracle-addison.h5: %d addison twins from %d cohorts" % (len(g["cohort/id"]), len(files)))
PY
"$bin" gan report --real "$run/real-addison.h5" --synthetic oracle-addison.h5 --holdout "$run/holdout-addison.h5" \
  --json q-oracle.json
