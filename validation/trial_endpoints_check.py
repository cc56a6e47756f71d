#!/usr/bin/env python3
"""Recomputes a trial's glucose endpoints from its saved 1-minute trajectories
in numpy and compares them with the streamed ones (issue 8: "endpoints
recomputed from saved 1-minute trajectories in Python equal the streamed ones
to 1e-12 relative"; ctest trial_endpoints_recompute).

The results file (src/trial/trial_job.h) must keep the trajectories of every
twin at every minute (`output.trajectories: {twins: <all>, every_min: 1}`).
With W = warmup_min and D = duration_min (root attributes), the samples of
the glucose endpoints are, per twin and arm (docs/endpoints.md):
  - glucose_observable "bg": /trajectories/bg[i, a, W + t] for t = 1..D;
  - glucose_observable "cgm": /trajectories/cgm[i, a, W + t] for t = s, 2s,
    ... <= D, s the sensor's sample time (--cgm-every, default 3: Dexcom).
From them, independently of src/trial: tir_70_180, tbr_70, tbr_54, tar_180,
tar_250 and user thresholds (--threshold NAME:below|above|between:V[:HIGH]),
in percent of samples; mean_bg; sd_bg (ddof 1); cv_bg = 100 sd/mean; gmi =
3.31 + 0.02392 mean; lbgi and hbgi (Kovatchev, averaged over all samples);
time_to_bg_below_54 (first such t, else the last sample's t) and
event_bg_below_54. Means (mean_bg, the variance, lbgi, hbgi) are taken from
correctly rounded sums (math.fsum), so the reference's own error is below an
ulp. A twin-arm with a non-finite sample (or not run: a
parallel twin outside its arm) must be NaN in every endpoint.

Every dataset under /endpoints must be one of these (an endpoint this script
cannot recompute fails the check rather than being skipped). Counts (the
percentages, user thresholds, the time and the event) must be equal exactly; the rest to
--rtol (default 1e-12) relative, absolutely where the value is 0. Prints the
largest relative difference per endpoint and overall.

Usage: trial_endpoints_check.py FILE [--cgm-every S] [--threshold ...] [--rtol R]
Exit 0 ok, 1 a mismatch or bad file, 77 no numpy or h5py.
"""
import argparse
import math
import sys

try:
    import h5py
    import numpy as np
except ImportError as e:  # Debian's python3-numpy and python3-h5py
    print(f"SKIP: {e}")
    sys.exit(77)

COUNTS = ("tir_70_180", "tbr_70", "tbr_54", "tar_180", "tar_250", "time_to_bg_below_54", "event_bg_below_54")


def fmean(v):
    """Mean along the last axis from the correctly rounded sum (math.fsum):
    numpy's reduction over the last axis of a 3-D array sums in order, whose
    error (3e-15 relative here) would be the reference's, not the file's."""
    return np.apply_along_axis(math.fsum, -1, v) / v.shape[-1]


def percent(cond):
    """100 * count / n along the last axis (the C code's 100.0 * count / n)."""
    return 100.0 * cond.sum(axis=-1).astype(np.float64) / cond.shape[-1]


def kovatchev(bg):
    f = 1.509 * (np.log(np.maximum(bg, 1.0)) ** 1.084 - 5.381)
    risk = 10.0 * f * f
    return fmean(np.where(f < 0, risk, 0.0)), fmean(np.where(f > 0, risk, 0.0))


def first_below_54(x, times):
    below = x < 54.0
    event = below.any(axis=-1)
    first = np.where(event, times[np.argmax(below, axis=-1)], times[-1])
    return first.astype(np.float64), event.astype(np.float64)


def glucose_endpoints(x, times, thresholds):
    """x (twins, arms, n) samples at window minutes `times` (n)."""
    mean = fmean(x)
    n = x.shape[-1]
    sd = np.sqrt(fmean((x - mean[..., None]) ** 2) * n / (n - 1)) if n > 1 else np.full(mean.shape, np.nan)
    lbgi, hbgi = kovatchev(x)
    t54, e54 = first_below_54(x, times)
    ep = {
        "tir_70_180": percent((x >= 70) & (x <= 180)),
        "tbr_70": percent(x < 70),
        "tbr_54": percent(x < 54),
        "tar_180": percent(x > 180),
        "tar_250": percent(x > 250),
        "mean_bg": mean,
        "sd_bg": sd,
        "cv_bg": 100.0 * sd / mean,
        "gmi": 3.31 + 0.02392 * mean,
        "lbgi": lbgi,
        "hbgi": hbgi,
        "time_to_bg_below_54": t54,
        "event_bg_below_54": e54,
    }
    for name, kind, lo, hi in thresholds:
        cond = x < lo if kind == "below" else x > lo if kind == "above" else (x >= lo) & (x <= hi)
        ep[name] = percent(cond)
    bad = ~np.isfinite(x).all(axis=-1)
    for v in ep.values():
        v[bad] = np.nan
    return ep


def parse_threshold(text):
    parts = text.split(":")
    if len(parts) not in (3, 4) or parts[1] not in ("below", "above", "between"):
        raise argparse.ArgumentTypeError(f"--threshold {text}: want NAME:below|above|between:V[:HIGH]")
    return parts[0], parts[1], float(parts[2]), float(parts[3]) if len(parts) == 4 else 0.0


def compare(name, got, want, rtol, exact):
    """Problems (list) and the largest relative difference (absolute where the
    numpy value is 0)."""
    problems = []
    if got.shape != want.shape:
        return [f"{name}: shape {got.shape}, expected {want.shape}"], 0.0
    nan_got, nan_want = np.isnan(got), np.isnan(want)
    if (nan_got != nan_want).any():
        k = tuple(np.argwhere(nan_got != nan_want)[0])
        problems.append(f"{name}: NaN at {k} in one only (file {got[k]}, numpy {want[k]})")
    ok = ~nan_got & ~nan_want
    g, w = got[ok], want[ok]
    diff = np.abs(g - w)
    rel = np.where(w != 0, diff / np.where(w != 0, np.abs(w), 1.0), diff)
    worst = float(rel.max()) if rel.size else 0.0
    limit = 0.0 if exact else rtol
    if worst > limit:
        k = int(np.argmax(rel))
        problems.append(f"{name}: file {g[k]!r}, numpy {w[k]!r}: relative difference {worst:.3g} > {limit:g}")
    return problems, worst


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("file")
    ap.add_argument("--cgm-every", type=int, default=3, help="the sensor's sample time, min (glucose: cgm)")
    ap.add_argument("--threshold", type=parse_threshold, action="append", default=[],
                    help="a user threshold on the glucose observable: NAME:below|above|between:V[:HIGH]")
    ap.add_argument("--rtol", type=float, default=1e-12)
    a = ap.parse_args()

    with h5py.File(a.file, "r") as f:
        W, D = int(f.attrs["warmup_min"]), int(f.attrs["duration_min"])
        obs = f.attrs["glucose_observable"]
        obs = obs.decode() if isinstance(obs, bytes) else str(obs)
        n_twins = f["twins/name"].shape[0]
        time_min = f["time_min"][()]
        traj = f[f"trajectories/{obs}"][()]
        names = sorted(f["endpoints"].keys())
        streamed = {k: f[f"endpoints/{k}"][()] for k in names}
        arm_of = f["assignment/arm"][()] if "assignment" in f else None

    problems = []
    if not np.array_equal(time_min, np.arange(W + D + 1)):
        problems.append(f"/time_min is not 0..{W + D} every minute: keep trajectories every_min: 1")
    if traj.shape[0] != n_twins:
        problems.append(f"trajectories of {traj.shape[0]} of {n_twins} twins: keep them all")
    if problems:
        print("\n".join("FAIL: " + p for p in problems))
        return 1

    stride = a.cgm_every if obs == "cgm" else 1
    times = np.arange(stride, D + 1, stride)
    x = traj[:, :, W + times]
    want = glucose_endpoints(x, times, a.threshold)
    if arm_of is not None:  # a parallel twin runs its arm only; the trajectories elsewhere are NaN
        ran = np.zeros(x.shape[:2], dtype=bool)
        ran[np.arange(n_twins), arm_of] = True
        problems += ["trajectories of a twin outside its arm are not NaN"] if np.isfinite(x[~ran]).any() else []

    unknown = [k for k in names if k not in want]
    if unknown:
        problems.append(f"endpoints this check cannot recompute (give --threshold?): {', '.join(unknown)}")
    missing = [k for k in want if k not in streamed]
    if missing:
        problems.append(f"endpoints missing from the file: {', '.join(missing)}")
    print(f"{a.file}: {n_twins} twins x {x.shape[1]} arms, {obs} every {stride} min, {len(times)} samples "
          f"(window {W}+1..{W}+{D}); {int(np.isfinite(want['mean_bg']).sum())} twin-arms run")
    low = int(((x < 1.0).any(axis=-1) & np.isfinite(want["mean_bg"])).sum())
    print(f"  {low} twin-arms have a sample below 1 mg/dL (Kovatchev's clamp at 1 mg/dL applies)")
    worst_all = 0.0
    thr_names = {t[0] for t in a.threshold}
    for k in names:
        if k not in want:
            continue
        exact = k in COUNTS or k in thr_names
        p, worst = compare(k, streamed[k], want[k], a.rtol, exact)
        problems += p
        worst_all = max(worst_all, worst)
        print(f"  {k:24s} max relative difference {worst:.3g}{' (exact)' if exact else ''}")
    print(f"max difference over every endpoint and twin-arm: {worst_all:.3g} (limit {a.rtol:g}; counts and "
          f"thresholds exact)")
    for p in problems:
        print("FAIL: " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
