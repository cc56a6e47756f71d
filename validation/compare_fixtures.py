#!/usr/bin/python3 -s
"""compare_fixtures.py: committed reference fixtures against freshly regenerated ones.

scripts/validate.sh reruns the scripts of validation/ into a temporary data tree
and calls this with both trees:

    compare_fixtures.py COMMITTED_DIR FRESH_DIR [FIXTURE ...]

(COMMITTED_DIR is normally tests/data). For every fixture it prints the largest
difference in the fixture's own measure, the tolerance and the verdict, and
exits 1 when any fixture is missing or differs by more than its tolerance.

Measures and tolerances (why these: the scripts are deterministic given their
seeds; what may move is the last bits of floating point when scipy, numpy or
PyTorch builds differ):
  physio/t1d_reference_bg.f32  max |a - b| in mg/dL over every value (float32
                               file; 1e-3 mg/dL, as t1d_simglucose.py --check)
  physio/cgm_spline.csv,
  physio/cgm_noise_moments.csv max |a - b| / max(|b|, 1e-300) per value (1e-9)
  pbpk/expm_reference.txt      per line, max |a - b| / max |line of b| (1e-9);
                               words and the line structure must match exactly
  nn/grt_*.bin                 per record, max |a - b| / max |record of b|
                               (1e-10; integer records exact)
  stats/reference.txt, trial/analysis_reference.txt, trial/analysis_data.txt,
  endpoints/endpoints_reference.txt
                               "stat": per value, |a - b| / |b| (|a - b| where
                               b = 0; equal infinities and two NaNs agree), 1e-9;
                               a p-value (a word "p:X", or the number after a
                               word "p") |a - b| absolute, 1e-12: the issue's
                               tolerances for every statistic. Each kind gets its
                               own row (with its count of values); words and the
                               line structure must match exactly. The endpoint
                               traces and trial matrices hold no p-values (one row).
"""
import math
import os
import re
import struct
import sys

import numpy as np

FIXTURES = {
    "physio/t1d_reference_bg.f32": ("f32 raw", 1e-3),
    "physio/cgm_spline.csv": ("csv", 1e-9),
    "physio/cgm_noise_moments.csv": ("csv", 1e-9),
    "pbpk/expm_reference.txt": ("words", 1e-9),
    "physio/bb_closed_loop.csv": ("words", 1e-9),
    "physio/pid_closed_loop.csv": ("words", 1e-9),
    "nn/grt_per_twin.bin": ("nnfix", 1e-10),
    "nn/grt_shared_adj.bin": ("nnfix", 1e-10),
    "nn/grt_mask.bin": ("nnfix", 1e-10),
    "nn/grt_per_twin_pe.bin": ("nnfix", 1e-10),
    "nn/grt_shared_adj_pe.bin": ("nnfix", 1e-10),
    "nn/grt_mask_pe.bin": ("nnfix", 1e-10),
    "stats/reference.txt": ("stat", {"value": 1e-9, "p": 1e-12}),
    "endpoints/endpoints_reference.txt": ("stat", {"value": 1e-9, "p": 1e-12}),
    "trial/analysis_data.txt": ("stat", {"value": 1e-9, "p": 1e-12}),
    "trial/analysis_reference.txt": ("stat", {"value": 1e-9, "p": 1e-12}),
}


class Mismatch(Exception):
    """A structural difference (shape, names, words): no number measures it."""


def rel(a, b):
    """max |a - b| / max |b|, 0 for two zero arrays."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise Mismatch(f"shape {a.shape} vs {b.shape}")
    d = np.abs(a - b).max(initial=0.0)
    return 0.0 if d == 0.0 else d / max(np.abs(b).max(initial=0.0), 1e-300)


def f32_raw(fresh, ref):
    a, b = np.fromfile(fresh, dtype="<f4"), np.fromfile(ref, dtype="<f4")
    if a.shape != b.shape:
        raise Mismatch(f"{a.size} values vs {b.size}")
    return float(np.abs(a.astype(np.float64) - b).max(initial=0.0)), "mg/dL abs"


def csv_values(path):
    rows = [line.strip().split(",") for line in open(path) if line.strip() and not line.startswith("#")]
    return rows[0], np.array([[float(v) for v in r] for r in rows[1:]])


def csv_rel(fresh, ref):
    (ha, a), (hb, b) = csv_values(fresh), csv_values(ref)
    if ha != hb or a.shape != b.shape:
        raise Mismatch(f"header/shape {ha} {a.shape} vs {hb} {b.shape}")
    return float((np.abs(a - b) / np.maximum(np.abs(b), 1e-300)).max(initial=0.0)), "relative"


def number(word):
    try:
        return float(word)
    except ValueError:
        return None


def words_rel(fresh, ref):
    la = [re.split(r"[,\s]+", l.strip()) for l in open(fresh) if not l.startswith("#")]
    lb = [re.split(r"[,\s]+", l.strip()) for l in open(ref) if not l.startswith("#")]
    if len(la) != len(lb):
        raise Mismatch(f"{len(la)} lines vs {len(lb)}")
    worst = 0.0
    for n, (wa, wb) in enumerate(zip(la, lb), 1):
        na, nb = [number(w) for w in wa], [number(w) for w in wb]
        if len(wa) != len(wb) or any((x is None) != (y is None) or (x is None and s != t)
                                     for x, y, s, t in zip(na, nb, wa, wb)):
            raise Mismatch(f"line {n}: {' '.join(wa)[:60]!r} vs {' '.join(wb)[:60]!r}")
        vals = [(x, y) for x, y in zip(na, nb) if x is not None]
        if vals:
            worst = max(worst, rel([x for x, _ in vals], [y for _, y in vals]))
    return worst, "relative per line"


def nn_records(path):
    """TWNNFIX1 (grt_make_fixtures.py): name -> array."""
    data = open(path, "rb").read()
    if data[:8] != b"TWNNFIX1":
        raise Mismatch(f"{path}: not a TWNNFIX1 file")
    (count,), pos, out = struct.unpack_from("<I", data, 8), 12, {}
    for _ in range(count):
        (n,) = struct.unpack_from("<I", data, pos)
        name = data[pos + 4:pos + 4 + n].decode()
        code, rank = struct.unpack_from("<II", data, pos + 4 + n)
        pos += 12 + n
        dims = struct.unpack_from("<%dq" % rank, data, pos)
        pos += 8 * rank
        dt = np.dtype(["<f4", "<f8", "<i8"][code])
        size = int(np.prod(dims, dtype=np.int64)) * dt.itemsize
        out[name] = np.frombuffer(data, dt, size // dt.itemsize, pos).reshape(dims)
        pos += size
    return out


def nnfix_rel(fresh, ref):
    a, b = nn_records(fresh), nn_records(ref)
    if list(a) != list(b):
        raise Mismatch(f"records {sorted(set(a) ^ set(b))} differ")
    worst = 0.0
    for k in a:
        if a[k].dtype.kind == "i" and not np.array_equal(a[k], b[k]):
            raise Mismatch(f"record {k}: {a[k].tolist()} vs {b[k].tolist()}")
        worst = max(worst, rel(a[k], b[k]))
    return worst, "relative per record"


def stat_pairs(fresh, ref):
    """(kind, fresh value, committed value) of every number of two text files whose
    words must agree; kind "p" for a p-value ("p:X", or X after the word "p")."""
    la = [l.split() for l in open(fresh) if not l.startswith("#")]
    lb = [l.split() for l in open(ref) if not l.startswith("#")]
    if len(la) != len(lb):
        raise Mismatch(f"{len(la)} lines vs {len(lb)}")
    for n, (wa, wb) in enumerate(zip(la, lb), 1):
        if len(wa) != len(wb):
            raise Mismatch(f"line {n}: {len(wa)} words vs {len(wb)}")
        for k, (s, t) in enumerate(zip(wa, wb)):
            p = s.startswith("p:") and t.startswith("p:")
            x, y = number(s[2:] if p else s), number(t[2:] if p else t)
            if (x is None) != (y is None) or (x is None and s != t):
                raise Mismatch(f"line {n} word {k + 1}: {s!r} vs {t!r}")
            if x is not None:
                yield "p" if p or (k and wb[k - 1] == "p") else "value", x, y


def stat_values(fresh, ref):
    worst, count = {"value": 0.0, "p": 0.0}, {"value": 0, "p": 0}
    for kind, x, y in stat_pairs(fresh, ref):
        count[kind] += 1
        if x == y or (math.isnan(x) and math.isnan(y)):
            continue
        d = abs(x - y) if kind == "p" or y == 0.0 else abs(x - y) / abs(y)
        worst[kind] = max(worst[kind], d if not math.isnan(d) else math.inf)
    return [(worst[k], f"{label} ({count[k]})", k) for k, label in (("value", "relative"), ("p", "p-value abs"))
            if count[k]]


MEASURES = {"f32 raw": f32_raw, "csv": csv_rel, "words": words_rel, "nnfix": nnfix_rel, "stat": stat_values}


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    ref_dir, fresh_dir = argv[1], argv[2]
    names = argv[3:] or list(FIXTURES)
    bad = 0
    print(f"{'fixture':34} {'max difference':>15}  {'measure':20} {'tolerance':>9}  verdict")
    for name in names:
        kind, tol = FIXTURES[name]
        fresh, ref = os.path.join(fresh_dir, name), os.path.join(ref_dir, name)
        try:
            if not os.path.exists(fresh):
                raise Mismatch("not regenerated")
            rows = MEASURES[kind](fresh, ref)
            ok = True
            for diff, measure, key in rows if isinstance(rows, list) else [rows + (None,)]:
                t = tol if key is None else tol[key]
                ok &= diff <= t
                print(f"{name:34} {diff:15.3e}  {measure:20} {t:9.0e}  {'ok' if diff <= t else 'MISMATCH'}")
        except Mismatch as e:
            ok = False
            print(f"{name:34} {'-':>15}  {'structure':20} {'':>9}  MISMATCH: {e}")
        bad += not ok
    print(f"{len(names) - bad} of {len(names)} fixtures reproduced within tolerance")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
