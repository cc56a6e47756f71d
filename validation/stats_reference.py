#!/usr/bin/env python3
"""stats_reference.py: the reference values for src/trial/stats_*.c (issue 8, item 5).

Writes tests/data/stats/reference.txt, the fixture tests/trial/test_stats.c reads:
random data (fixed seeds) and edge cases (ties, zero differences, n = 2, all
equal, extreme t), each computed by the library the issue names:

  norm_cdf/sf/isf       scipy.stats.norm.cdf / sf / isf
  t_sf / t_cdf          scipy.stats.t.sf / cdf
  norm_pdf / t_pdf      scipy.stats.norm.pdf / t.pdf
  beta_inc              I_x(a, b) and 1 - I_x(a, b), mpmath.betainc (50 digits)
  t_isf                 the exact quantile, mpmath (50 digits) root of t.sf;
                        scipy 1.10's t.isf/ppf (cdflib, tol 1e-8) is off by up to
                        ~2e-9 relative, printed below as a measured note
  describe              numpy mean, std(ddof=1), median, percentile(25/75)
  paired                scipy.stats.ttest_rel; CI = mean(d) -/+ t_{0.975,n-1} sd/sqrt(n)
                        with the exact quantile
  wilcoxon              scipy.stats.wilcoxon(d, zero_method="wilcox",
                        correction=False, method="asymptotic")
  welch                 scipy.stats.ttest_ind(equal_var=False); Welch CI with the exact quantile
  mwu                   scipy.stats.mannwhitneyu(use_continuity=True,
                        alternative="two-sided", method="asymptotic")
  wilson                statsmodels proportion_confint(method="wilson")
  newcombe              statsmodels confint_proportions_2indep(method="newcomb")
  mcnemar               statsmodels mcnemar(exact=True)
  fisher                scipy.stats.fisher_exact (two-sided)
  km                    lifelines KaplanMeierFitter: events, median_survival_time_;
                        where S(t) is exactly 1/2 the exact first time with
                        S <= 1/2 (lifelines' float S lands either side of 1/2)
  logrank               lifelines.statistics.logrank_test: test_statistic, p_value
  cox / cox_strata      lifelines CoxPHFitter (Efron ties; strata=["s"] for the
                        stratified fit): coef, se(coef), exp(coef) and its 95% CI,
                        p; fitted with fit_options precision=1e-30,
                        r_precision=0, max_steps=200 (it runs to rounding
                        level), because the defaults (1e-7, 1e-9) stop
                        early: the Newton decrement test alone leaves ~1e-7 (the gap
                        is measured and printed in the header)

Line format: NAME ARGS... = STATUS VALUES...; STATUS is "ok" or the reason the
library must report (too_few, zero_variance, all_zero, all_ties, no_events);
a value written "p:X" is a p-value (checked to 1e-12 absolute), others to 1e-9
relative. Run: validation/.venv-stats/bin/python validation/stats_reference.py
[--out PATH] (PATH defaults to tests/data/stats/reference.txt; scripts/validate.sh
builds that venv with the pinned versions and writes PATH into its temporary tree;
by hand: python3 -m venv validation/.venv-stats; pip install scipy statsmodels
lifelines mpmath).
"""
import argparse
import math
import os
import sys
import warnings
from fractions import Fraction

import mpmath
import numpy as np
import scipy
import scipy.stats as st
import statsmodels
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint
import lifelines
import pandas as pd
from lifelines import CoxPHFitter, KaplanMeierFitter
from lifelines.statistics import logrank_test

mpmath.mp.dps = 50
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "data", "stats", "reference.txt")
LEVEL = 0.95
lines = []
notes = {"scipy_t_isf_worst_rel": 0.0, "lifelines_default_worst_rel": 0.0, "km_median_exact_differs": 0}


def r(x):
    return repr(float(x))


def emit(name, args, status, values):
    lines.append(f"{name} {' '.join(args)} = {status} {' '.join(values)}".rstrip())


def mp_t_sf(t, df):
    t, df = mpmath.mpf(t), mpmath.mpf(df)
    x = df / (df + t * t)
    half = mpmath.betainc(df / 2, mpmath.mpf(1) / 2, 0, x, regularized=True) / 2
    return half if t > 0 else 1 - half


def exact_t_isf(q, df):
    """The t with sf(t) = q, to 50 digits; started from scipy's value."""
    start = st.t.isf(q, df)
    if q == 0.5:
        return 0.0
    if q > 0.5:  # symmetric; 1 - q is exact in double for q >= 1/2
        val = -exact_t_isf(1 - q, df)
    else:
        logq = mpmath.log(mpmath.mpf(q))
        root = mpmath.findroot(lambda u: mpmath.log(mp_t_sf(mpmath.exp(u), df)) - logq,
                               mpmath.log(mpmath.mpf(start)), tol=mpmath.mpf(10) ** -35)
        val = float(mpmath.exp(root))
    notes["scipy_t_isf_worst_rel"] = max(notes["scipy_t_isf_worst_rel"], abs(start - val) / abs(val))
    return val


# ---- distributions -------------------------------------------------------------
def distributions():
    xs = [0.0, 1e-300, 1e-10, 0.1, 0.5, 1.0, 1.959963984540054, 2.5, 5, 8, 10, 20, 30, 37.5, -0.3, -3, -12, -38]
    for x in xs:
        emit("norm_cdf", [r(x)], "ok", [r(st.norm.cdf(x))])
        emit("norm_sf", [r(x)], "ok", [r(st.norm.sf(x))])
    for q in [1e-300, 1e-100, 1e-20, 1e-10, 1e-5, 0.001, 0.025, 0.1, 0.25, 0.3, 0.4999, 0.5, 0.6, 0.975, 0.999999]:
        emit("norm_isf", [r(q)], "ok", [r(st.norm.isf(q))])
    dfs = [1, 1.5, 2, 3, 4.7, 5, 10, 29, 30.25, 99, 1000, 123456.5]
    ts = [0.0, 1e-8, 0.01, 0.5, 1, 1.5, 2, 2.5, 3, 5, 10, 30, 100, 1e4, 1e8, -0.7, -4, -50]
    for df in dfs:
        for t in ts:
            sf = st.t.sf(t, df)
            if sf == 0:
                continue
            emit("t_sf", [r(t), r(df)], "ok", [r(sf)])
            emit("t_cdf", [r(t), r(df)], "ok", [r(st.t.cdf(t, df))])
    for df in [1, 2.5, 10, 1000, 123456.5]:
        for t in [0.0, 0.3, 2, 7, 40, -1.5]:
            emit("t_pdf", [r(t), r(df)], "ok", [r(st.t.pdf(t, df))])
    for x in [0.0, 0.7, -2.2, 9, 30]:
        emit("norm_pdf", [r(x)], "ok", [r(st.norm.pdf(x))])
    for a, b in [(0.5, 0.5), (1, 1), (2, 3), (0.1, 7), (10, 0.5), (50, 60), (500, 0.5), (200, 180)]:
        for x in [1e-6, 0.01, 0.2, 0.5, 0.45, 0.55, 0.9, 0.999]:
            am, bm, xm = mpmath.mpf(a), mpmath.mpf(b), mpmath.mpf(x)
            ix = mpmath.betainc(am, bm, 0, xm, regularized=True)
            ixc = mpmath.betainc(bm, am, 0, 1 - xm, regularized=True)  # not 1 - I: that cancels
            if float(ix) > 1e-300 and float(ixc) > 1e-300:
                emit("beta_inc", [r(a), r(b), r(x)], "ok", [r(ix), r(ixc)])
    for df in [1, 2, 3, 4.7, 10, 29, 99, 1000, 123456.5]:
        for q in [1e-100, 1e-20, 1e-8, 1e-4, 0.001, 0.025, 0.05, 0.1, 0.3, 0.45, 0.4999, 0.7, 0.975]:
            emit("t_isf", [r(q), r(df)], "ok", [r(exact_t_isf(q, df))])


# ---- descriptives and comparisons ------------------------------------------------
def arr(x):
    return [str(len(x))] + [r(v) for v in x]


def describe(x):
    x = np.asarray(x, float)
    n = len(x)
    if n == 0:
        return emit("describe", arr(x), "too_few", [])
    sd = "nan" if n < 2 else r(np.std(x, ddof=1))
    emit("describe", arr(x), "ok" if n >= 2 else "too_few",
         [r(np.mean(x)), sd, r(np.median(x)), r(np.percentile(x, 25)), r(np.percentile(x, 75))])


def paired(x, y):
    d = np.asarray(x, float) - np.asarray(y, float)
    n = len(d)
    if n < 2:
        return emit("paired", arr(x) + arr(y)[1:], "too_few", [r(d.mean())] if n else [])
    if np.all(d == d[0]):
        return emit("paired", arr(x) + arr(y)[1:], "zero_variance", [r(d.mean())])
    res = st.ttest_rel(x, y)
    se = np.std(d, ddof=1) / math.sqrt(n)
    tq = exact_t_isf((1 - LEVEL) / 2, n - 1)
    m = np.mean(d)
    emit("paired", arr(x) + arr(y)[1:], "ok",
         [r(m), r(m - tq * se), r(m + tq * se), r(res.statistic), r(n - 1), "p:" + r(res.pvalue)])


def wilcoxon(x, y):
    d = np.asarray(x, float) - np.asarray(y, float)
    if np.all(d == 0):
        return emit("wilcoxon", arr(x) + arr(y)[1:], "all_zero", [])
    # scipy 1.10 names the normal approximation "approx" (later versions: "asymptotic")
    method = "approx" if tuple(int(v) for v in scipy.__version__.split(".")[:2]) < (1, 11) else "asymptotic"
    res = st.wilcoxon(d, zero_method="wilcox", correction=False, method=method)
    emit("wilcoxon", arr(x) + arr(y)[1:], "ok", [r(res.statistic), "p:" + r(res.pvalue)])


def welch(x, y):
    x, y = np.asarray(x, float), np.asarray(y, float)
    args = arr(x) + arr(y)
    diff = [r(x.mean() - y.mean())] if len(x) and len(y) else []
    if len(x) < 2 or len(y) < 2:
        return emit("welch", args, "too_few", diff)
    v1, v2 = np.var(x, ddof=1) / len(x), np.var(y, ddof=1) / len(y)
    if v1 + v2 == 0:
        return emit("welch", args, "zero_variance", diff)
    res = st.ttest_ind(x, y, equal_var=False)
    df = (v1 + v2) ** 2 / (v1 ** 2 / (len(x) - 1) + v2 ** 2 / (len(y) - 1))
    tq = exact_t_isf((1 - LEVEL) / 2, df)
    se = math.sqrt(v1 + v2)
    m = x.mean() - y.mean()
    emit("welch", args, "ok", [r(m), r(m - tq * se), r(m + tq * se), r(res.statistic), r(df), "p:" + r(res.pvalue)])


def mwu(x, y):
    args = arr(x) + arr(y)
    if len(x) == 0 or len(y) == 0:
        return emit("mwu", args, "too_few", [])
    xy = np.concatenate([x, y])
    if np.all(xy == xy[0]):
        return emit("mwu", args, "all_ties", [])
    res = st.mannwhitneyu(x, y, use_continuity=True, alternative="two-sided", method="asymptotic")
    emit("mwu", args, "ok", [r(res.statistic), "p:" + r(res.pvalue)])


def two_sample_cases(rng):
    sizes = [2, 3, 5, 8, 13, 30, 100, 400]
    for n in sizes:
        for kind in ("normal", "rounded", "skewed"):
            x = rng.normal(120, 25, n)
            y = x + rng.normal(-4, 10, n)
            if kind == "rounded":  # ties and zero differences
                x, y = np.round(x / 10), np.round(y / 10)
            elif kind == "skewed":
                x, y = rng.lognormal(0, 1, n), rng.lognormal(0.3, 1.2, n)
            describe(x)
            paired(x, y)
            wilcoxon(x, y)
            ny = max(1, n + int(rng.integers(-1, 3)))
            y2 = y[:ny] if ny <= n else np.concatenate([y, rng.normal(110, 30, ny - n)])
            if kind == "rounded":
                y2 = np.round(y2)
            welch(x, y2)
            mwu(x, y2)
    # edge cases
    describe([]); describe([3.5]); describe([1.0, 2.0]); describe([7.0] * 5); describe([1e9 + 1, 1e9 + 2, 1e9 + 4])
    paired([1.0], [2.0]); paired([1.0, 2.0], [0.5, 1.0]); paired([1.0, 2.0, 3.0], [0.0, 1.0, 2.0])
    paired([5.0, 6.0, 7.0, 8.0], [5.0, 6.0, 7.0, 8.0]); paired([1.0, 2.0], [1.0, 1.0])
    paired([0.0, 0.0, 0.0, 1e-3], [0.0] * 4)
    x = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0]
    paired(x, [v - 1e-6 * (i + 1) for i, v in enumerate(x)])  # extreme t
    wilcoxon([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]); wilcoxon([1.0], [0.0]); wilcoxon([2.0, 2.0, 2.0, 2.0], [1.0, 1.0, 1.0, 1.0])
    wilcoxon([1.0, 2.0, 3.0, 4.0, 5.0], [1.0, 1.0, 2.0, 2.0, 3.0]); wilcoxon([1.0, -1.0, 2.0, -2.0, 0.0], [0.0] * 5)
    welch([1.0], [2.0, 3.0]); welch([1.0, 1.0], [2.0, 2.0]); welch([1.0, 1.0], [2.0, 3.0]); welch([1.0, 2.0], [3.0, 5.0])
    welch([0.0, 1e-9], [1e3, 1e3 + 1e-9])  # extreme t
    mwu([], [1.0]); mwu([4.0, 4.0], [4.0, 4.0, 4.0]); mwu([1.0], [2.0]); mwu([1.0, 1.0, 2.0], [1.0, 2.0, 2.0, 2.0])
    mwu([1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0])


# ---- proportions ---------------------------------------------------------------------
def wilson(c, n):
    if n == 0:
        return emit("wilson", [str(c), str(n)], "too_few", [])
    lo, hi = proportion_confint(c, n, alpha=1 - LEVEL, method="wilson")
    emit("wilson", [str(c), str(n)], "ok", [r(c / n), r(lo), r(hi)])


def newcombe(c1, n1, c2, n2):
    args = [str(c1), str(n1), str(c2), str(n2)]
    if n1 == 0 or n2 == 0:
        return emit("newcombe", args, "too_few", [])
    lo, hi = confint_proportions_2indep(c1, n1, c2, n2, method="newcomb", compare="diff", alpha=1 - LEVEL)
    emit("newcombe", args, "ok", [r(c1 / n1 - c2 / n2), r(lo), r(hi)])


def mcn(b, c):
    if b + c == 0:
        return emit("mcnemar", [str(b), str(c)], "no_events", [])
    res = mcnemar([[7, b], [c, 3]], exact=True)
    emit("mcnemar", [str(b), str(c)], "ok", [r(res.statistic), "p:" + r(res.pvalue)])


def fisher(a, b, c, d):
    args = [str(a), str(b), str(c), str(d)]
    if 0 in (a + b, c + d, a + c, b + d):
        return emit("fisher", args, "no_events", [])
    odds, p = st.fisher_exact([[a, b], [c, d]], alternative="two-sided")
    emit("fisher", args, "ok", [r(odds) if math.isfinite(odds) else "inf", "p:" + r(p)])


def proportion_cases(rng):
    for c, n in [(0, 0), (0, 1), (1, 1), (0, 10), (10, 10), (3, 10), (1, 2), (50, 100), (999, 1000), (1, 100000), (73210, 100000)]:
        wilson(c, n)
    for _ in range(40):
        n = int(rng.integers(1, 400))
        wilson(int(rng.integers(0, n + 1)), n)
    for args in [(0, 0, 1, 1), (0, 10, 0, 10), (10, 10, 0, 10), (5, 10, 5, 10), (1, 2, 2, 3), (70, 100, 55, 100)]:
        newcombe(*args)
    for _ in range(40):
        n1, n2 = int(rng.integers(1, 300)), int(rng.integers(1, 300))
        newcombe(int(rng.integers(0, n1 + 1)), n1, int(rng.integers(0, n2 + 1)), n2)
    for b, c in [(0, 0), (0, 1), (1, 1), (5, 5), (0, 20), (3, 12), (40, 60), (250, 300), (1000, 1100), (0, 1030)]:
        mcn(b, c)
    for _ in range(30):
        mcn(int(rng.integers(0, 200)), int(rng.integers(0, 200)))
    for t in [(0, 0, 1, 1), (0, 5, 0, 5), (1, 0, 0, 1), (3, 1, 1, 3), (10, 0, 0, 10), (8, 2, 1, 5), (5, 5, 5, 5),
              (1, 9, 11, 3), (20, 30, 35, 15), (70, 30, 55, 45), (500, 500, 450, 550), (0, 100, 10, 90)]:
        fisher(*t)
    for _ in range(40):
        fisher(*(int(v) for v in rng.integers(0, 120, 4)))


# ---- time to event -----------------------------------------------------------------
def surv_args(t, e, *more):
    return [str(len(t))] + [r(v) for v in t] + [str(int(v)) for v in e] + [str(int(v)) for m in more for v in m]


def km_exact_median(t, e):
    """The first time with S(t) <= 1/2, S as an exact fraction."""
    t, e = np.asarray(t, float), np.asarray(e, int)
    surv = Fraction(1)
    for u in np.unique(t):
        n, d = int((t >= u).sum()), int(((t == u) & (e == 1)).sum())
        surv *= Fraction(n - d, n)
        if d and surv <= Fraction(1, 2):
            return float(u)
    return math.inf


def km(t, e):
    if len(t) == 0:
        return emit("km", surv_args(t, e), "too_few", [])
    f = KaplanMeierFitter().fit(np.asarray(t, float), event_observed=np.asarray(e, int))
    med = f.median_survival_time_
    exact = km_exact_median(t, e)
    if exact != med:  # S(t) = 1/2 exactly: lifelines' answer hangs on the last bit of numpy's log
        notes["km_median_exact_differs"] += 1
        med = exact
    emit("km", surv_args(t, e), "ok", [str(int(np.sum(e))), r(med) if math.isfinite(med) else "inf"])


def logrank_variance(t, e, g):
    """The logrank variance sum n0 n1 d (n - d) / (n^2 (n - 1)), only to say when it is 0."""
    v = 0.0
    for u in np.unique(t[e == 1]):
        risk = t >= u
        n, n1, d = risk.sum(), (risk & (g == 1)).sum(), ((t == u) & (e == 1)).sum()
        v += (n - n1) * n1 * d * (n - d) / (n * n * (n - 1)) if n > 1 else 0.0
    return v


def logrank(t, e, g):
    t, e, g = (np.asarray(v) for v in (t, e, g))
    args = surv_args(t, e, g)
    if g.sum() == 0 or g.sum() == len(g):
        return emit("logrank", args, "too_few", [])
    if e.sum() == 0:
        return emit("logrank", args, "no_events", [])
    if logrank_variance(t, e, g) == 0:  # lifelines returns 0 and p = 1 from 0/0
        return emit("logrank", args, "zero_variance", [])
    res = logrank_test(t[g == 0], t[g == 1], event_observed_A=e[g == 0], event_observed_B=e[g == 1])
    emit("logrank", args, "ok", [r(res.test_statistic), "p:" + r(res.p_value)])


def cox_fit(t, e, x, strata, options):
    df = pd.DataFrame({"T": t, "E": e, "x": x})
    if strata is not None:
        df["s"] = strata
    cph = CoxPHFitter()
    cph.fit(df, duration_col="T", event_col="E", strata=["s"] if strata is not None else None, fit_options=options)
    s = cph.summary.loc["x"]
    return [s["coef"], s["se(coef)"], s["exp(coef)"], s["exp(coef) lower 95%"], s["exp(coef) upper 95%"], s["p"]]


def cox_has_maximum(t, e, x, strata):
    """A finite maximum exists iff some x=0 event has an x=1 subject at risk and
    some x=1 event has an x=0 subject at risk (same stratum); else lifelines runs
    beta away (it warns) and twinscale says 'separation'."""
    t, e, x = (np.asarray(v) for v in (t, e, x))
    s = np.zeros(len(t), int) if strata is None else np.asarray(strata)
    pos = neg = False
    for i in np.flatnonzero(e):
        at_risk = (s == s[i]) & (t >= t[i])
        neg |= x[i] == 0 and np.any(x[at_risk] == 1)
        pos |= x[i] == 1 and np.any(x[at_risk] == 0)
    return pos and neg


def cox(t, e, x, strata=None):
    name = "cox" if strata is None else "cox_strata"
    args = surv_args(t, e, x, *([strata] if strata is not None else []))
    status = "ok"
    if np.sum(x) == 0 or np.sum(x) == len(x):
        status = "too_few"
    elif np.sum(e) == 0:
        status = "no_events"
    elif not cox_has_maximum(t, e, x, strata):
        status = "separation"
    if status != "ok":
        return emit(name, args, status, [])
    tight = cox_fit(t, e, x, strata, {"precision": 1e-30, "r_precision": 0.0, "max_steps": 200})
    default = cox_fit(t, e, x, strata, None)
    for a, b in zip(tight[:5], default[:5]):
        notes["lifelines_default_worst_rel"] = max(notes["lifelines_default_worst_rel"], abs(a - b) / abs(a))
    emit(name, args, "ok", [r(v) for v in tight[:5]] + ["p:" + r(tight[5])])


def survival_cases(rng):
    for n, tie_every, censor in [(5, 0, 0.0), (12, 0, 0.3), (30, 1, 0.2), (60, 5, 0.4), (200, 30, 0.3), (400, 60, 0.5),
                                 (2000, 15, 0.3)]:
        g = np.arange(n) % 2
        t = rng.exponential(np.where(g == 1, 1.6, 1.0) * 100)
        if tie_every:  # minutes on a coarse grid: tied event times
            t = np.ceil(t / tie_every) * tie_every
        e = (rng.random(n) > censor).astype(int)
        cap = np.quantile(t, 0.9)  # administrative censoring at the trial's end
        e[t > cap] = 0
        t = np.minimum(t, cap)
        km(t[g == 0], e[g == 0]); km(t[g == 1], e[g == 1])
        logrank(t, e, g)
        cox(t, e, g)
        # crossover: every twin in both arms, stratified by twin
        tw = n // 2
        base = rng.exponential(100, tw)
        t2 = np.concatenate([base * rng.exponential(1.0, tw), base * rng.exponential(1.5, tw)])
        if tie_every:
            t2 = np.ceil(t2 / tie_every) * tie_every
        e2 = (rng.random(2 * tw) > censor).astype(int)
        x2 = np.repeat([0, 1], tw)
        s2 = np.tile(np.arange(tw), 2)
        cox(t2, e2, x2, s2)
    # edge cases
    km([], []); km([5.0, 5.0, 5.0], [0, 0, 0]); km([1.0, 2.0, 3.0, 4.0], [1, 1, 1, 1]); km([10.0], [1])
    km([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0], [1] * 10)
    km([3.0, 3.0, 3.0, 3.0, 7.0, 7.0], [1, 1, 0, 1, 1, 0])
    logrank([1.0, 2.0], [1, 1], [0, 0]); logrank([1.0, 2.0, 3.0, 4.0], [0, 0, 0, 0], [0, 1, 0, 1])
    logrank([1.0, 2.0, 3.0, 4.0], [1, 1, 1, 1], [0, 1, 0, 1]); logrank([5.0, 5.0, 5.0, 5.0], [1, 1, 1, 1], [0, 1, 0, 1])
    logrank([1.0, 1.0, 2.0, 2.0, 3.0, 3.0], [1, 0, 1, 1, 0, 1], [0, 1, 1, 0, 0, 1])
    cox([1.0, 2.0], [1, 1], [0, 0]); cox([1.0, 2.0, 3.0, 4.0], [0, 0, 0, 0], [0, 1, 0, 1])
    cox([1.0, 2.0, 3.0, 4.0], [1, 1, 0, 0], [1, 1, 0, 0])
    cox([1.0, 1.0, 2.0, 2.0], [1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 1, 1])  # every stratum separated
    cox([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [1, 1, 1, 1, 1, 1], [0, 1, 1, 0, 1, 0])
    cox([2.0, 2.0, 2.0, 2.0, 3.0, 3.0, 5.0, 5.0], [1, 1, 1, 0, 1, 1, 1, 0], [0, 1, 1, 0, 1, 0, 0, 1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=OUT, help="the fixture to write (default tests/data/stats/reference.txt)")
    out = ap.parse_args().out
    warnings.simplefilter("ignore")  # scipy's small-sample notes
    rng = np.random.default_rng(20261201)
    distributions()
    two_sample_cases(rng)
    proportion_cases(rng)
    survival_cases(rng)
    header = [
        "# tests/data/stats/reference.txt: reference values for src/trial/stats_*.c,",
        "# written by validation/stats_reference.py (see it for the format). Do not edit.",
        f"# scipy {scipy.__version__}, statsmodels {statsmodels.__version__}, numpy {np.__version__}, mpmath {mpmath.__version__}",
        f"# lifelines {lifelines.__version__}, pandas {pd.__version__}",
        f"# measured: scipy t.isf vs the exact quantile, worst relative {notes['scipy_t_isf_worst_rel']:.3e}",
        f"# measured: KM medians where lifelines' float S(t) = 1/2 decides otherwise than the exact S: {notes['km_median_exact_differs']}",
        f"# measured: CoxPHFitter default fit_options vs precision 1e-30, worst relative {notes['lifelines_default_worst_rel']:.3e}",
    ]
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w") as f:
        f.write("\n".join(header + lines) + "\n")
    print(f"wrote {len(lines)} cases to {out}; scipy t.isf worst relative {notes['scipy_t_isf_worst_rel']:.3e}", file=sys.stderr)


if __name__ == "__main__":
    main()
