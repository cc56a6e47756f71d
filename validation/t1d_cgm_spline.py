#!/usr/bin/env python3
"""t1d_cgm_spline.py: reference values of the CGM noise (interpolation and moments).

simglucose interpolates its 15-minute noise knots with scipy's interp1d(kind='cubic')
over blocks of 11 knots; twinscale uses a not-a-knot cubic spline (sensor.c). This
writes scipy's values for a fixed knot vector at a few points to
tests/data/physio/cgm_spline.csv, which test_engine.c compares with
tw_cgm_spline_weights. Run with /usr/bin/python3 (numpy, scipy).

With --moments (needs simglucose: PYTHONPATH=~/.cache/twinscale/pysite python3 ...)
it also writes tests/data/physio/cgm_noise_moments.csv: mean, standard deviation and
lag-1 autocorrelation of simglucose's Dexcom noise (CGMNoise) over 400 seeds x 480
samples (one day each), which test_engine.c compares with twinscale's Philox-driven
noise process.

--out DIR writes both files into DIR instead of tests/data/physio
(scripts/validate.sh regenerates them there and compares).
"""
import sys
import os
import numpy as np
from scipy.interpolate import interp1d

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = sys.argv[sys.argv.index("--out") + 1] if "--out" in sys.argv else os.path.join(ROOT, "tests/data/physio")
os.makedirs(OUT, exist_ok=True)
k = np.arange(11.0)
y = np.sin(k) + 0.1 * k * k
s = np.array([0.0, 0.2, 1.0, 2.5, 3.4, 5.0, 7.8, 9.6, 10.0])
v = interp1d(k, y, kind="cubic")(s)
with open(os.path.join(OUT, "cgm_spline.csv"), "w") as f:
    f.write("# scipy interp1d cubic through y_k = sin(k) + 0.1 k^2, k = 0..10 (validation/t1d_cgm_spline.py)\n")
    f.write("s,value\n")
    for a, b in zip(s, v):
        f.write(f"{float(a)!r},{float(b)!r}\n")

if "--moments" in sys.argv:
    import pandas as pd
    from simglucose.sensor.noise_gen import CGMNoise
    p = pd.read_csv(os.path.join(ROOT, "data/simglucose/sensor_params.csv")).iloc[0]  # Dexcom
    v = []
    for seed in range(400):
        g = CGMNoise(p, seed=seed)
        v.append([next(g) for _ in range(480)])
    v = np.array(v)
    corr = np.corrcoef(v[:, :-1].ravel(), v[:, 1:].ravel())[0, 1]
    with open(os.path.join(OUT, "cgm_noise_moments.csv"), "w") as f:
        f.write("# simglucose 0.2.11 Dexcom CGMNoise, seeds 0..399 x 480 samples (validation/t1d_cgm_spline.py --moments)\n")
        f.write("mean,std,lag1_corr\n")
        f.write(f"{float(v.mean())!r},{float(v.std())!r},{float(corr)!r}\n")
