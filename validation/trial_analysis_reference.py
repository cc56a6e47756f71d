#!/usr/bin/env python3
"""trial_analysis_reference.py: the reference for the trial analysis and its
summary.json (src/trial/analysis.c, summary_json.c; issue 8, items 5 and 6).

Writes two committed fixtures that tests/trial/test_analysis.c reads:

  tests/data/trial/analysis_data.txt       the trials' endpoint matrices (fixed seeds):
                                           crossover and parallel, with NaNs, ties,
                                           zero differences, censoring, all events,
                                           no events, a one-twin arm, no responder rule
  tests/data/trial/analysis_reference.txt  every value summary.json must hold for
                                           each trial, by its JSON path, computed here
                                           by the libraries the issue names, plus the
                                           Kaplan-Meier steps of every arm

The rules mirror docs/trial.md: NaN values left out (pairwise for crossover
comparisons; a twin's time-to-event record needs both its time and its flag);
crossover: scipy ttest_rel and wilcoxon(zero_method="wilcox", correction=False,
asymptotic) on the twins finite in both arms, McNemar exact (statsmodels) on the
discordant pairs, lifelines logrank_test of the two arms' records (as if
independent), CoxPHFitter stratified by twin; parallel: ttest_ind(equal_var=False),
mannwhitneyu(use_continuity=True, two-sided, asymptotic), Newcombe
(confint_proportions_2indep, method="newcomb") and fisher_exact, logrank_test and
CoxPHFitter. Per arm: numpy mean, std(ddof=1), median, percentile 25/75;
statsmodels Wilson; lifelines KaplanMeierFitter. Confidence intervals of t tests
use the exact t quantile (mpmath), Cox fits run to rounding level, and a KM
median where S(t) = 1/2 exactly is the exact first time with S <= 1/2, all as
validation/stats_reference.py (whose helpers are reused here) explains.

Reference line format (one summary.json leaf per line):
  PATH = num X      a number, checked to 1e-9 relative (absolute where X = 0)
  PATH = p X        a p-value, checked to 1e-12 absolute
  PATH = int N      an integer, exact
  PATH = str "S"    a string (JSON-encoded), exact
  PATH = null WORD  null, with PATH_note = the library's text for WORD (too_few,
                    zero_variance, all_zero, all_ties, no_events, separation)
  PATH = null "S"   null, with PATH_note = S exactly
  steps T A = N t1 s1 ... tN sN   the KM curve of arm A of time-to-event T
PATH is slash-separated (object keys, array indices). Every leaf of summary.json
must be named by exactly one line, so a value the writer adds or drops fails.

Run: /tmp/refvenv/bin/python validation/trial_analysis_reference.py [--out DIR]
(venv: python3 -m venv --system-site-packages V; V/bin/pip install scipy
statsmodels lifelines numpy mpmath).
"""
import argparse
import json
import math
import os
import sys
import warnings

import numpy as np
import scipy
import scipy.stats as st
import statsmodels
import lifelines
import pandas as pd
from lifelines import KaplanMeierFitter
from lifelines.statistics import logrank_test
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stats_reference as sr  # noqa: E402  (exact_t_isf, km_exact_median, logrank_variance, cox_has_maximum, cox_fit)

HERE = os.path.dirname(os.path.abspath(__file__))
NOT_REACHED = "not reached: the survival stays above 1/2"
PAIRED_DIFF = "no interval for a paired difference of proportions (McNemar's test is exact)"
D_MIN = 14 * 1440.0  # censoring time: the end of a 14-day trial, minutes


# ---- the trials ------------------------------------------------------------------
class Trial:
    def __init__(self, name, design, arms, ref, n, level=0.95):
        self.name, self.design, self.arms, self.ref, self.n, self.level = name, design, arms, ref, n, level
        self.eps = []  # (name, units, values (n, A))
        self.responder = (-1, 70.0, 1)
        self.tte = []  # (name, time_ep, event_ep)
        self.arm_of = None

    def add(self, name, units, values):
        v = np.array(values, float)
        if self.arm_of is not None:  # parallel: only the twin's own arm holds a value
            mask = np.arange(len(self.arms))[None, :] != self.arm_of[:, None]
            v[mask] = np.nan
        self.eps.append((name, units, v))
        return len(self.eps) - 1

    def ep_index(self, name):
        return [e[0] for e in self.eps].index(name)


def tte_values(rng, n, A, scale, grid, censor_frac, all_events=False):
    t = rng.exponential(scale, (n, A))
    t = np.ceil(t / grid) * grid  # coarse grid: tied times
    e = np.ones((n, A))
    if not all_events:
        e[rng.random((n, A)) < censor_frac] = 0  # dropped out (censored early)
        e[t >= D_MIN] = 0
        t = np.minimum(t, D_MIN)
    return t, e


def random_endpoints(tr, rng, effects):
    n, A = tr.n, len(tr.arms)
    base = rng.normal(62, 12, n)[:, None]
    tr.add("tir_70_180", "%", np.clip(base + effects[None, :] + rng.normal(0, 6, (n, A)), 0, 100))
    tr.add("mean_bg", "mg/dL", 160 - 0.8 * (base - 62) - 2 * effects[None, :] + rng.normal(0, 9, (n, A)))
    tr.add("tbr_54", "%", np.round(np.exp(rng.normal(0, 0.8, (n, A)))))  # small integers: ties, zero differences
    t, e = tte_values(rng, n, A, 9000, 60, 0.15)
    tr.add("time_to_bg_below_54", "min", t)
    tr.add("event_bg_below_54", "1", e)
    t2, e2 = tte_values(rng, n, A, 300, 30, 0, all_events=True)
    tr.add("time_to_bg_below_70", "min", t2)
    tr.add("event_bg_below_70", "1", e2)
    tr.responder = (0, 70.0, 1)
    tr.tte = [("bg_below_54", 3, 4), ("bg_below_70", 5, 6)]


def sprinkle_nans(tr, rng, frac_cell, frac_value):
    """Failed integrations (a twin's whole arm) and single missing values."""
    n, A = tr.n, len(tr.arms)
    dead = rng.random((n, A)) < frac_cell
    for k, (name, units, v) in enumerate(tr.eps):
        v[dead] = np.nan
        if not name.startswith(("time_to", "event_")):
            v[rng.random((n, A)) < frac_value] = np.nan
    tte0 = tr.eps[3][2]
    tte0[1, 0] = np.nan  # a time without its flag: the record is left out


def crossover_random(rng):
    tr = Trial("crossover_random", "crossover", ["basal_bolus", "pid", "pid_aggressive"], 0, 60)
    random_endpoints(tr, rng, np.array([0.0, 4.0, -2.0]))
    sprinkle_nans(tr, rng, 0.05, 0.03)
    return tr


def parallel_random(rng):
    tr = Trial("parallel_random", "parallel", ["low_dose", "placebo", "high_dose"], 1, 90)
    tr.arm_of = rng.permutation(np.repeat([0, 1, 2], [35, 30, 25]))
    random_endpoints(tr, rng, np.array([3.0, 0.0, 6.0]))
    sprinkle_nans(tr, rng, 0.04, 0.03)
    return tr


def crossover_edge(rng):
    tr = Trial("crossover_edge", "crossover", ["control", "treated"], 0, 6)
    same = np.round(rng.normal(100, 10, 6), 1)
    tr.add("same", "mg/dL", np.stack([same, same], 1))  # every difference zero
    tr.add("constant", "%", np.full((6, 2), 5.0))
    one = rng.normal(50, 5, (6, 2))
    one[:, 1] = np.nan  # no value in one arm
    tr.add("one_arm_missing", "%", one)
    tr.add("tir_70_180", "%", np.full((6, 2), 80.0) + rng.integers(0, 10, (6, 2)))  # everyone responds
    tr.add("time_no_event", "min", np.full((6, 2), D_MIN))
    tr.add("event_no_event", "1", np.zeros((6, 2)))
    tr.add("time_sep", "min", np.array([[D_MIN, 100.0 * (i + 1)] for i in range(6)]))
    tr.add("event_sep", "1", np.array([[0.0, 1.0]] * 6))  # events in the treated arm only: separation
    tr.responder = (3, 70.0, 1)
    tr.tte = [("no_event", 4, 5), ("separated", 6, 7)]
    return tr


def parallel_edge(rng):
    tr = Trial("parallel_edge", "parallel", ["a", "b", "c"], 0, 9)
    tr.arm_of = np.array([0, 1, 0, 1, 2, 0, 1, 0, 1])  # arm c: one twin
    tr.add("tied", "%", np.full((9, 3), 3.0))
    tr.add("score", "1", rng.normal(10, 2, (9, 3)))
    lbgi = np.zeros((9, 3))
    lbgi[:, 0] = [1.0, 0, 4.0, 0, 0, 0.5, 0, 3.0, 0]  # ref: two of four at or below 1
    lbgi[:, 1] = 0.2  # b: every twin responds (odds ratio infinite)
    lbgi[:, 2] = 7.0
    tr.add("lbgi", "1", lbgi)
    t = np.array([[60.0, 120.0, 30.0]] * 9) + 60.0 * (np.arange(9) % 3)[:, None]
    tr.add("time_to_bg_below_54", "min", t)
    tr.add("event_bg_below_54", "1", np.ones((9, 3)))  # all events, tied times
    tr.responder = (2, 1.0, 0)
    tr.tte = [("bg_below_54", 3, 4)]
    return tr


def no_rule(rng):
    tr = Trial("no_rule", "parallel", ["x", "y"], 1, 7, level=0.9)
    tr.arm_of = np.array([0, 1, 1, 0, 1, 0, 0])
    tr.add("mean_bg", "mg/dL", rng.normal(150, 20, (7, 2)))
    return tr


# ---- the data fixture ---------------------------------------------------------------
def data_lines(tr):
    out = [f"case {tr.name} {tr.design} {len(tr.arms)} {tr.ref} {tr.n} {sr.r(tr.level)}", "arms " + " ".join(tr.arms)]
    out += [f"endpoint {name} {units}" for name, units, _ in tr.eps]
    out.append(f"responder {tr.responder[0]} {sr.r(tr.responder[1])} {tr.responder[2]}")
    out += [f"tte {name} {a} {b}" for name, a, b in tr.tte]
    if tr.arm_of is not None:
        out.append("assign " + " ".join(str(int(a)) for a in tr.arm_of))
    out += ["values " + " ".join(sr.r(x) for x in v.ravel()) for _, _, v in tr.eps]
    return out + ["end"]


# ---- the expected summary.json, leaf by leaf ----------------------------------------------
class Leaves:
    def __init__(self):
        self.lines = []

    def put(self, path, kind, value):
        self.lines.append(f"{'/'.join(str(p) for p in path)} = {kind} {value}")

    def num(self, path, v, why=None, p=False):
        if v is None or not math.isfinite(v):
            return self.null(path, why if why else ("+infinity" if v == math.inf else "not a number"))
        self.put(path, "p" if p else "num", sr.r(v))

    def null(self, path, why):
        words = {"too_few", "zero_variance", "all_zero", "all_ties", "no_events", "separation"}
        self.put(path, "null", why if why in words else json.dumps(why))

    def integer(self, path, v):
        self.put(path, "int", str(int(v)))

    def text(self, path, s):
        self.put(path, "str", json.dumps(s))

    def interval(self, path, lo, hi, why=None):
        if why:
            return self.null(path, why)
        self.num(path + [0], lo)
        self.num(path + [1], hi)


def ci_key(tr):
    return "ci%s" % format(100 * tr.level, ".10g")


def describe(L, path, x):
    n = len(x)
    L.integer(path + ["n"], n)
    if n == 0:
        for k in ("mean", "sd", "median", "q1", "q3"):
            L.null(path + [k], "too_few")
        return
    L.num(path + ["mean"], np.mean(x))
    L.num(path + ["sd"], np.std(x, ddof=1) if n > 1 else None, "too_few")
    L.num(path + ["median"], np.median(x))
    L.num(path + ["q1"], np.percentile(x, 25))
    L.num(path + ["q3"], np.percentile(x, 75))


def ttest_paired(x, y, level):
    d = x - y
    n = len(d)
    est = float(np.mean(d)) if n else None
    if n < 2:
        return est, "too_few", None
    if np.all(d == d[0]):
        return est, "zero_variance", None
    res = st.ttest_rel(x, y)
    se = np.std(d, ddof=1) / math.sqrt(n)
    tq = sr.exact_t_isf((1 - level) / 2, n - 1)
    return est, None, (est - tq * se, est + tq * se, res.statistic, n - 1, res.pvalue)


def ttest_welch(x, y, level):
    est = float(np.mean(x) - np.mean(y)) if len(x) and len(y) else None
    if len(x) < 2 or len(y) < 2:
        return est, "too_few", None
    v1, v2 = np.var(x, ddof=1) / len(x), np.var(y, ddof=1) / len(y)
    if v1 + v2 == 0:
        return est, "zero_variance", None
    res = st.ttest_ind(x, y, equal_var=False)
    df = (v1 + v2) ** 2 / (v1 ** 2 / (len(x) - 1) + v2 ** 2 / (len(y) - 1))
    tq = sr.exact_t_isf((1 - level) / 2, df)
    se = math.sqrt(v1 + v2)
    return est, None, (est - tq * se, est + tq * se, res.statistic, df, res.pvalue)


def rank_paired(x, y):
    d = x - y
    if not np.any(d != 0):
        return None, "all_zero", None
    # scipy 1.10 names the normal approximation "approx" (later versions: "asymptotic")
    method = "approx" if tuple(int(v) for v in scipy.__version__.split(".")[:2]) < (1, 11) else "asymptotic"
    res = st.wilcoxon(d, zero_method="wilcox", correction=False, method=method)
    return res.statistic, None, res.pvalue


def rank_parallel(x, y):
    if len(x) == 0 or len(y) == 0:
        return None, "too_few", None
    res = st.mannwhitneyu(x, y, use_continuity=True, alternative="two-sided", method="asymptotic")
    if np.all(np.concatenate([x, y]) == x[0]):  # scipy: p = 1 (or NaN); twinscale: not estimable
        return res.statistic, "all_ties", None
    return res.statistic, None, res.pvalue


def comparison(L, tr, path, a, x, y):
    paired = tr.design == "crossover"
    ck = ci_key(tr)
    L.text(path + ["arm"], tr.arms[a])
    L.text(path + ["reference"], tr.arms[tr.ref])
    if paired:
        L.integer(path + ["n_pairs"], len(x))
    est, why, res = (ttest_paired if paired else ttest_welch)(x, y, tr.level)
    L.num(path + ["difference"], est, "too_few")
    L.interval(path + [ck], *(res[:2] if res else (None, None)), why)
    L.text(path + ["test"], "paired_t" if paired else "welch_t")
    L.num(path + ["statistic"], res[2] if res else None, why)
    L.num(path + ["df"], res[3] if res else None, why)
    L.num(path + ["p_value"], res[4] if res else None, why, p=True)
    stat, why, p = (rank_paired if paired else rank_parallel)(x, y)
    L.text(path + ["nonparametric_test"], "wilcoxon_signed_rank" if paired else "mann_whitney_u")
    L.num(path + ["nonparametric_statistic"], stat, why)
    L.num(path + ["nonparametric_p_value"], p, why, p=True)


def arm_values(tr, v, a):
    col = v[:, a]
    return col[np.isfinite(col)]


def pair_values(v, a, b):
    ok = np.isfinite(v[:, a]) & np.isfinite(v[:, b])
    return v[ok, a], v[ok, b]


def others(tr):
    return [a for a in range(len(tr.arms)) if a != tr.ref]


def endpoints(L, tr):
    for name, units, v in tr.eps:
        base = ["endpoints", name]
        L.text(base + ["units"], units)
        for a, arm in enumerate(tr.arms):
            describe(L, base + ["arms", arm], arm_values(tr, v, a))
        for k, a in enumerate(others(tr)):
            if tr.design == "crossover":
                x, y = pair_values(v, a, tr.ref)
            else:
                x, y = arm_values(tr, v, a), arm_values(tr, v, tr.ref)
            comparison(L, tr, base + ["comparisons", k], a, x, y)


# ---- responders ----------------------------------------------------------------------
def responds(tr, x):
    _, thr, above = tr.responder
    return x >= thr if above else x <= thr


def responder_arms(L, tr, v, base):
    for a, arm in enumerate(tr.arms):
        x = arm_values(tr, v, a)
        c, n = int(np.sum(responds(tr, x))), len(x)
        p = base + ["arms", arm]
        L.integer(p + ["n"], n)
        L.integer(p + ["responders"], c)
        if n == 0:
            L.null(p + ["rate"], "too_few")
            L.null(p + [ci_key(tr)], "too_few")
            continue
        lo, hi = proportion_confint(c, n, alpha=1 - tr.level, method="wilson")
        L.num(p + ["rate"], c / n)
        L.interval(p + [ci_key(tr)], lo, hi)


def responder_paired(L, tr, v, a, p):
    x, y = pair_values(v, a, tr.ref)
    rx, ry = responds(tr, x), responds(tr, y)
    b, c, n = int(np.sum(rx & ~ry)), int(np.sum(~rx & ry)), len(x)
    L.integer(p + ["n_pairs"], n)
    L.integer(p + ["arm_only"], b)
    L.integer(p + ["reference_only"], c)
    L.num(p + ["difference"], (b - c) / n if n else None, "too_few")
    L.null(p + [ci_key(tr)], PAIRED_DIFF)
    L.text(p + ["test"], "mcnemar_exact")
    res = mcnemar([[0, b], [c, 0]], exact=True)
    if b + c == 0:  # statsmodels: statistic 0, p = 1; twinscale: the p-value is not estimable
        L.num(p + ["statistic"], res.statistic)
        return L.null(p + ["p_value"], "no_events")
    L.num(p + ["statistic"], res.statistic)
    L.num(p + ["p_value"], res.pvalue, p=True)


def responder_parallel(L, tr, v, a, p):
    x, y = arm_values(tr, v, a), arm_values(tr, v, tr.ref)
    c1, n1, c2, n2 = int(np.sum(responds(tr, x))), len(x), int(np.sum(responds(tr, y))), len(y)
    if n1 == 0 or n2 == 0:
        L.null(p + ["difference"], "too_few")
        L.null(p + [ci_key(tr)], "too_few")
    else:
        lo, hi = confint_proportions_2indep(c1, n1, c2, n2, method="newcomb", compare="diff", alpha=1 - tr.level)
        L.num(p + ["difference"], c1 / n1 - c2 / n2)
        L.interval(p + [ci_key(tr)], lo, hi)
    L.text(p + ["test"], "fisher_exact")
    table = [[c1, n1 - c1], [c2, n2 - c2]]
    if 0 in (n1, n2, c1 + c2, n1 + n2 - c1 - c2):
        L.null(p + ["statistic"], "no_events")
        return L.null(p + ["p_value"], "no_events")
    odds, pv = st.fisher_exact(table, alternative="two-sided")
    L.num(p + ["statistic"], odds, "+infinity")
    L.num(p + ["p_value"], pv, p=True)


def responders(L, tr):
    ep, thr, above = tr.responder
    if ep < 0:
        return L.null(["responders"], "no responder rule")
    base = ["responders"]
    v = tr.eps[ep][2]
    L.text(base + ["endpoint"], tr.eps[ep][0])
    L.text(base + ["rule"], ">=" if above else "<=")
    L.num(base + ["threshold"], thr)
    responder_arms(L, tr, v, base)
    for k, a in enumerate(others(tr)):
        p = base + ["comparisons", k]
        L.text(p + ["arm"], tr.arms[a])
        L.text(p + ["reference"], tr.arms[tr.ref])
        (responder_paired if tr.design == "crossover" else responder_parallel)(L, tr, v, a, p)


# ---- time to event -----------------------------------------------------------------------
def tte_arm(tr, t, e, a):
    ok = np.isfinite(t[:, a]) & np.isfinite(e[:, a])
    return t[ok, a], e[ok, a].astype(int)


def km(L, steps, path, t, e, tte_k, a):
    L.integer(path + ["n"], len(t))
    L.integer(path + ["events"], int(np.sum(e)))
    if len(t) == 0:
        steps.append(f"steps {tte_k} {a} = 0")
        return L.null(path + ["median_min"], "too_few")
    f = KaplanMeierFitter().fit(t, event_observed=e)
    med = sr.km_exact_median(t, e)  # lifelines' median_survival_time_, exact where S = 1/2
    if not math.isfinite(med):
        L.null(path + ["median_min"], NOT_REACHED)
    else:
        L.num(path + ["median_min"], med)
    ut = np.unique(t[e == 1])
    sf = f.survival_function_.iloc[:, 0]
    steps.append(f"steps {tte_k} {a} = {len(ut)} " + " ".join(f"{sr.r(u)} {sr.r(sf.loc[u])}" for u in ut))


def tte_records(tr, t, e, a):
    """(time, event, group, stratum) of arm a (group 1) against the reference (group 0)."""
    if tr.design == "crossover":
        ok = np.all(np.isfinite(np.stack([t[:, a], e[:, a], t[:, tr.ref], e[:, tr.ref]])), axis=0)
        idx = np.flatnonzero(ok)
        tt = np.concatenate([t[idx, a], t[idx, tr.ref]])
        ee = np.concatenate([e[idx, a], e[idx, tr.ref]]).astype(int)
        g = np.repeat([1, 0], len(idx))
        return tt, ee, g, np.tile(idx, 2)
    ta, ea = tte_arm(tr, t, e, a)
    tb, eb = tte_arm(tr, t, e, tr.ref)
    return np.concatenate([ta, tb]), np.concatenate([ea, eb]), np.repeat([1, 0], [len(ta), len(tb)]), None


def logrank(t, e, g):
    if g.sum() == 0 or g.sum() == len(g):
        return "too_few", None
    if e.sum() == 0:
        return "no_events", None
    if sr.logrank_variance(t, e, g) == 0:
        return "zero_variance", None
    res = logrank_test(t[g == 0], t[g == 1], event_observed_A=e[g == 0], event_observed_B=e[g == 1])
    return None, (res.test_statistic, res.p_value)


def cox(t, e, g, strata):
    if g.sum() == 0 or g.sum() == len(g):
        return "too_few", None
    if e.sum() == 0:
        return "no_events", None
    if not sr.cox_has_maximum(t, e, g, strata):
        return "separation", None
    return None, sr.cox_fit(t, e, g, strata, {"precision": 1e-30, "r_precision": 0.0, "max_steps": 200})


def tte_fields(L, tr, p, t, e, g, s):
    why, lr = logrank(t, e, g)
    L.num(p + ["logrank_statistic"], lr[0] if lr else None, why)
    L.num(p + ["logrank_p_value"], lr[1] if lr else None, why, p=True)
    why, c = cox(t, e, g, s)
    c = c if c else [None] * 6
    L.num(p + ["log_hazard_ratio"], c[0], why)
    L.num(p + ["log_hazard_ratio_se"], c[1], why)
    L.num(p + ["hazard_ratio"], c[2], why)
    L.interval(p + ["hazard_ratio_" + ci_key(tr)], c[3], c[4], why)
    L.num(p + ["cox_p_value"], c[5], why, p=True)


def time_to_event(L, steps, tr):
    for k, (name, ti, ei) in enumerate(tr.tte):
        base = ["time_to_event", name]
        t, e = tr.eps[ti][2], tr.eps[ei][2]
        L.text(base + ["time_endpoint"], tr.eps[ti][0])
        L.text(base + ["event_endpoint"], tr.eps[ei][0])
        L.text(base + ["cox_strata"], "twin" if tr.design == "crossover" else "none")
        for a, arm in enumerate(tr.arms):
            km(L, steps, base + ["arms", arm], *tte_arm(tr, t, e, a), k, a)
        for j, a in enumerate(others(tr)):
            recs = tte_records(tr, t, e, a)
            if len(tr.arms) == 2:
                tte_fields(L, tr, base, *recs)
            p = base + ["comparisons", j]
            L.text(p + ["arm"], tr.arms[a])
            L.text(p + ["reference"], tr.arms[tr.ref])
            tte_fields(L, tr, p, *recs)


def reference_lines(tr):
    L, steps = Leaves(), []
    L.text(["design"], tr.design)
    L.integer(["n_twins"], tr.n)
    for a, arm in enumerate(tr.arms):
        L.text(["arms", a], arm)
    L.text(["reference_arm"], tr.arms[tr.ref])
    L.num(["confidence_level"], tr.level)
    endpoints(L, tr)
    responders(L, tr)
    time_to_event(L, steps, tr)
    return [f"case {tr.name}"] + L.lines + steps + ["end"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(HERE, "..", "tests", "data", "trial"))
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    rng = np.random.default_rng(20261202)
    trials = [f(rng) for f in (crossover_random, parallel_random, crossover_edge, parallel_edge, no_rule)]
    versions = (f"# scipy {scipy.__version__}, statsmodels {statsmodels.__version__}, numpy {np.__version__}, "
                f"lifelines {lifelines.__version__}, pandas {pd.__version__}")
    os.makedirs(args.out, exist_ok=True)
    data = ["# tests/data/trial/analysis_data.txt: trial endpoint matrices for tests/trial/test_analysis.c,",
            "# written by validation/trial_analysis_reference.py (format there). Do not edit.", versions]
    ref = ["# tests/data/trial/analysis_reference.txt: the expected summary.json of each trial in",
           "# analysis_data.txt, by validation/trial_analysis_reference.py (format there). Do not edit.", versions]
    for tr in trials:
        data += data_lines(tr)
        ref += reference_lines(tr)
    with open(os.path.join(args.out, "analysis_data.txt"), "w") as f:
        f.write("\n".join(data) + "\n")
    with open(os.path.join(args.out, "analysis_reference.txt"), "w") as f:
        f.write("\n".join(ref) + "\n")
    print(f"wrote {len(trials)} trials, {len(ref)} reference lines to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
