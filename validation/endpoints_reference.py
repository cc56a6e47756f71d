#!/usr/bin/python3
"""endpoints_reference.py: reference trial endpoints for src/trial/endpoints.c.

Generates blood-glucose traces and drug concentration profiles (random ones and
edge cases), computes every endpoint of docs/endpoints.md from the whole trace
with a straightforward numpy implementation of each definition (no streaming, no
shared code with twinscale), and writes tests/data/endpoints/endpoints_reference.txt.
tests/trial/test_endpoints.c (ctest label `validation`) streams the same traces
through the accumulators in several chunkings and compares.

    /usr/bin/python3 validation/endpoints_reference.py [--seed 20261201] [--out PATH]

Fixture format (text, whitespace separated; values are Python reprs, so C's
strtod reads exactly the doubles numpy used; "nan" where a result is NaN):
    bg_group NAME W D EVERY N_USER N_MIN      one chunk of twins sharing a window
    user KIND LO HI NAME                      N_USER lines; KIND below|above|between
    twin NAME                                 then:
    v X[N_MIN]                                bg at the end of minutes 0..N_MIN-1
    expect E[13 + N_USER]                     the tw_bg_endpoint rows, then the user ones
    end
    pk_group NAME N_DOSES END N_T             one chunk sharing dose and sample times
    doses D[N_DOSES]                          absolute minutes
    t T[N_T]                                  sample minutes
    twin NAME
    c C[N_T]                                  concentration at those minutes
    expect E[4 * N_DOSES]                     Cmax[j], Tmax[j], AUC[j], trough[j] rows
    end
"""
import argparse
import os

import numpy as np

BG_NAMES = ["tir_70_180", "tbr_70", "tbr_54", "tar_180", "tar_250", "mean_bg", "sd_bg", "cv_bg",
            "gmi", "lbgi", "hbgi", "time_to_bg_below_54", "event_bg_below_54"]


# ---- the definitions -------------------------------------------------------------

def threshold_hit(kind, lo, hi, x):
    """Boolean mask of the samples meeting a threshold."""
    if kind == "below":
        return x < lo
    if kind == "above":
        return x > lo
    return (x >= lo) & (x <= hi)


def percent(mask):
    return 100.0 * np.count_nonzero(mask) / mask.size


def bg_endpoints(trace, W, D, every, user):
    """Every endpoint of one twin from its whole trace (minutes 0..len-1)."""
    t = np.arange(trace.size) - W
    keep = (t >= 1) & (t <= D) & (t % every == 0)
    x, ts = trace[keep], t[keep]
    n_out = len(BG_NAMES) + len(user)
    if x.size == 0 or not np.all(np.isfinite(x)):
        return [float("nan")] * n_out
    mean = np.mean(x)
    sd = np.std(x, ddof=1) if x.size > 1 else float("nan")
    f = 1.509 * (np.log(np.maximum(x, 1.0)) ** 1.084 - 5.381)
    rl = np.where(f < 0, 10.0 * f * f, 0.0)
    rh = np.where(f > 0, 10.0 * f * f, 0.0)
    below = ts[x < 54]
    out = [percent((x >= 70) & (x <= 180)), percent(x < 70), percent(x < 54), percent(x > 180),
           percent(x > 250), mean, sd, 100.0 * sd / mean, 3.31 + 0.02392 * mean,
           np.mean(rl), np.mean(rh), below[0] if below.size else ts[-1],
           1.0 if below.size else 0.0]
    out += [percent(threshold_hit(k, lo, hi, x)) for k, lo, hi, _ in user]
    return [float(v) for v in out]


def auc_segments(c0, c1, dt):
    """Linear-up log-down: log-trapezoid only where falling with both ends > 0."""
    log_down = (c1 < c0) & (c1 > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_part = (c0 - c1) * dt / np.log(c0 / c1)
    return np.where(log_down, log_part, 0.5 * (c0 + c1) * dt)


def pk_endpoints(t, c, doses, end):
    """Cmax, Tmax, AUC, trough per dose interval [dose_j, dose_j+1] (last: end)."""
    bounds = list(doses) + [end]
    nd = len(doses)
    if not np.all(np.isfinite(c[(t >= doses[0]) & (t <= end)])):
        return [float("nan")] * (4 * nd)
    cmax, tmax, auc, trough = [], [], [], []
    for j in range(nd):
        sel = (t >= bounds[j]) & (t <= bounds[j + 1])
        ts, cs = t[sel], c[sel]
        k = int(np.argmax(cs))
        cmax.append(cs[k])
        tmax.append(ts[k] - bounds[j])
        auc.append(np.sum(auc_segments(cs[:-1], cs[1:], np.diff(ts).astype(float))))
        trough.append(cs[-1])
    return [float(v) for v in cmax + tmax + auc + trough]


def simglucose_risk(x):
    """simglucose's risk_index (analysis/risk.py): each index averaged over its own
    side's subset only, 0 when that subset is empty (bg clamped at 1 as here)."""
    f = 1.509 * (np.log(np.maximum(x, 1.0)) ** 1.084 - 5.381)
    lo, hi = f[f < 0], f[f > 0]
    return (np.mean(10 * lo ** 2) if lo.size else 0.0), (np.mean(10 * hi ** 2) if hi.size else 0.0)


def print_simglucose_table(groups):
    """The docs/endpoints.md table: our LBGI/HBGI against simglucose's subset means."""
    print("| trace (fixture) | share of samples below 112.5 | LBGI ours / simglucose | HBGI ours / simglucose |")
    for name, trace, W, D, every in groups:
        t = np.arange(trace.size) - W
        x = trace[(t >= 1) & (t <= D) & (t % every == 0)]
        e = bg_endpoints(trace, W, D, every, [])
        sl, sh = simglucose_risk(x)
        share = np.mean(1.509 * (np.log(np.maximum(x, 1.0)) ** 1.084 - 5.381) < 0)
        print(f"| {name} | {100 * share:.1f}% | {e[9]:.4g} / {sl:.4g} | {e[10]:.4g} / {sh:.4g} |")


# ---- traces ----------------------------------------------------------------------

def random_bg(rng, n_min, hypo):
    """A day-like trace: baseline, meal excursions, an AR(1) wander, maybe a hypo."""
    t = np.arange(n_min, dtype=float)
    bg = np.full(n_min, rng.uniform(90, 160))
    for tm in np.sort(rng.uniform(0, n_min, size=max(1, n_min // 360))):
        amp, tau = rng.uniform(30, 160), rng.uniform(30, 90)
        s = np.clip(t - tm, 0, None) / tau
        bg += amp * s * np.exp(1 - s)
    e = np.zeros(n_min)
    z = rng.normal(0, 2.0, n_min)
    for i in range(1, n_min):
        e[i] = 0.995 * e[i - 1] + z[i]
    bg += e
    if hypo:
        centre, width = rng.uniform(0, n_min), rng.uniform(20, 120)
        bg -= rng.uniform(60, 110) * np.exp(-0.5 * ((t - centre) / width) ** 2)
    return np.round(np.clip(bg, 15, 450), 2)


def edge_bg(n_min, W, rng):
    """Named edge cases over minutes 0..n_min-1 with warm-up W."""
    cases = {}
    exact = np.array([54.0, 70.0, 180.0, 250.0, 53.999, 69.999, 180.001, 250.001, 112.5, 1.0])
    cases["thresholds_exact"] = np.resize(exact, n_min)
    low = np.array([0.0, 0.5, 0.999, 1.0, 1.5, 20.0, 600.0])
    cases["below_1_mg_dl"] = np.resize(low, n_min)
    cases["all_in_range"] = np.round(120 + 30 * np.sin(np.arange(n_min) / 50.0), 3)
    cases["constant_100"] = np.full(n_min, 100.0)
    first = np.full(n_min, 130.0)
    first[W + 1] = 50.0
    cases["event_first_minute"] = first
    last = np.full(n_min, 130.0)
    last[-1] = 53.0
    cases["event_last_minute"] = last
    warm = np.full(n_min, 130.0)
    warm[: W + 1] = 40.0  # below 54 in the warm-up and at minute 0: not counted
    cases["event_in_warmup_only"] = warm
    nan_in = random_bg(rng, n_min, False)
    nan_in[W + 500] = np.nan
    cases["nan_in_window"] = nan_in
    nan_warm = random_bg(rng, n_min, True)
    nan_warm[W // 2] = np.nan
    cases["nan_in_warmup"] = nan_warm
    inf_in = np.full(n_min, 120.0)
    inf_in[W + 10] = np.inf
    cases["inf_in_window"] = inf_in
    cases["tiny_sd_at_300"] = np.round(300.0 + 1e-4 * rng.normal(size=n_min), 9)
    off = np.round(300.0 + 1e-4 * rng.normal(size=n_min), 9)
    off[W + 1] = 300.5  # the first sample 40 sd from the mean
    cases["tiny_sd_first_sample_off"] = off
    return cases


def pk_profile(t, doses, amounts, ka, ke, v, route):
    """Superposed one-compartment profiles; a dose at td acts after td (the sample at
    td is the concentration just before it)."""
    c = np.zeros(t.size)
    for td, amt in zip(doses, amounts):
        s = (t - td) / 60.0
        on = s > 0
        if route == "iv":
            c[on] += amt / v * np.exp(-ke * s[on])
        else:
            c[on] += amt * ka / (v * (ka - ke)) * (np.exp(-ke * s[on]) - np.exp(-ka * s[on]))
    return c


# ---- writing ---------------------------------------------------------------------

def fmt(values):
    return " ".join("nan" if np.isnan(v) else repr(float(v)) for v in values)


SHOWN = ("random_1", "random_11", "cgm_random_1", "two_weeks_hypo", "constant_100")
shown = []  # (name, trace, W, D, every) of the traces in the docs' simglucose table


def write_bg_group(out, name, W, D, every, user, twins):
    shown.extend((tn, tr, W, D, every) for tn, tr in twins.items() if tn in SHOWN)
    n_min = next(iter(twins.values())).size
    out.append(f"bg_group {name} {W} {D} {every} {len(user)} {n_min}")
    out += [f"user {k} {lo!r} {hi!r} {nm}" for k, lo, hi, nm in user]
    for tn, trace in twins.items():
        out += [f"twin {tn}", "v " + fmt(trace), "expect " + fmt(bg_endpoints(trace, W, D, every, user))]
    out.append("end")


def write_pk_group(out, name, doses, end, t, twins):
    out.append(f"pk_group {name} {len(doses)} {end} {t.size}")
    out += ["doses " + " ".join(str(d) for d in doses), "t " + " ".join(str(x) for x in t)]
    for tn, c in twins.items():
        out += [f"twin {tn}", "c " + fmt(c), "expect " + fmt(pk_endpoints(t, c, doses, end))]
    out.append("end")


def bg_groups(rng, out):
    user = [("below", 80.0, 0.0, "pct_bg_below_80"), ("between", 100.0, 140.0, "pct_bg_100_140"),
            ("above", 300.0, 0.0, "pct_bg_above_300")]
    W, D = 60, 1440
    twins = {f"random_{i}": random_bg(rng, W + D + 1, i % 3 == 0) for i in range(12)}
    twins.update(edge_bg(W + D + 1, W, rng))
    write_bg_group(out, "day_every_minute", W, D, 1, user, twins)

    cgm = {f"cgm_random_{i}": random_bg(rng, 1441, i % 2 == 0) for i in range(8)}
    off = np.full(1441, 130.0)
    off[3] = 40.0       # below 54 only between CGM samples: no event
    off[7] = np.nan     # NaN between samples: not a sample, not a failure
    cgm["cgm_off_stride"] = off
    hit = np.full(1441, 130.0)
    hit[1440] = 50.0    # the last sample
    cgm["cgm_event_last_sample"] = hit
    write_bg_group(out, "day_cgm_every_5", 0, 1440, 5, [("between", 70.0, 140.0, "pct_bg_70_140")], cgm)

    long = {"two_weeks_hypo": random_bg(rng, 20161, True)}
    write_bg_group(out, "two_weeks", 0, 20160, 1, [], long)

    write_bg_group(out, "one_sample", 0, 1, 1, [],
                   {"single_low": np.array([0.0, 50.0]), "single_high": np.array([0.0, 260.0])})
    write_bg_group(out, "two_samples", 2, 2, 1, [],
                   {"two_equal": np.array([1.0, 2.0, 3.0, 180.0, 180.0]),
                    "two_apart": np.array([1.0, 2.0, 3.0, 54.0, 53.0])})


def pk_groups(rng, out):
    doses, end = [0, 720, 1440, 2160], 2880
    t = np.arange(0, end + 1)
    twins = {}
    for i in range(3):
        amts = rng.uniform(50, 200, size=len(doses))
        c = pk_profile(t, doses, amts, rng.uniform(0.5, 3), rng.uniform(0.05, 0.3), rng.uniform(20, 80), "oral")
        twins[f"oral_q12h_{i}"] = np.array([float(f"{x:.6g}") for x in c])  # 6 digits: plateaus
    write_pk_group(out, "oral_q12h_every_minute", doses, end, t, twins)

    doses, end = [0, 300, 1000], 1500
    t = np.arange(0, end + 1, 5)
    twins = {}
    for i in range(4):
        amts = rng.uniform(10, 100, size=len(doses))
        c = pk_profile(t, doses, amts, 1.0, rng.uniform(0.1, 0.6), rng.uniform(5, 30), "iv")
        twins[f"iv_irregular_{i}"] = c
    plateau = np.where(t < 200, np.minimum(t, 60) * 0.5, 30.0)
    plateau[t >= 900] = 12.0
    twins["plateau_equal_values"] = plateau  # rising, flat, step down, flat
    to_zero = pk_profile(t, doses, [50, 50, 50], 1.0, 0.3, 10.0, "iv")
    to_zero[(t > 600) & (t < 1000)] = 0.0  # falls to exactly 0 (log-down undefined), stays
    twins["falls_to_zero"] = to_zero
    twins["all_zero"] = np.zeros(t.size)
    nan_c = pk_profile(t, doses, [50, 50, 50], 1.0, 0.3, 10.0, "iv")
    nan_c[150] = np.nan
    twins["nan_sample"] = nan_c
    write_pk_group(out, "iv_irregular_every_5", doses, end, t, twins)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--seed", type=int, default=20261201)
    ap.add_argument("--out", default=os.path.join(here, "..", "tests", "data", "endpoints",
                                                  "endpoints_reference.txt"))
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    out = [f"# written by validation/endpoints_reference.py --seed {a.seed} (numpy {np.__version__})"]
    bg_groups(rng, out)
    pk_groups(rng, out)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w") as f:
        f.write("\n".join(out) + "\n")
    print(f"wrote {a.out}: {os.path.getsize(a.out)} bytes")
    print_simglucose_table(shown)


if __name__ == "__main__":
    main()
