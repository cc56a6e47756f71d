#!/usr/bin/env python3
"""t1d_bb_closed_loop.py: simglucose's basal-bolus (or PID) controller in the loop, the
reference for twinscale's `scenario.controller: bb` and `pid` (tests/physio/test_controller.c).

simglucose==0.2.11 (PyPI): T1DSimEnv with T1DPatient, a Dexcom sensor without
noise (CGMSensor.measure with the noise term removed: sampled every 3 min, held,
clipped to [39, 600]), the Insulet pump and BBController (--controller pid:
PIDController(P=0.001, I=0.00001, D=0.001, target=140), simglucose's example
gains, twinscale's defaults), for three patients over
one day of three meals (at 07:00, 12:01 and 19:00: the noon meal falls inside a
sensor interval). Per 3-minute step the environment reports BG as the mean of the
patient's BG at the end of each of its three minutes; this script writes those
means and the step's mean insulin rate.

Output: tests/data/physio/bb_closed_loop.csv (pid: pid_closed_loop.csv):
patient,step,bg_mean,insulin_mean (step k covers minutes [3k, 3k+3), k = 0..479).
Usage: python3 validation/t1d_bb_closed_loop.py [--controller bb|pid] [--out FILE]
(simglucose from a virtual environment: scripts/validate.sh makes one.)
"""
import argparse
import csv
import os
from datetime import datetime

from simglucose.actuator.pump import InsulinPump
from simglucose.controller.basal_bolus_ctrller import BBController
from simglucose.controller.pid_ctrller import PIDController
from simglucose.patient.t1dpatient import T1DPatient
from simglucose.sensor.cgm import CGMSensor
from simglucose.simulation.env import T1DSimEnv
from simglucose.simulation.scenario import CustomScenario

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PATIENTS = ["adolescent#001", "adult#001", "child#001"]
MEALS = [(7 * 60, 45.0), (12 * 60 + 1, 70.0), (19 * 60, 80.0)]  # (minute, g): keep in step with test_controller.c
STEPS = 480
CONTROLLERS = {  # keep the gains in step with test_controller.c and sim_config.c's defaults
    "bb": BBController,
    "pid": lambda: PIDController(P=0.001, I=0.00001, D=0.001, target=140),
}


class NoiselessCGM(CGMSensor):
    """simglucose's CGMSensor.measure without the noise term."""

    def measure(self, patient):
        if patient.t % self.sample_time == 0:
            cgm = min(max(patient.observation.Gsub, self._params["min"]), self._params["max"])
            self._last_CGM = cgm
            return cgm
        return self._last_CGM


def run(name, controller):
    start = datetime(2018, 1, 1, 0, 0, 0)
    scenario = CustomScenario(start_time=start, scenario=[(m / 60.0, g) for m, g in MEALS])
    env = T1DSimEnv(T1DPatient.withName(name), NoiselessCGM.withName("Dexcom", seed=1),
                    InsulinPump.withName("Insulet"), scenario)
    ctrl = CONTROLLERS[controller]()
    step = env.reset()
    rows = []
    for k in range(STEPS):
        action = ctrl.policy(step.observation, step.reward, step.done, **step.info)
        step = env.step(action)
        rows.append((name, k, env.BG_hist[-1], env.insulin_hist[-1]))
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--controller", choices=sorted(CONTROLLERS), default="bb")
    ap.add_argument("--out")
    a = ap.parse_args()
    a.out = a.out or os.path.join(ROOT, "tests/data/physio/%s_closed_loop.csv" % a.controller)
    with open(a.out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["patient", "step", "bg_mean", "insulin_mean"])
        for name in PATIENTS:
            for r in run(name, a.controller):
                w.writerow([r[0], r[1], repr(float(r[2])), repr(float(r[3]))])
    print("wrote", a.out)


if __name__ == "__main__":
    main()
