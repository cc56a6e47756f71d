#!/usr/bin/env python3
"""gan_ctgan_speed.py: CTGAN's (PyPI) training time on a twinscale cohort file,
for the speed ratio of issue 12 ("training speed at least 3x CTGAN on the same
data, epochs and batch on this CPU"; docs/gan.md, "Measured").

The cohort's columns are the GAN table's (src/gan/table.h): every dataset
under /cohort/covariates/, /cohort/parameters/ and /cohort/conditions/, each
group in name order; float datasets continuous, integer and string datasets
discrete. They are written to a CSV (--csv, or a temporary file) and read back
with pandas, and CTGAN is fitted on that frame with CTGAN's defaults except
--epochs and --batch (pac 10, networks (256, 256), embedding 128, Adam 2e-4),
on the CPU, torch on --threads threads. CTGAN takes max(n // batch, 1)
optimiser steps per epoch, so epochs x that is the step count to give
`twinscale gan train --set steps=S --set batch=B` for the same work.

Printed (and written to --json): rows, columns, discrete columns, epochs,
batch, steps, the seconds of CTGAN's data transformer (fit + transform, rdt's
ClusterBasedNormalizer: a BayesianGaussianMixture per continuous column), of
the training loop (the rest of CTGAN.fit) and of the whole fit, wall and CPU
(process_time: on a shared machine the CPU seconds are the comparable
figure), and the training loop's steps per second.

Setup (not committed, gitignored): python3 -m venv validation/.venv-ctgan;
validation/.venv-ctgan/bin/pip install ctgan==0.12.1 h5py
(ctgan 0.12.1 pulls torch 2.15.0, rdt 2.0.0, pandas 2.3.3, numpy 2.4.6).
Example: OMP_NUM_THREADS=1 validation/.venv-ctgan/bin/python
validation/gan_ctgan_speed.py cohort.h5 --epochs 30 --batch 500 --threads 1

The whole comparison in one run (--twinscale BIN --rounds R): R rounds, each
`twinscale gan train` on a config of this cohort with steps = the CTGAN run's
steps, batch --batch, seed --seed, then the same with steps 1, then the CTGAN
fit above in a child process; OMP_NUM_THREADS=--threads for all of them.
twinscale's training CPU is the full run's user + sys minus the 1-step run's
(reading, fitting, encoding and one step), each from the child's rusage; the
1-minute load average is noted before every run. Prints one line per round
and the ratios per step (CTGAN's training-loop CPU per step over twinscale's),
and writes them all
to --json. Run it under `nice -n 5` on a shared machine.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np
import pandas as pd

GROUPS = ("/cohort/covariates", "/cohort/parameters", "/cohort/conditions")


def read_columns(path):
    """The GAN table's columns of a cohort file: (frame, discrete column names)."""
    cols, discrete = {}, []
    with h5py.File(path, "r") as f:
        for g in GROUPS:
            if g not in f:
                continue
            for name in sorted(f[g]):
                d = f[g + "/" + name]
                if d.dtype.kind == "f":
                    cols[name] = d[()].astype(np.float64)
                elif d.dtype.kind in "iu":
                    cols[name] = d[()].astype(np.int64)
                    discrete.append(name)
                else:
                    cols[name] = d.asstr()[()]
                    discrete.append(name)
    return pd.DataFrame(cols), discrete


class Timed:
    """Wraps a method of a class and adds its wall and CPU seconds to `self.seconds`, `self.cpu`."""

    def __init__(self, cls, name):
        self.seconds, self.cpu, self.cls, self.name = 0.0, 0.0, cls, name
        self.orig = getattr(cls, name)
        timer = self

        def wrapped(obj, *a, **k):
            t0, c0 = time.perf_counter(), time.process_time()
            try:
                return timer.orig(obj, *a, **k)
            finally:
                timer.seconds += time.perf_counter() - t0
                timer.cpu += time.process_time() - c0

        setattr(cls, name, wrapped)


def run_child(cmd, env):
    """Runs cmd; returns (wall s, user + sys CPU s, load average before) from its rusage."""
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = proc.stdout.read()
    _, status, ru = os.wait4(proc.pid, 0)
    if status != 0:
        sys.stderr.write(out.decode(errors="replace"))
        raise SystemExit("failed: %s" % " ".join(cmd))
    return time.perf_counter() - t0, ru.ru_utime + ru.ru_stime, load


def twinscale_config(work, cohort, steps, batch, seed):
    """A gan_train config of `steps` steps of `batch` rows; returns its path. combinations: off, so that
    twinscale models every column as CTGAN does (with them the rows are narrower and a step cheaper)."""
    path = os.path.join(work, "gan-%d.yaml" % steps)
    with open(path, "w") as f:
        f.write("kind: gan_train\ncohort: %s\nseed: %d\nsteps: %d\nbatch: %d\ncombinations: off\n"
                "output: {path: %s}\n" %
                (os.path.abspath(cohort), seed, steps, batch, os.path.join(work, "gan-%d.h5" % steps)))
    return path


def compare(a):
    """The rounds of --twinscale: twinscale full, twinscale 1 step, CTGAN; one dict per round."""
    import h5py  # noqa: F401 (the CTGAN child needs it too)
    work = tempfile.mkdtemp()
    with h5py.File(a.cohort, "r") as f:
        n = next(len(f[g][k]) for g in GROUPS if g in f for k in f[g])
    steps = a.epochs * max(n // a.batch, 1)
    env = dict(os.environ, OMP_NUM_THREADS=str(a.threads), OPENBLAS_NUM_THREADS=str(a.threads))
    full, one = (twinscale_config(work, a.cohort, s, a.batch, a.seed) for s in (steps, 1))
    rounds = []
    for r in range(a.rounds):
        tw_wall, tw_cpu, tw_load = run_child([a.twinscale, "gan", "train", full], env)
        one_wall, one_cpu, _ = run_child([a.twinscale, "gan", "train", one], env)
        js = os.path.join(work, "ctgan-%d.json" % r)
        _, _, ct_load = run_child([sys.executable, os.path.abspath(__file__), a.cohort, "--epochs", str(a.epochs),
                                   "--batch", str(a.batch), "--threads", str(a.threads), "--seed", str(a.seed),
                                   "--json", js], env)
        with open(js) as f:
            ct = json.load(f)
        row = {"round": r + 1, "load_twinscale": tw_load, "load_ctgan": ct_load, "steps": steps,
               "twinscale_wall_s": tw_wall, "twinscale_cpu_s": tw_cpu, "one_step_wall_s": one_wall,
               "one_step_cpu_s": one_cpu, "twinscale_train_wall_s": tw_wall - one_wall,
               "twinscale_train_cpu_s": tw_cpu - one_cpu, "ctgan": ct}
        # per step: CTGAN's loop runs `steps` steps, twinscale's difference steps - 1
        per = (steps - 1) / steps
        row["ratio_train_cpu"] = ct["training_cpu_s"] / row["twinscale_train_cpu_s"] * per
        row["ratio_train_wall"] = ct["training_s"] / row["twinscale_train_wall_s"] * per
        row["ratio_fit_cpu"] = ct["fit_cpu_s"] / tw_cpu
        print("round %d (load %.2f, %.2f): twinscale training %.1f s wall, %.1f CPU-s (%.2f steps/CPU-s; whole "
              "command %.1f CPU-s, 1 step %.1f); CTGAN training loop %.1f s, %.1f CPU-s (%.2f steps/CPU-s; fit %.1f "
              "CPU-s); ratio CPU %.2f, wall %.2f, whole fit CPU %.2f" %
              (r + 1, tw_load, ct_load, row["twinscale_train_wall_s"], row["twinscale_train_cpu_s"],
               (steps - 1) / row["twinscale_train_cpu_s"], tw_cpu, one_cpu, ct["training_s"], ct["training_cpu_s"],
               steps / ct["training_cpu_s"], ct["fit_cpu_s"], row["ratio_train_cpu"], row["ratio_train_wall"],
               row["ratio_fit_cpu"]), flush=True)
        rounds.append(row)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rounds, f, indent=1)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("cohort")
    ap.add_argument("--epochs", type=int, required=True)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--csv", help="where the cohort's columns are written (default: a temporary file)")
    ap.add_argument("--json", help="write the figures here too")
    ap.add_argument("--twinscale", help="the twinscale binary: compare it with CTGAN over --rounds rounds")
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    if a.twinscale:
        return compare(a)

    import torch
    torch.set_num_threads(a.threads)
    import ctgan
    from ctgan import CTGAN
    from ctgan.data_transformer import DataTransformer

    frame, discrete = read_columns(a.cohort)
    csv = a.csv or os.path.join(tempfile.mkdtemp(), "cohort.csv")
    frame.to_csv(csv, index=False)
    data = pd.read_csv(csv)
    fit_t, transform_t = Timed(DataTransformer, "fit"), Timed(DataTransformer, "transform")

    model = CTGAN(epochs=a.epochs, batch_size=a.batch, enable_gpu=False)
    model.set_random_state(a.seed)
    t0, c0 = time.perf_counter(), time.process_time()
    model.fit(data, discrete_columns=discrete)
    total, total_cpu = time.perf_counter() - t0, time.process_time() - c0
    steps = a.epochs * max(len(data) // a.batch, 1)
    data_s, data_cpu = fit_t.seconds + transform_t.seconds, fit_t.cpu + transform_t.cpu
    out = {"cohort": a.cohort, "rows": len(data), "columns": data.shape[1], "discrete": len(discrete),
           "epochs": a.epochs, "batch": a.batch, "steps": steps, "threads": torch.get_num_threads(),
           "transformer_s": data_s, "training_s": total - data_s, "fit_s": total,
           "transformer_cpu_s": data_cpu, "training_cpu_s": total_cpu - data_cpu, "fit_cpu_s": total_cpu,
           "steps_per_s": steps / (total - data_s), "ctgan": ctgan.__version__, "torch": torch.__version__}
    print("ctgan %s (torch %s, %d threads): %d rows, %d columns (%d discrete); %d epochs of batch %d = %d steps" %
          (out["ctgan"], out["torch"], out["threads"], out["rows"], out["columns"], out["discrete"], a.epochs,
           a.batch, steps))
    print("transformer %.1f s, training %.1f s (%.2f steps/s), fit %.1f s; CPU: transformer %.1f s, training %.1f s, "
          "fit %.1f s" % (data_s, out["training_s"], out["steps_per_s"], total, data_cpu, out["training_cpu_s"],
                          total_cpu))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
