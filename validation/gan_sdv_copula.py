#!/usr/bin/env python3
"""gan_sdv_copula.py: SDV's GaussianCopulaSynthesizer on a cohort file, for
comparison with `twinscale gan baseline --kind gaussian_copula` (docs/gan.md,
"In and out of sample").

Reads the real cohort's columns as `gan report` does (gan_sdmetrics.read_cohort:
float columns numerical, integer and string columns categorical), fits SDV's
GaussianCopulaSynthesizer with its defaults (beta marginals, min and max
enforced, values rounded as in the data), samples N rows and writes them as a
cohort file of the real one's datasets, dtypes and attributes (so `gan
report` reads it like any synthetic cohort). numpy's global seed is set to
SEED before the fit, and the synthesizer's sampling state to SEED (SDV's own
`_set_random_state`; without it every sample uses SDV's fixed seed 73251).

  python3 -m venv /tmp/venv-sdv
  /tmp/venv-sdv/bin/pip install sdv==2.0.0 h5py    (or, without torch:
  pip install --no-deps sdv copulas rdt faker graphviz platformdirs pyyaml
  boto3 botocore s3transfer urllib3 jmespath, beside sdmetrics==0.32.0)
  /tmp/venv-sdv/bin/python validation/gan_sdv_copula.py REAL.h5 N SEED OUT.h5
"""
import os
import sys
import warnings

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gan_sdmetrics import GROUPS, read_cohort  # noqa: E402

import sdv  # noqa: E402
from sdv.metadata import Metadata  # noqa: E402
from sdv.single_table import GaussianCopulaSynthesizer  # noqa: E402


def fit_sample(real, meta, n, seed):
    metadata = Metadata.load_from_dict({"tables": {"cohort": meta}})
    np.random.seed(seed)
    model = GaussianCopulaSynthesizer(metadata)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit({"cohort": real})
        model._set_random_state(seed)  # SDV samples from a fixed seed (73251) unless told another
        rows = model.sample(num_rows=n)
        return rows["cohort"] if isinstance(rows, dict) else rows


def write_like(src, dst, rows):
    """rows as a cohort file with src's datasets (same names, groups, dtypes, attributes)."""
    with h5py.File(src, "r") as f, h5py.File(dst, "w") as g:
        for k, v in f.attrs.items():
            g.attrs[k] = v
        g.attrs["cohort_source"] = "SDV %s GaussianCopulaSynthesizer (validation/gan_sdv_copula.py)" % sdv.__version__
        ids = ["sdv-%06d" % i for i in range(len(rows))]
        g.create_dataset("cohort/id", data=ids, dtype=h5py.string_dtype("utf-8"))
        for group in GROUPS:
            if group not in f:
                continue
            for name in f[group]:
                d = f[group][name]
                col = rows[name].to_numpy()
                if d.dtype.kind in "fiu":
                    g[group + "/" + name] = col.astype(d.dtype)
                else:
                    g.create_dataset(group + "/" + name, data=[str(x) for x in col], dtype=h5py.string_dtype("utf-8"))
                for k, v in d.attrs.items():
                    g[group + "/" + name].attrs[k] = v


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    src, n, seed, dst = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    real, meta = read_cohort(src)
    rows = fit_sample(real, meta, n, seed)
    write_like(src, dst, rows)
    print(f"wrote {dst}: {len(rows)} rows of SDV {sdv.__version__}'s GaussianCopulaSynthesizer fitted on "
          f"{len(real)} rows of {src} (seed {seed})")


if __name__ == "__main__":
    main()
