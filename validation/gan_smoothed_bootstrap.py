#!/usr/bin/env python3
"""gan_smoothed_bootstrap.py: a bootstrap made private, for issue 12's
"beats both baselines on quality at equal privacy" (docs/gan.md, "A bootstrap
at the generator's privacy").

A plain bootstrap copies real rows: NewRowSynthesis and both DCR measures are
0, so no table of it may be released and its quality is not comparable with a
generator's at equal privacy. The smoothed bootstrap (Silverman's; synthpop's
`smoothing`) is the simplest way to buy privacy with it: each synthetic row is
a real row drawn with replacement, then

- every continuous column that varies within a reference patient gets
  Gaussian noise of `h` times the column's standard deviation among the real
  rows (in log space where the column is strictly positive, as the generator
  models it), clipped to the real [min, max];
- every discrete column (sex, the conditions) is, with probability `p`,
  replaced by a draw from its real marginal;
- the columns a reference patient fixes (constant within each patient of the
  full cohort: 32 of the t1d parameters) are kept as the row's own, so the
  twin stays that patient's as the generator's fixed combinations keep it.

It writes a cohort file of the selected rows' columns that `twinscale gan
report` scores as a synthetic table (validity included: the file carries the
real file's attributes, pack among them). Python: Debian's, with h5py.

usage: gan_smoothed_bootstrap.py --cohort FULL.h5 --condition addison=1
           --n 1000 --seed 0 --bandwidth 0.5 --swap 0.2 -o OUT.h5
"""
import argparse

import h5py
import numpy as np

GROUPS = ("cohort/covariates", "cohort/parameters", "cohort/conditions")


def read_rows(path, condition):
    """The columns of the rows with NAME = VALUE, their attributes, the file's
    attributes, and for each column whether a reference patient fixes it."""
    name, value = condition.split("=")
    with h5py.File(path, "r") as f:
        keep = f["cohort/conditions/" + name][()] == int(value)
        ref = f["cohort/reference"][()]
        cols, attrs, fixed = {}, {}, {}
        for grp in GROUPS:
            for col in f[grp]:
                full = f[grp + "/" + col][()]
                key = grp + "/" + col
                cols[key] = full[keep]
                attrs[key] = dict(f[grp + "/" + col].attrs)
                fixed[key] = full.dtype.kind == "f" and all(
                    np.ptp(full[ref == r]) == 0 for r in np.unique(ref))
        return cols, attrs, dict(f.attrs), fixed


def smooth(cols, fixed, n, seed, h, p):
    rng = np.random.default_rng(seed)
    m = len(next(iter(cols.values())))
    pick = rng.integers(0, m, n)
    out = {}
    for key, x in cols.items():
        y = x[pick].copy()
        if x.dtype.kind == "f" and not fixed[key] and h > 0:
            positive = bool(np.all(x > 0))
            t = np.log(x) if positive else x
            y_t = (np.log(y) if positive else y) + h * np.std(t) * rng.standard_normal(n)
            y = np.clip(np.exp(y_t) if positive else y_t, x.min(), x.max())
        elif x.dtype.kind in "iu" and p > 0:
            swap = rng.random(n) < p
            y[swap] = x[rng.integers(0, m, int(swap.sum()))]
        out[key] = y
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cohort", required=True)
    ap.add_argument("--condition", required=True)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--bandwidth", type=float, required=True)
    ap.add_argument("--swap", type=float, default=0.0)
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args()
    cols, attrs, file_attrs, fixed = read_rows(a.cohort, a.condition)
    rows = smooth(cols, fixed, a.n, a.seed, a.bandwidth, a.swap)
    with h5py.File(a.output, "w") as g:
        for k, v in file_attrs.items():
            g.attrs[k] = v
        g["cohort/id"] = np.array(["s%d" % i for i in range(a.n)], dtype=h5py.string_dtype())
        for key, y in rows.items():
            g[key] = y
            for k, v in attrs[key].items():
                g[key].attrs[k] = v
    print("%s: %d rows, bandwidth %g, swap %g, %d of %d float columns fixed by the reference patient"
          % (a.output, a.n, a.bandwidth, a.swap, sum(fixed.values()),
             sum(1 for x in cols.values() if x.dtype.kind == "f")))


if __name__ == "__main__":
    main()
