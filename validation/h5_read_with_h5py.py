#!/usr/bin/env python3
"""Reads a results file written collectively by twinscale (4 MPI ranks, through
parallel HDF5) with h5py alone, and checks what docs/file-formats.md promises:
the root attributes, a non-empty `units` attribute on every dataset, datasets
chunked along the twin axis only, variable-length UTF-8 strings, and every row
of the per-twin datasets.

The file is the one tests/io/test_h5_collective.c writes (ctest runs that test
first, as a fixture); its values are value(id, col) = 10*id + col + 0.5.

Usage: h5_read_with_h5py.py FILE   (exit 0 ok, 1 mismatch, 77 no h5py)
"""
import sys

try:
    import h5py
    import numpy as np
except ImportError as e:  # the check needs Debian's python3-h5py
    print(f"SKIP: {e}")
    sys.exit(77)

N_TWINS, WIDTH = 10007, 3
ARMS = ["placebo", "dose 5 mg", "dose 10 mg — µ"]


def main(path):
    problems = []

    def check(ok, what):
        if not ok:
            problems.append(what)

    with h5py.File(path, "r") as f:
        a = f.attrs
        for key in ("twinscale_version", "git_commit", "config", "seed", "rank_count"):
            check(key in a, f"root attribute {key} missing")
        check(a["rank_count"] == 4, f"rank_count {a['rank_count']}")
        check(a["seed"] == 20261128 and a["seed"].dtype == np.uint64, f"seed {a['seed']!r}")
        check(a["config"].startswith("trial:\n"), "config text")

        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                units = obj.attrs.get("units")
                check(isinstance(units, str) and units != "", f"{name}: units {units!r}")
                if obj.chunks is not None:
                    check(obj.chunks[1:] == obj.shape[1:], f"{name}: chunked across rows {obj.chunks}")

        f.visititems(visit)
        v = f["twins/endpoints"][:]
        ids = np.arange(N_TWINS)[:, None]
        expected = 10.0 * ids + np.arange(WIDTH)[None, :] + 0.5
        check(v.shape == (N_TWINS, WIDTH), f"endpoints shape {v.shape}")
        check(np.array_equal(v, expected), "endpoints values")
        check(np.array_equal(f["twins/id"][:], np.arange(N_TWINS)), "twin ids")
        check(f["twins/endpoints"].attrs["units"] == "mg/dL", "endpoint units")
        names = list(f["arms/name"].asstr()[:])
        check(names == ARMS, f"arm names {names}")
        check(h5py.check_string_dtype(f["arms/name"].dtype).encoding == "utf-8", "strings not UTF-8")
        check(h5py.check_string_dtype(f["arms/name"].dtype).length is None, "strings not variable-length")

    for p in problems:
        print(f"{path}: {p}")
    print(f"{path}: {'ok' if not problems else f'{len(problems)} problems'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
