#!/usr/bin/python3 -s
"""adamw_reference.py: PyTorch reference trajectory for twinscale's AdamW
(src/nn/adamw.h), learning-rate schedule and gradient-norm clipping.

Run with Debian's /usr/bin/python3 -s (torch 1.13, numpy). Three float32
parameter tensors (shapes 33, 4x4, 7: 56 elements, enough for the vector body
and the scalar tail of PyTorch's CPU kernels) are trained for STEPS steps with
torch.optim.AdamW(foreach=False) on synthetic gradients drawn from a seeded
NumPy generator (larger in the first steps so that clipping acts), with
torch.nn.utils.clip_grad_norm_ before each step and the learning rate set from
get_lr (linear warm-up, cosine decay to a floor, as llm.c) each step. Writes
tests/data/nn/adamw_traj.bin in the fixture format of tests/nn/nn_fixture.c
(see validation/grt_make_fixtures.py), or into `--out DIR`:

    config (f64): lr_max, lr_min, warmup, total, beta1, beta2, eps, wd, max_norm
    p0    (f32, 56):        the flat initial parameters (tensors concatenated)
    grad  (f32, STEPS x 56): the raw gradients of every step, before clipping
    norm  (f32, STEPS):      clip_grad_norm_'s total norm of every step
    lr    (f64, STEPS):      the learning rate used at every step
    param (f32, STEPS x 56): the flat parameters after every step

tests/nn/test_adamw.c replays the steps in C from p0 and grad alone and
compares lr, norm and every parameter after every step.
"""
import argparse
import math
import os
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from grt_make_fixtures import record  # noqa: E402  (the fixture writer)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "nn")
SHAPES = [(33,), (4, 4), (7,)]
STEPS = 100
CFG = dict(lr_max=3e-3, lr_min=3e-4, warmup=10, total=STEPS, beta1=0.9, beta2=0.95, eps=1e-8, wd=0.1,
           max_norm=1.0)


def get_lr(step, c):
    """llm.c's schedule: linear warm-up to lr_max over `warmup` steps (step 0 gets
    lr_max/warmup), cosine decay to lr_min at step `total`, lr_min after."""
    if step < c["warmup"]:
        return c["lr_max"] * (step + 1) / c["warmup"]
    if step > c["total"]:
        return c["lr_min"]
    ratio = (step - c["warmup"]) / (c["total"] - c["warmup"])
    coeff = 0.5 * (1.0 + math.cos(math.pi * ratio))
    return c["lr_min"] + coeff * (c["lr_max"] - c["lr_min"])


def run(c):
    rng = np.random.default_rng(20261201)
    params = [torch.nn.Parameter(torch.from_numpy(rng.standard_normal(s).astype(np.float32))) for s in SHAPES]
    p0 = torch.cat([p.detach().reshape(-1) for p in params]).numpy().copy()
    opt = torch.optim.AdamW(params, lr=c["lr_max"], betas=(c["beta1"], c["beta2"]), eps=c["eps"],
                            weight_decay=c["wd"], foreach=False)
    grads, norms, lrs, traj = [], [], [], []
    for step in range(STEPS):
        scale = 0.5 if step < 30 else 0.05  # norms around 3.7 (clipped) then 0.37 (not)
        flat = (rng.standard_normal(p0.size) * scale).astype(np.float32)
        grads.append(flat.copy())
        off = 0
        for p in params:
            p.grad = torch.from_numpy(flat[off:off + p.numel()].reshape(p.shape).copy())
            off += p.numel()
        norms.append(torch.nn.utils.clip_grad_norm_(params, c["max_norm"]).item())
        lr = get_lr(step, c)
        for g in opt.param_groups:
            g["lr"] = lr
        lrs.append(lr)
        opt.step()
        traj.append(torch.cat([p.detach().reshape(-1) for p in params]).numpy().copy())
    return p0, np.stack(grads), np.array(norms, dtype=np.float32), np.array(lrs), np.stack(traj)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=OUT)
    args = ap.parse_args()
    torch.set_num_threads(1)
    p0, grads, norms, lrs, traj = run(CFG)
    keys = ["lr_max", "lr_min", "warmup", "total", "beta1", "beta2", "eps", "wd", "max_norm"]
    recs = [("config", np.array([float(CFG[k]) for k in keys])), ("p0", p0), ("grad", grads), ("norm", norms),
            ("lr", lrs), ("param", traj)]
    path = os.path.join(args.out, "adamw_traj.bin")
    with open(path, "wb") as f:
        f.write(b"TWNNFIX1" + struct.pack("<I", len(recs)))
        for name, arr in recs:
            record(f, name, arr)
    print("wrote %s: %d steps, %d parameters, norms %.3g..%.3g" % (path, STEPS, p0.size, norms.min(), norms.max()))


if __name__ == "__main__":
    main()
