#!/usr/bin/python3
"""bergman_solve_ivp.py: scipy reference trajectories for the Bergman pack.

Integrates the Bergman minimal model with insulin kinetics (packs/bergman/
bergman.c, docs/packs.md) through an IVGTT scenario with
scipy.integrate.solve_ivp (DOP853, rtol = atol = 1e-12), independently of
twinscale: the equations are written again here from docs/packs.md, and only
the inputs are shared (the parameter table tests/data/bergman/twins.csv and the
scenario below, which tests/data/bergman/ivgtt.yaml.in repeats).

    dG/dt   = -(p1 + X) G + p1 Gb
    dX/dt   = -p2 X + p3 (I - Ib)
    dI/dt   = gamma (G - h)^+ tau - n (I - Ib) + u_ins(t)
    dtau/dt = 1

A twin starts at basal (G = Gb, X = 0, I = Ib, tau = 0). Inputs are piecewise
constant per minute, as twinscale applies them: at the start of minute m a
glucose bolus u_glc[m] (mg/dL) is added to G and resets tau to 0; over [m, m+1)
exogenous insulin enters at u_ins[m] (uU/mL/min). Each minute is integrated on
its own, so no step straddles a discontinuity of the inputs. Samples are the
state at t = 0, 1, ..., DURATION, before the minute's bolus (twinscale's
/trajectories convention).

    /usr/bin/python3 validation/bergman_solve_ivp.py [--out PATH]

Fixture format (text; '#' lines are comments; whitespace separated):
    twins N  minutes T
    row TWIN_INDEX MINUTE G I X      (N * (T + 1) rows, twin-major)
tests/physio/test_bergman.c runs `twinscale simulate` with the pack library and
compares /trajectories/{G,I,X} with these rows.
"""
import argparse
import csv
import os

import numpy as np
from scipy.integrate import solve_ivp

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.normpath(os.path.join(HERE, "..", "tests", "data", "bergman"))

DURATION = 180  # min
# The scenario of ivgtt.yaml.in: (time_min, amount, duration_min) per input.
GLUCOSE = [(0, 200.0, 1), (100, 50.0, 1)]  # mg/dL boluses at the start of the minute
INSULIN = [(20, 60.0, 5)]                  # uU/mL over 5 min: 12 uU/mL/min


def per_minute(events):
    u = np.zeros(DURATION)
    for t, amount, dur in events:
        u[t:t + dur] += amount / dur
    return u


def read_twins(path):
    with open(path) as f:
        rows = [r for r in csv.DictReader(line for line in f if not line.startswith("#"))]
    return [(r["Name"], {k: float(v) for k, v in r.items() if k != "Name"}) for r in rows]


def rhs(p, u_ins):
    def f(_t, y):
        g, x, i, tau = y
        above = max(g - p["h"], 0.0)
        return [-(p["p1"] + x) * g + p["p1"] * p["Gb"],
                -p["p2"] * x + p["p3"] * (i - p["Ib"]),
                p["gamma"] * above * tau - p["n"] * (i - p["Ib"]) + u_ins,
                1.0]
    return f


def trajectory(p, u_glc, u_ins):
    y = np.array([p["Gb"], 0.0, p["Ib"], 0.0])
    out = [y.copy()]
    for m in range(DURATION):
        if u_glc[m] != 0.0:
            y[0] += u_glc[m]
            y[3] = 0.0
        sol = solve_ivp(rhs(p, u_ins[m]), (m, m + 1), y, method="DOP853", rtol=1e-12, atol=1e-12)
        if not sol.success:
            raise RuntimeError(sol.message)
        y = sol.y[:, -1].copy()
        out.append(y.copy())
    return np.array(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(DATA, "ivgtt_reference.txt"))
    args = ap.parse_args()
    twins = read_twins(os.path.join(DATA, "twins.csv"))
    u_glc, u_ins = per_minute(GLUCOSE), per_minute(INSULIN)
    with open(args.out, "w") as f:
        f.write("# validation/bergman_solve_ivp.py: Bergman minimal model, IVGTT, scipy solve_ivp DOP853 "
                "rtol=atol=1e-12\n# twins: " + " ".join(n for n, _ in twins) + "\n")
        f.write(f"twins {len(twins)} minutes {DURATION}\n")
        for k, (name, p) in enumerate(twins):
            y = trajectory(p, u_glc, u_ins)
            for m in range(DURATION + 1):
                f.write(f"row {k} {m} {y[m, 0]:.17g} {y[m, 2]:.17g} {y[m, 1]:.17g}\n")
            print(f"{name}: G peak {y[:, 0].max():.1f} mg/dL, nadir {y[:, 0].min():.1f}; "
                  f"I peak {y[:, 2].max():.1f} uU/mL; X max {y[:, 1].max():.3g}/min")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
