#!/usr/bin/env python3
"""Writes tests/data/io/h5py_written.h5: an HDF5 file made by h5py, not by
twinscale, which tests/io/test_h5.c reads to show that files from the Python
side (PyTorch state_dicts saved with h5py, cohort tables) load without
conversion code: dotted dataset names, big-endian and int16 data, fixed- and
variable-length strings, attributes of several types.

Run with Debian's Python, which has h5py:
    env -i PATH=/usr/bin:/bin /usr/bin/python3 -s scripts/make-io-fixture.py
"""
import os

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "data", "io", "h5py_written.h5")

with h5py.File(OUT, "w", libver="earliest") as f:
    f.attrs["N"] = np.int64(10)
    f.attrs["lr"] = np.float64(0.001)
    f.attrs["kind"] = np.bytes_("grt")  # fixed-length string
    f.attrs["note"] = "trained with PyTorch 1.13, µ"  # variable-length UTF-8
    w = np.arange(12, dtype=np.float32).reshape(4, 3) / 4
    f["gnn.0.lin_self.weight"] = w
    f["big_endian"] = np.array([1.5, -2.0, 1e300], dtype=">f8")
    f["int16"] = np.array([-32768, 0, 32767], dtype="<i2")
    f["names_fixed"] = np.array([b"a", b"bcd", b"efghijkl"], dtype="S8")
    f.create_dataset("names_vl", data=["patient #1", "Ünï"], dtype=h5py.string_dtype("utf-8"))
    f.create_group("empty_group")
print("wrote", os.path.normpath(OUT))
