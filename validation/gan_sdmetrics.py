#!/usr/bin/env python3
"""gan_sdmetrics.py: SDMetrics' values for `twinscale gan report` (issue 12, item 5).

Builds small cohort tables (real, synthetic, holdout), writes them as cohort
HDF5 files (/cohort/covariates/<name>, /cohort/parameters/<pack>.<name>, the
layout src/gan/table.h reads) and writes expected.json: every metric of the
report as SDMetrics computes it on the same tables, read back from the files:

  quality       sdmetrics.reports.QualityReport (the unified report; its
                details for Column Shapes and Column Pair Trends, its
                property scores and overall score)
  diagnostic    sdmetrics.single_column.BoundaryAdherence / CategoryAdherence
                (what the DiagnosticReport's Data Validity calls per column)
  holdout_quality  the QualityReport's score and two property scores with
                the holdout as the real table (`gan report`'s quality against
                the holdout)
  privacy       sdmetrics.single_table.NewRowSynthesis (defaults),
                DCROverfittingProtection (no subsampling),
                DCRBaselineProtection: random, so its spread: the score for
                SPREAD_RUNS seeds (cls._seed and numpy's global seed), with
                mean, sd, min and max

Float columns are `numerical`, integer and string columns `categorical`.
Column order is the order twinscale reads (covariates, parameters, then
conditions, each sorted by name), so pairs come in the same order.

  python3 -m venv validation/.venv
  validation/.venv/bin/pip install sdmetrics==0.32.0 h5py
  validation/.venv/bin/python validation/gan_sdmetrics.py tests/data/gan

writes tests/data/gan/mixed/ (260, 220 and 160 rows: correlated floats, missing
values, constant columns, integer and string categories, a synthetic range
wider than the real one, a category and an integer the real data lacks, copied
and near-copied rows) and tests/data/gan/edge/ (40, 30, 25 rows: a column all
missing in the real table, no pair above the thresholds), each with
real.h5, synthetic.h5, holdout.h5 and expected.json; and tests/data/gan/bad/
(a cohort file with no rows, one whose `sex` is a float column, one with a
boolean column).

With --files R S H --out E.json it computes the same on any three cohort
files instead (cohorts from `twinscale cohort generate`; not committed).
With --files R S H --compare Q.json it compares instead a `gan report` JSON
of the same three files with SDMetrics' numbers, printing the largest
difference per metric (exit 1 above 1e-9) and DCRBaselineProtection beside
SDMetrics' spread (--runs seeds).
With --random N --twinscale BIN OUTDIR it runs `BIN gan report` on N random
triples of small tables (2 to 5 columns of floats on the bin edges, floats,
floats with missing values, ints, strings; 5 to 59 rows; half of them with
real rows copied into the others), compares every deterministic number with
SDMetrics' and prints the largest difference per metric (exit 1 above 1e-9).
"""
import argparse
import json
import math
import os
import subprocess
import sys
import warnings

import h5py
import numpy as np
import pandas as pd

import sdmetrics
from sdmetrics.reports import QualityReport
from sdmetrics.single_column import BoundaryAdherence, CategoryAdherence
from sdmetrics.single_table import (DCRBaselineProtection, DCROverfittingProtection,
                                    NewRowSynthesis)

PINNED = "0.32.0"
SPREAD_RUNS = 400
TABLE = "cohort"
GROUPS = ("/cohort/covariates", "/cohort/parameters", "/cohort/conditions")


# ---- the fixture tables -------------------------------------------------------

def make_rows(rng, n, shift=0.0):
    """n rows of a small cohort: correlated floats, a float with missing values,
    constant columns, integer and string categories associated with the floats."""
    site = rng.choice(np.array(["north", "south", "east"], dtype=object), size=n, p=[0.5, 0.3, 0.2])
    sex = (rng.random(n) < np.where(site == "north", 0.8, 0.2)).astype(np.int32)
    age = 40 + 12 * rng.standard_normal(n) + np.where(site == "east", 15.0, 0.0) + shift
    weight = 60 + 0.4 * age + 10 * sex + 6 * rng.standard_normal(n)
    weight[rng.random(n) < 0.06] = np.nan
    hba1c = np.round(7 + 0.8 * rng.standard_normal(n), 1)  # ties
    kp1 = 2.7 + 0.02 * age + 0.3 * rng.standard_normal(n) + 1e-13 * rng.random(n)  # rounding at 14 decimals
    kabs = 0.05 + 0.002 * (kp1 - 2.7) / 0.3 + 0.0005 * rng.standard_normal(n)
    doses = np.clip(np.round(2 + 2 * sex + rng.standard_normal(n)), 0, 6).astype(np.int64)
    return {
        "age_y": age, "egfr": 95 + 15 * rng.standard_normal(n), "hba1c_percent": hba1c,
        "sex": sex, "site": site, "weight_kg": weight, "zero_const": np.full(n, 1.5),
        "t1d.doses": doses, "t1d.kabs": kabs, "t1d.kp1": kp1, "t1d.ones": np.ones(n, dtype=np.int32),
    }


def fixture_tables(seed=12):
    rng = np.random.default_rng(seed)
    real = make_rows(rng, 260)
    holdout = make_rows(rng, 160)
    syn = make_rows(rng, 220, shift=3.0)
    syn["egfr"] = 80 + 30 * rng.standard_normal(220)        # a wider, shifted range than the real one
    syn["site"][:10] = "west"                               # a category the real data lacks
    syn["t1d.doses"][10:15] = 9                             # an integer outside the real categories
    syn["zero_const"][15:20] = 2.0                          # a 'constant' column that is not in the synthetic
    for k, v in real.items():                               # rows 20..39: copies of real rows 0..19
        syn[k][20:40] = v[:20]
    for k in ("age_y", "t1d.kp1"):                          # rows 40..49: within 1% of real rows 20..29
        syn[k][40:50] = real[k][20:30] * 1.004
    for k, v in real.items():
        if k not in ("age_y", "t1d.kp1"):
            syn[k][40:50] = v[20:30]
    for k, v in real.items():                               # holdout rows 0..4 = real rows 0..4 (DCR ties)
        holdout[k][:5] = v[:5]
    return real, syn, holdout


def edge_rows(rng, n, missing_share):
    """n rows where no pair reaches the report's thresholds, with a column that is
    all missing in the real table, a constant integer and missing values."""
    some = rng.standard_normal(n)
    some[rng.random(n) < missing_share] = np.nan
    return {
        "all_missing": np.full(n, np.nan), "grade": rng.choice(np.array(["a", "b"], dtype=object), size=n),
        "missing_some": some, "x": rng.random(n), "y": rng.random(n),
        "t1d.const": np.full(n, 7, dtype=np.int32),
    }


def edge_tables(seed=5):
    rng = np.random.default_rng(seed)
    real, syn, holdout = edge_rows(rng, 40, 0.3), edge_rows(rng, 30, 0.1), edge_rows(rng, 25, 0.3)
    syn["all_missing"][::2] = rng.standard_normal(15)   # present in the synthetic table only
    for k, v in real.items():                            # synthetic rows 0..4 copy real rows 0..4
        syn[k][:5] = v[:5]
    return real, syn, holdout


FIXTURES = {"mixed": fixture_tables, "edge": edge_tables}


def write_bad(folder):
    """Files `gan report` refuses: no rows; the mixed schema with `sex` as a float;
    a boolean column (h5py writes an HDF5 enum: neither numbers nor strings)."""
    os.makedirs(folder, exist_ok=True)
    real = fixture_tables()[0]
    write_cohort(os.path.join(folder, "empty.h5"), {k: v[:0] for k, v in real.items()})
    other = dict(real, sex=real["sex"].astype(np.float64))
    write_cohort(os.path.join(folder, "sex_float.h5"), {k: v[:20] for k, v in other.items()})
    write_cohort(os.path.join(folder, "bool.h5"), {"flag": np.array([True, False, True])})  # an HDF5 enum


def write_cohort(path, cols):
    with h5py.File(path, "w") as f:
        for name, v in cols.items():
            group = GROUPS[1] if "." in name else GROUPS[0]
            if v.dtype == object:
                f.create_dataset(f"{group}/{name}", data=list(v), dtype=h5py.string_dtype("utf-8"))
            else:
                f.create_dataset(f"{group}/{name}", data=v)


# ---- reading cohort files as twinscale does ----------------------------------

def read_cohort(path):
    """The columns of a cohort file, covariates, parameters, conditions, each by name."""
    cols, meta = {}, {}
    with h5py.File(path, "r") as f:
        for group in GROUPS:
            if group not in f:
                continue
            for name in sorted(f[group].keys()):
                d = f[group][name]
                kind = d.dtype.kind
                if kind == "f":
                    cols[name], meta[name] = d[()].astype(np.float64), "numerical"
                elif kind in "iu":
                    cols[name], meta[name] = d[()].astype(np.int64), "categorical"
                else:
                    cols[name], meta[name] = np.array(d.asstr()[()], dtype=object), "categorical"
    return pd.DataFrame(cols), {"columns": {k: {"sdtype": v} for k, v in meta.items()}}


# ---- SDMetrics -----------------------------------------------------------------

def num(x):
    x = float(x)
    return None if math.isnan(x) else x


def quality(real, syn, meta):
    report = QualityReport()
    report.generate({TABLE: real}, {TABLE: syn}, {"tables": {TABLE: meta}}, verbose=False)
    props = report.get_properties().set_index("Property")["Score"]
    shapes = report.get_details("Column Shapes")
    pairs = report.get_details("Column Pair Trends")
    return {
        "score": num(report.get_score()),
        "column_shapes": num(props["Column Shapes"]),
        "column_pair_trends": num(props["Column Pair Trends"]),
        "columns": {r["Column"]: {"metric": r["Metric"], "score": num(r["Score"])} for _, r in shapes.iterrows()},
        "pairs": [{"columns": [r["Column 1"], r["Column 2"]], "metric": r["Metric"], "score": num(r["Score"])}
                  for _, r in pairs.iterrows()],
    }


def diagnostic(real, syn, meta):
    out = {"boundary_adherence": {}, "category_adherence": {}}
    for name, m in meta["columns"].items():
        if m["sdtype"] == "numerical":
            out["boundary_adherence"][name] = num(BoundaryAdherence.compute(real[name], syn[name]))
        else:
            out["category_adherence"][name] = num(CategoryAdherence.compute(real[name], syn[name]))
    return out


def baseline_spread(real, syn, meta):
    try:
        return baseline_runs(real, syn, meta)
    except Exception as e:  # sdmetrics 0.32.0 cannot draw a column that is all missing
        return {"error": f"{type(e).__name__}: {e}"}


def baseline_runs(real, syn, meta):
    scores = []
    for s in range(SPREAD_RUNS):
        DCRBaselineProtection._seed = s
        np.random.seed(s)  # the missing-value mask draws from numpy's global generator
        scores.append(DCRBaselineProtection.compute(real, syn, meta, TABLE))
    del DCRBaselineProtection._seed
    a = np.array(scores)
    return {"runs": SPREAD_RUNS, "mean": float(a.mean()), "sd": float(a.std(ddof=1)),
            "min": float(a.min()), "max": float(a.max())}


def privacy(real, syn, holdout, meta):
    return {
        "new_row_synthesis": num(NewRowSynthesis.compute(real, syn, meta)),
        "dcr_overfitting_protection": num(DCROverfittingProtection.compute(real, syn, holdout, meta, TABLE)),
        "dcr_baseline_protection": baseline_spread(real, syn, meta),
    }


def expected(paths):
    real, meta = read_cohort(paths[0])
    syn, _ = read_cohort(paths[1])
    holdout, _ = read_cohort(paths[2])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {
            "sdmetrics_version": sdmetrics.__version__,
            "files": [os.path.basename(p) for p in paths],
            "rows": [len(real), len(syn), len(holdout)],
            "quality": quality(real, syn, meta),
            "holdout_quality": {k: v for k, v in quality(holdout, syn, meta).items()
                                if k in ("score", "column_shapes", "column_pair_trends")},
            "diagnostic": diagnostic(real, syn, meta),
            "privacy": privacy(real, syn, holdout, meta),
        }


# ---- random small tables against a twinscale binary -------------------------------

RANDOM_KINDS = ("float on bin edges", "float", "float with missing", "int", "string")


def random_column(rng, n, kind):
    if kind == "float on bin edges":
        return rng.integers(0, 11, n).astype(float)
    if kind == "float":
        return rng.standard_normal(n) * rng.choice([1e-3, 1.0, 1e4])
    if kind == "float with missing":
        v = rng.standard_normal(n)
        v[rng.random(n) < 0.3] = np.nan
        return v
    if kind == "int":
        return rng.integers(0, rng.integers(1, 4) + 1, n).astype(np.int32)
    return rng.choice(np.array(["a", "b", "c"], dtype=object), n)


def random_case(rng, folder):
    """Three random small tables of one random schema, some real rows copied."""
    spec = [(f"c{j}", RANDOM_KINDS[rng.integers(0, len(RANDOM_KINDS))]) for j in range(rng.integers(2, 6))]
    tables = [{name: random_column(rng, n, kind) for name, kind in spec}
              for n in rng.integers(5, 60, size=3)]
    if rng.random() < 0.5:
        m = min(4, *(len(t["c0"]) for t in tables))
        for k in tables[0]:
            tables[1][k][:m] = tables[2][k][:m] = tables[0][k][:m]
    paths = [os.path.join(folder, f"{n}.h5") for n in ("real", "synthetic", "holdout")]
    for p, t in zip(paths, tables):
        write_cohort(p, t)
    return paths


def differences(ours, theirs):
    """(what, |ours - theirs|) for every deterministic number; inf where one is null."""
    def d(a, b):
        return 0.0 if a is None and b is None else math.inf if a is None or b is None else abs(a - b)
    q, e = ours["quality"], theirs["quality"]
    out = [("quality", d(q[k], e[k])) for k in ("score", "column_shapes", "column_pair_trends")]
    out += [("holdout_quality", d(ours["holdout_quality"][k], theirs["holdout_quality"][k]))
            for k in ("score", "column_shapes", "column_pair_trends")]
    out += [(v["metric"], d(q["columns"][c]["score"], v["score"])) for c, v in e["columns"].items()]
    out += [(b["metric"], d(a["score"], b["score"]) if a["columns"] == b["columns"] else math.inf)
            for a, b in zip(q["pairs"], e["pairs"])]
    for g in ("boundary_adherence", "category_adherence"):
        out += [(g, d(ours["diagnostic"][g][c], v)) for c, v in theirs["diagnostic"][g].items()]
    out += [(k, d(ours["privacy"][k], theirs["privacy"][k]))
            for k in ("new_row_synthesis", "dcr_overfitting_protection")]
    return out


def random_check(n_cases, twinscale, folder):
    """`gan report` against SDMetrics on n_cases random triples; prints the largest
    difference per metric and exits 1 when one exceeds 1e-9."""
    global SPREAD_RUNS
    SPREAD_RUNS = 2
    worst = {}
    for case in range(n_cases):
        d = os.path.join(folder, str(case))
        os.makedirs(d, exist_ok=True)
        paths = random_case(np.random.default_rng(1000 + case), d)
        subprocess.run([twinscale, "gan", "report", "--real", paths[0], "--synthetic", paths[1], "--holdout",
                        paths[2], "--json", os.path.join(d, "q.json")], check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(d, "q.json")) as f:
            for what, diff in differences(json.load(f), expected(paths)):
                worst[what] = max(worst.get(what, 0.0), diff)
    return print_worst(worst)


def print_worst(worst):
    for what, diff in sorted(worst.items()):
        print(f"{what:30s} max |twinscale - SDMetrics| {diff:.3g}")
    return 1 if max(worst.values()) > 1e-9 else 0


def compare_files(paths, report):
    """A `gan report` JSON of the three files against SDMetrics; exit status as random_check."""
    with open(report) as f:
        ours = json.load(f)
    theirs = expected(paths)
    worst = {}
    for what, diff in differences(ours, theirs):
        worst[what] = max(worst.get(what, 0.0), diff)
    b = theirs["privacy"]["dcr_baseline_protection"]
    print(f"DCRBaselineProtection: twinscale {ours['privacy']['dcr_baseline_protection']}, SDMetrics {b}")
    return print_worst(worst)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir", nargs="?", help="where the fixture files and expected.json go")
    ap.add_argument("--files", nargs=3, metavar=("REAL", "SYNTHETIC", "HOLDOUT"))
    ap.add_argument("--out", help="expected JSON for --files")
    ap.add_argument("--compare", metavar="Q.json", help="with --files: compare this gan report JSON")
    ap.add_argument("--runs", type=int, default=400, help="DCRBaselineProtection runs for its spread (400)")
    ap.add_argument("--random", type=int, metavar="N", help="compare N random small cases (in OUTDIR)")
    ap.add_argument("--twinscale", help="the twinscale binary, for --random")
    args = ap.parse_args()
    global SPREAD_RUNS
    SPREAD_RUNS = args.runs
    if sdmetrics.__version__ != PINNED:
        sys.exit(f"gan_sdmetrics.py: sdmetrics {sdmetrics.__version__}; the report is checked against {PINNED}")
    if args.random:
        sys.exit(random_check(args.random, args.twinscale, args.outdir))
    if args.files and args.compare:
        sys.exit(compare_files(args.files, args.compare))
    if args.files:
        paths, out = args.files, args.out
        return write_expected(paths, out)
    write_bad(os.path.join(args.outdir, "bad"))
    for name, make in FIXTURES.items():
        folder = os.path.join(args.outdir, name)
        os.makedirs(folder, exist_ok=True)
        paths = [os.path.join(folder, f"{n}.h5") for n in ("real", "synthetic", "holdout")]
        for p, t in zip(paths, make()):
            write_cohort(p, t)
        write_expected(paths, os.path.join(folder, "expected.json"))


def write_expected(paths, out):
    doc = expected(paths)
    with open(out, "w") as f:
        json.dump(doc, f, indent=1, allow_nan=False)
        f.write("\n")
    b = doc["privacy"]["dcr_baseline_protection"]
    spread = b.get("error") or f"mean {b['mean']:.6f} sd {b['sd']:.6f} over {b['runs']} seeds"
    print(f"wrote {out}: quality {doc['quality']['score']}, DCRBaselineProtection {spread}")


if __name__ == "__main__":
    main()
