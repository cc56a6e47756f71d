#!/usr/bin/python3
"""pbpk_expm.py: matrix-exponential reference trajectories for the PBPK pack.

With linear kinetics the PBPK model is dx/dt = A x + b(t), with b piecewise
constant per minute (an infusion rate) and bolus/oral doses added to x at the
start of a minute. Over one minute with constant b the exact solution is

    [x(t+1); 1] = expm([[A, b], [0, 0]]) [x(t); 1]

so a float64 reference needs nothing but scipy.linalg.expm. This script builds
A *independently* from the equations in docs/pbpk.md (it shares no code with
twinscale; only the inputs are common: the ICRP 89 reference values and the drug
parameters), draws random drugs and regimens, and writes
tests/data/pbpk/expm_reference.txt, which tests/pbpk/test_expm.c (ctest label
`validation`) compares against twinscale's integrators.

    /usr/bin/python3 validation/pbpk_expm.py [--seed 20261128] [--out PATH]

Fixture format (text, one record per line, whitespace separated):
    case NAME
    physiology V[14] CO F[11] GFR_ML_MIN REF_SEX      (REF_SEX: 0 male, 1 female, -1 not a reference)
    drug KP[12] BP FU CLINT_L_PER_H RENAL_FACTOR KA_PER_H F_ORAL
    minutes N
    dose ROUTE TIME_MIN MG DURATION_MIN                (repeated; ROUTE 0 iv_bolus, 1 oral, 2 iv_infusion)
    x T X[18]                                          (repeated; state at minute T)
    end
"""
import argparse
import os

import numpy as np
from scipy.linalg import expm

# Compartments (state order) and the rest of the state vector.
ORGANS = ["lung", "heart", "brain", "muscle", "adipose", "skin", "bone", "gut", "spleen",
          "liver", "kidney", "rest", "arterial_blood", "venous_blood"]
LUNG, HEART, BRAIN, MUSCLE, ADIPOSE, SKIN, BONE, GUT, SPLEEN, LIVER, KIDNEY, REST, ART, VEN = range(14)
LUMEN, ELIM_H, ELIM_R, UNABS = 14, 15, 16, 17
NX = 18
# Flow fractions (docs/pbpk.md, "Flows"): order of the fixture's F[11].
FLOWS = ["heart", "brain", "muscle", "adipose", "skin", "bone", "gut", "spleen",
         "hepatic_artery", "kidney", "rest"]

# ICRP Publication 89 reference adults (docs/pbpk.md lists table numbers).
ICRP = {
    0: dict(weight=73.0, height=176.0,
            mass_g=dict(lung=500, heart=330, brain=1450, muscle=29000, adipose=14500, skin=3300,
                        bone=10500, gut=40 + 150 + 650 + 150 + 150 + 70, spleen=150, liver=1800,
                        kidney=310),
            blood_mass_g=5600, plasma_ml=3000, rbc_ml=2300, co=6.5,
            flow_pct=dict(heart=4, brain=12, muscle=17, adipose=5, skin=5, bone=5,
                          gut=1 + 10 + 4, spleen=3, liver=25.5, kidney=19)),
    1: dict(weight=60.0, height=163.0,
            mass_g=dict(lung=420, heart=250, brain=1300, muscle=17500, adipose=19000, skin=2300,
                        bone=7800, gut=35 + 140 + 600 + 145 + 145 + 70, spleen=130, liver=1400,
                        kidney=275),
            blood_mass_g=4100, plasma_ml=2400, rbc_ml=1500, co=5.9,
            flow_pct=dict(heart=5, brain=12, muscle=12, adipose=8.5, skin=5, bone=5,
                          gut=1 + 11 + 5, spleen=3, liver=27, kidney=17)),
}
DENSITY = dict(adipose=0.92, bone=1.3)  # kg/L; every other tissue 1.0
ARTERIAL_SHARE = (0.5 * 9 + 5.5 + 0.5 * 2 + 6 + 10 + 0.5 * 5) / 100  # ICRP 89 Table 2.13


def reference_physiology(sex):
    """Volumes (L), cardiac output (L/min), flow fractions and GFR of an ICRP reference adult."""
    r = ICRP[sex]
    v = np.zeros(14)
    tissue_g = 0.0
    for o in ORGANS[:11]:
        v[ORGANS.index(o)] = r["mass_g"][o] / 1000 / DENSITY.get(o, 1.0)
        tissue_g += r["mass_g"][o]
    v[REST] = (r["weight"] * 1000 - tissue_g - r["blood_mass_g"]) / 1000
    blood_l = (r["plasma_ml"] + r["rbc_ml"]) / 1000
    v[ART] = ARTERIAL_SHARE * blood_l
    v[VEN] = (1 - ARTERIAL_SHARE) * blood_l
    q = r["flow_pct"]
    f = {k: q[k] / 100 for k in ["heart", "brain", "muscle", "adipose", "skin", "bone", "gut",
                                 "spleen", "kidney"]}
    f["hepatic_artery"] = (q["liver"] - q["gut"] - q["spleen"]) / 100
    f["rest"] = (100 - sum(q[k] for k in ["heart", "brain", "muscle", "adipose", "skin", "bone",
                                          "liver", "kidney"])) / 100
    bsa = 0.007184 * r["weight"] ** 0.425 * r["height"] ** 0.725
    gfr = 100.0 * bsa / 1.73
    return v, r["co"], np.array([f[k] for k in FLOWS]), gfr


def system_matrix(v, co, frac, gfr_ml_min, drug):
    """A of dx/dt = A x for amounts x (mg), time in minutes: docs/pbpk.md, "Equations"."""
    kp, bp, fu = drug["kp"], drug["bp"], drug["fu"]
    clint = drug["clint_l_per_h"] / 60.0
    clr = drug["renal_factor"] * fu * gfr_ml_min / 1000.0
    ka = drug["ka_per_h"] / 60.0
    F = drug["f_oral"]
    Q = dict(zip(FLOWS, co * frac))
    q_liver = Q["hepatic_artery"] + Q["gut"] + Q["spleen"]
    # Every organ flow returns to the heart: the lung carries their sum.
    q_lung = q_liver + sum(Q[k] for k in ["heart", "brain", "muscle", "adipose", "skin", "bone",
                                          "kidney", "rest"])
    A = np.zeros((NX, NX))

    def flow(src_state, src_conc_per_amount, dst_state, q):
        """Blood flow q (L/min) carrying concentration c = amount * src_conc_per_amount."""
        A[dst_state, src_state] += q * src_conc_per_amount
        A[src_state, src_state] -= q * src_conc_per_amount

    art = 1.0 / v[ART]                       # blood concentration per mg in arterial blood
    ven = 1.0 / v[VEN]
    out = [bp / (v[t] * kp[t]) for t in range(12)]  # blood leaving tissue t, per mg in t
    flow(VEN, ven, LUNG, q_lung)
    flow(LUNG, out[LUNG], ART, q_lung)
    for organ in ["heart", "brain", "muscle", "adipose", "skin", "bone", "kidney", "rest"]:
        t = ORGANS.index(organ)
        flow(ART, art, t, Q[organ])
        flow(t, out[t], VEN, Q[organ])
    flow(ART, art, GUT, Q["gut"])
    flow(ART, art, SPLEEN, Q["spleen"])
    flow(ART, art, LIVER, Q["hepatic_artery"])
    flow(GUT, out[GUT], LIVER, Q["gut"])
    flow(SPLEEN, out[SPLEEN], LIVER, Q["spleen"])
    flow(LIVER, out[LIVER], VEN, q_liver)
    # Well-stirred liver: unbound intrinsic clearance on fu * C_liver / Kp_liver.
    k_h = clint * fu / (v[LIVER] * kp[LIVER])
    A[ELIM_H, LIVER] += k_h
    A[LIVER, LIVER] -= k_h
    # Renal plasma clearance on the arterial plasma reaching the kidney, taken from the kidney.
    k_r = clr / (bp * v[ART])
    A[ELIM_R, ART] += k_r
    A[KIDNEY, ART] -= k_r
    # Gut lumen: first order ka; a fraction F reaches the gut wall, the rest is unabsorbed.
    A[LUMEN, LUMEN] -= ka
    A[GUT, LUMEN] += F * ka
    A[UNABS, LUMEN] += (1 - F) * ka
    return A


def simulate(A, doses, minutes, times):
    """Exact trajectory at integer minutes `times` (sorted) for the dose list."""
    bolus = np.zeros((minutes, NX))
    rate = np.zeros(minutes)
    for route, t0, mg, dur in doses:
        if route == 0:
            bolus[t0, VEN] += mg
        elif route == 1:
            bolus[t0, LUMEN] += mg
        else:
            rate[t0:t0 + dur] += mg / dur
    phi = {}

    def propagator(r):
        if r not in phi:
            m = np.zeros((NX + 1, NX + 1))
            m[:NX, :NX] = A
            m[VEN, NX] = r
            phi[r] = expm(m)
        return phi[r]

    x = np.zeros(NX)
    out = {}
    want = set(times)
    for m in range(minutes + 1):
        if m in want:
            out[m] = x.copy()
        if m == minutes:
            break
        x = x + bolus[m]
        x = (propagator(rate[m]) @ np.append(x, 1.0))[:NX]
    return [out[t] for t in times]


def random_drug(rng):
    lu = lambda lo, hi: float(np.exp(rng.uniform(np.log(lo), np.log(hi))))
    kp = [lu(0.3, 10.0) for _ in range(12)]
    kp[ADIPOSE] = lu(0.3, 50.0)
    return dict(kp=kp, bp=rng.uniform(0.6, 1.8), fu=lu(0.02, 1.0), clint_l_per_h=lu(1.0, 500.0),
                renal_factor=rng.uniform(0.0, 2.0), ka_per_h=lu(0.2, 4.0), f_oral=rng.uniform(0.3, 1.0))


def perturbed_physiology(rng, sex):
    """A non-reference body: volumes and cardiac output scaled by random factors, fractions kept."""
    v, co, frac, gfr = reference_physiology(sex)
    v = v * np.exp(rng.normal(0.0, 0.15, size=14))
    return v, co * float(np.exp(rng.normal(0.0, 0.1))), frac, gfr * float(rng.uniform(0.3, 1.2))


REGIMENS = {
    "iv_bolus": (1440, [(0, 0, 100.0, 0)]),
    "oral": (1440, [(1, 0, 200.0, 0)]),
    "infusion": (1440, [(2, 0, 120.0, 60)]),
    "mixed": (1440, [(1, 0, 150.0, 0), (0, 300, 50.0, 0), (2, 600, 90.0, 120), (1, 900, 75.0, 0)]),
}


def output_times(minutes):
    early = [0, 1, 2, 3, 5, 8, 13, 20, 30, 45]
    return sorted(set(early + list(range(60, minutes + 1, 45)) + [minutes]))


def fmt(values):
    return " ".join(repr(float(v)) for v in values)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=20261128)
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--out", default=os.path.join(here, "..", "tests", "data", "pbpk",
                                                  "expm_reference.txt"))
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    cases = []
    for sex in (0, 1):
        for regimen in REGIMENS:
            cases.append((f"{'male' if sex == 0 else 'female'}_{regimen}", sex, regimen, True))
    for k, regimen in enumerate(REGIMENS):
        cases.append((f"perturbed{k}_{regimen}", k % 2, regimen, False))
    lines = [f"# generated by validation/pbpk_expm.py --seed {args.seed}; scipy.linalg.expm, float64"]
    worst_mass = 0.0
    for name, sex, regimen, is_ref in cases:
        drug = random_drug(rng)
        v, co, frac, gfr = reference_physiology(sex) if is_ref else perturbed_physiology(rng, sex)
        minutes, doses = REGIMENS[regimen]
        times = output_times(minutes)
        A = system_matrix(v, co, frac, gfr, drug)
        xs = simulate(A, doses, minutes, times)
        given = sum(mg for _, t0, mg, dur in doses)
        worst_mass = max(worst_mass, abs(xs[-1].sum() - given) / given)
        lines.append(f"case {name}")
        lines.append(f"physiology {fmt(v)} {co!r} {fmt(frac)} {gfr!r} {sex if is_ref else -1}")
        lines.append(f"drug {fmt(drug['kp'])} {fmt([drug[k] for k in ['bp', 'fu', 'clint_l_per_h', 'renal_factor', 'ka_per_h', 'f_oral']])}")
        lines.append(f"minutes {minutes}")
        for route, t0, mg, dur in doses:
            lines.append(f"dose {route} {t0} {mg!r} {dur}")
        for t, x in zip(times, xs):
            lines.append(f"x {t} " + " ".join(f"{val:.17g}" for val in x))
        lines.append("end")
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {len(cases)} cases to {os.path.relpath(args.out)}; "
          f"reference mass balance at the end: worst relative error {worst_mass:.2e}")


if __name__ == "__main__":
    main()
