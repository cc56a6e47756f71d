#!/usr/bin/env python3
"""compare-engines.py: endpoint means of two trial results files of the same
trial (e.g. `engine: physio` and `engine: neural`), per arm and for the paired
effect, two ways:

  own:    each file over its own twins (what each run's summary.json reports:
          a twin stopped in an arm is left out of that arm);
  common: over the twins both files ran through in every arm (the same twins
          on both sides, the fair comparison of two engines).

Usage: compare-engines.py A.h5 B.h5 [--labels physio neural]
Needs numpy and h5py (Debian: python3-numpy python3-h5py). docs/performance.md
"The neural engine" states the tolerances this is read against.
"""
import argparse

import h5py
import numpy as np


def load(path):
    with h5py.File(path, "r") as f:
        arms = [a.decode() if isinstance(a, bytes) else a for a in f["/arms/name"][:]]
        eps = {k: f["/endpoints"][k][:] for k in f["/endpoints"]}
        flag = f["/status/flag"][:]
    return arms, eps, flag


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--labels", nargs=2, default=["A", "B"])
    o = ap.parse_args()
    arms, ea, fa = load(o.a)
    arms_b, eb, fb = load(o.b)
    assert arms == arms_b and fa.shape == fb.shape, "not the same trial"
    common = np.all(fa == 0, axis=1) & np.all(fb == 0, axis=1)
    la, lb = o.labels
    print(f"twins: {fa.shape[0]}; stopped per arm {la} {list((fa != 0).sum(0))}, {lb} {list((fb != 0).sum(0))}; "
          f"common (ran through every arm in both): {common.sum()}")
    print(f"{'endpoint':22s} {'arm':12s} {la + ' own':>11s} {lb + ' own':>11s} {'diff':>8s}   "
          f"{la + ' common':>13s} {lb + ' common':>13s} {'diff':>8s}")
    for k in sorted(ea):
        for j, arm in enumerate(arms + ["effect"]):
            if arm == "effect":
                x, y = ea[k][:, 1] - ea[k][:, 0], eb[k][:, 1] - eb[k][:, 0]
            else:
                x, y = ea[k][:, j], eb[k][:, j]
            xo, yo = np.nanmean(x), np.nanmean(y)
            xc, yc = np.mean(x[common]), np.mean(y[common])
            print(f"{k:22s} {arm:12s} {xo:11.3f} {yo:11.3f} {yo - xo:8.3f}   {xc:13.3f} {yc:13.3f} {yc - xc:8.3f}")


if __name__ == "__main__":
    main()
