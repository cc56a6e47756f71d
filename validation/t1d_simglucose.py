#!/usr/bin/env python3
"""t1d_simglucose.py: reference traces of simglucose's T1DPatient for twinscale's t1d pack.

Drives simglucose's T1DPatient (simglucose==0.2.11 from PyPI, the version the
fixture came from; scipy ode 'dopri5', one minute per step, the action held for
the minute) directly, for all 30 virtual patients under the open-loop
scenarios of tests/data/physio/t1d_scenarios.csv, and writes what the patient
reports as BG (Gsub / Vg) at t = 0, 1, ..., 1440 min.

Per minute, the patient receives exactly what twinscale's scenario gives its twins:
  CHO     = the carbohydrate announced at that minute (g); T1DPatient eats it at 5 g/min
  insulin = basal + the bolus units given at that minute (U/min over [t, t+1))
with basal = factor * u2ss * BW / 6000 U/min (factor from the scenario file).

Output (the fixture the ctest t1d_reference reads without Python):
  tests/data/physio/t1d_reference_bg.f32  little-endian float32, shape
      (scenarios, 30 patients, 1441), scenarios in file order, patients in
      vpatient_params.csv order.
Usage: python3 validation/t1d_simglucose.py [--check] [--out FILE]
  (--check compares with the committed file; --out writes FILE instead of the fixture)
simglucose and its dependencies are installed with pip --target into
$TW_PYSITE (default ~/.cache/twinscale/pysite) when missing, so that the
system's numpy/h5py stay untouched.
"""
import csv
import os
import sys
import time
import types

SITE = os.environ.get("TW_PYSITE", os.path.expanduser("~/.cache/twinscale/pysite"))
sys.path.insert(0, SITE)
try:
    import simglucose  # noqa: F401
except ImportError:  # install from PyPI into a private directory, not site-packages
    import subprocess
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", "--target", SITE, "simglucose==0.2.11"])
import numpy as np
from simglucose.patient.t1dpatient import Action, T1DPatient

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCEN = os.path.join(ROOT, "tests/data/physio/t1d_scenarios.csv")
OUT = os.path.join(ROOT, "tests/data/physio/t1d_reference_bg.f32")
PATIENTS = os.path.join(ROOT, "data/simglucose/vpatient_params.csv")
MINUTES = 1440


def load_scenarios():
    """scenario -> {'basal_factor': f, 'meals': {t: g}, 'boluses': {t: U}} in file order."""
    scen = {}
    with open(SCEN) as f:
        for row in csv.DictReader(r for r in f if not r.startswith("#")):
            s = scen.setdefault(row["scenario"], {"basal_factor": 1.0, "meals": {}, "boluses": {}})
            t, v = int(row["time_min"]), float(row["amount"])
            if row["kind"] == "basal_factor":
                s["basal_factor"] = v
            elif row["kind"] == "meal":
                s["meals"][t] = s["meals"].get(t, 0.0) + v
            elif row["kind"] == "bolus":
                s["boluses"][t] = s["boluses"].get(t, 0.0) + v
            else:
                raise ValueError("unknown kind " + row["kind"])
    return scen


def patient_names():
    with open(PATIENTS) as f:
        return [row["Name"] for row in csv.DictReader(f)]


def fast_params(p):
    """Swaps the patient's pandas Series of parameters for a plain namespace with the
    same float values. T1DPatient.model reads params.<name> at every RHS call, and
    with pandas >= 2 each such read costs microseconds: 50 s per patient-day instead
    of about 2 s. The numbers, and so the trajectory, are unchanged."""
    p._params = types.SimpleNamespace(
        **{k: (v if k == "Name" else float(v)) for k, v in p._params.items()})
    return p


def run(name, s):
    p = fast_params(T1DPatient.withName(name))
    basal = s["basal_factor"] * p._params.u2ss * p._params.BW / 6000.0
    bg = np.empty(MINUTES + 1)
    for t in range(MINUTES):
        bg[t] = p.observation.Gsub
        p.step(Action(CHO=s["meals"].get(t, 0.0), insulin=basal + s["boluses"].get(t, 0.0)))
    bg[MINUTES] = p.observation.Gsub
    return bg


def main():
    scen = load_scenarios()
    names = patient_names()
    t0 = time.time()
    out = np.empty((len(scen), len(names), MINUTES + 1), dtype=np.float64)
    for i, (sname, s) in enumerate(scen.items()):
        for j, name in enumerate(names):
            out[i, j] = run(name, s)
        print(f"{sname}: bg range {out[i].min():.1f} .. {out[i].max():.1f} mg/dL", flush=True)
    dt = time.time() - t0
    days = len(scen) * len(names) * MINUTES / 1440.0
    print(f"simglucose: {days:.0f} patient-days in {dt:.1f} s ({dt / days:.3f} s per patient-day)")
    if "--check" in sys.argv:
        ref = np.fromfile(OUT, dtype="<f4").reshape(out.shape)
        err = np.abs(ref - out).max()
        print(f"max |committed - fresh| = {err:.3g} mg/dL")
        return 0 if err < 1e-3 else 1
    path = sys.argv[sys.argv.index("--out") + 1] if "--out" in sys.argv else OUT
    out.astype("<f4").tofile(path)
    print("wrote", path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
