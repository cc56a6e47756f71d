#!/usr/bin/env python3
"""gan_vgm_reference.py: scikit-learn's BayesianGaussianMixture, as CTGAN's
data transformer (rdt's ClusterBasedNormalizer) configures it, fitted to a few
columns, written as the fixture tests/data/gan/vgm/vgm_reference.txt that
ctest gan_vgm compares twinscale's src/gan/vgm.c against (without Python).

sklearn starts the mixture from k-means labels drawn with a random state, so
both sides here start from the same labels: sklearn's KMeans run from the
deterministic centres twinscale's tw_vgm_kmeans uses (the (j + 0.5) / K
quantiles of the sorted values, Lloyd's steps to a fixed point: tol=0,
n_init=1), injected into the mixture in place of its own initialisation. The
fixture holds the values, those labels, and sklearn's result: iterations,
convergence, the lower bound after each iteration, weights_, means_,
covariances_ and predict_proba on a few points.

Setup (pinned): python3 -m venv validation/.venv;
  validation/.venv/bin/pip install -r validation/requirements-gan-vgm.txt
Run: validation/.venv/bin/python validation/gan_vgm_reference.py [--out FILE]
     validation/.venv/bin/python validation/gan_vgm_reference.py --time COHORT.h5
       (sklearn's fit as rdt runs it, k-means included, on every float column of a
       cohort file, log space where positive: CPU seconds per column, to set beside
       `gan_transform COHORT.h5 --bench`)
"""
import argparse
import warnings

import numpy as np
import sklearn
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import BayesianGaussianMixture

MAX_COMPONENTS = 10


def cases():
    """(name, values): the columns fitted; seeded, so the fixture is reproducible."""
    rng = np.random.default_rng(20261201)
    bimodal = np.concatenate([rng.normal(0.0, 1.0, 900), rng.normal(5.0, 0.5, 600)])
    lognormal = np.log(rng.lognormal(np.log(70.0), 0.2, 1000))  # fitted in log space, as a weight_kg column
    levels = np.log(rng.lognormal(np.log(0.01), 0.4, 30))  # 30 reference patients' values, each repeated
    ties = levels[rng.integers(0, 30, 2000)] + np.log(rng.lognormal(0.0, 0.05, 2000)) * (rng.random(2000) < 0.3)
    trimodal = np.concatenate([rng.normal(-10.0, 1.0, 1000), rng.normal(0.0, 0.1, 1200), rng.normal(20.0, 3.0, 800)])
    small = rng.normal(2.0, 1.0, 8)  # n < 10: K = n, as CTGAN's max_clusters = min(len(data), 10)
    constant = np.full(50, 3.5)
    return [("bimodal", bimodal), ("lognormal", lognormal), ("ties", ties), ("trimodal", trimodal),
            ("small", small), ("constant", constant)]


def quantile_centres(x, k):
    s = np.sort(x)
    return np.array([s[int((j + 0.5) / k * len(x))] for j in range(k)])


def kmeans_labels(x, k):
    km = KMeans(n_clusters=k, init=quantile_centres(x, k).reshape(-1, 1), n_init=1, tol=0.0, max_iter=300)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return km.fit(x.reshape(-1, 1)).labels_


def fit(x, labels, k):
    bgm = BayesianGaussianMixture(n_components=k, weight_concentration_prior_type="dirichlet_process",
                                  weight_concentration_prior=0.001, n_init=1, max_iter=100, tol=1e-3)
    resp = np.zeros((len(x), k))
    resp[np.arange(len(x)), labels] = 1.0
    bgm._initialize_parameters = lambda X, random_state, xp=None: bgm._initialize(X, resp)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        bgm.fit(x.reshape(-1, 1))
    return bgm


def fmt(values):
    return " ".join(repr(float(v)) for v in values)


def write_case(out, name, x):
    k = min(MAX_COMPONENTS, len(x))
    labels = kmeans_labels(x, k)
    bgm = fit(x, labels, k)
    grid = np.linspace(x.min() - 1.0, x.max() + 1.0, 7)
    proba = bgm.predict_proba(grid.reshape(-1, 1))
    out.write(f"case {name} {len(x)} {k}\n")
    out.write("x " + fmt(x) + "\n")
    out.write("labels " + " ".join(str(int(v)) for v in labels) + "\n")
    out.write(f"n_iter {bgm.n_iter_} converged {int(bgm.converged_)}\n")
    out.write("lower_bounds " + fmt(bgm.lower_bounds_) + "\n")
    out.write("weights " + fmt(bgm.weights_) + "\n")
    out.write("means " + fmt(bgm.means_.ravel()) + "\n")
    out.write("covariances " + fmt(bgm.covariances_.ravel()) + "\n")
    out.write("grid " + fmt(grid) + "\n")
    out.write("proba " + fmt(proba.ravel()) + "\n")
    print(f"{name}: n={len(x)} K={k} iterations {bgm.n_iter_} converged {bgm.converged_} "
          f"kept {(bgm.weights_ > 0.005).sum()} lower bound {bgm.lower_bound_:.6f}")


def time_cohort(path):
    import time

    import h5py
    cols = []
    with h5py.File(path, "r") as f:
        for group in ("/cohort/covariates", "/cohort/parameters"):
            for name, ds in f[group].items():
                if ds.dtype.kind == "f":
                    x = ds[()]
                    x = x[~np.isnan(x)]
                    cols.append(np.log(x) if (x > 0).all() else x)
    total, iters = 0.0, 0
    for x in cols:
        bgm = BayesianGaussianMixture(n_components=min(MAX_COMPONENTS, len(x)), n_init=1,
                                      weight_concentration_prior_type="dirichlet_process",
                                      weight_concentration_prior=0.001, random_state=0)
        t0 = time.process_time()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bgm.fit(x.reshape(-1, 1))
        total += time.process_time() - t0
        iters += bgm.n_iter_
    print(f"sklearn {sklearn.__version__}: {len(cols)} columns of {len(cols[0])} rows: {total:.3f} s CPU, "
          f"{total / len(cols):.4f} s per column, {iters / len(cols):.1f} iterations per column")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="tests/data/gan/vgm/vgm_reference.txt")
    ap.add_argument("--time", metavar="COHORT", help="time sklearn's fits on a cohort file's float columns")
    args = ap.parse_args()
    if args.time:
        return time_cohort(args.time)
    with open(args.out, "w") as out:
        out.write(f"# sklearn {sklearn.__version__} numpy {np.__version__}: validation/gan_vgm_reference.py\n")
        for name, x in cases():
            write_case(out, name, x)
    print("wrote", args.out)


if __name__ == "__main__":
    main()
