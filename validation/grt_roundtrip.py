#!/usr/bin/python3 -s
"""grt_roundtrip.py: a PyTorch GRT and twinscale's, through model files and the CLI.

Run with Debian's /usr/bin/python3 -s (torch, h5py, numpy):
    validation/grt_roundtrip.py [--twinscale build/twinscale] [--backend cpu|cuda]

1. Exports a random PyTorch GRT (validation/grt_model.py, sizes unlike the
   reference ones) to a twinscale model file, runs `twinscale nn forward` on a
   batch with per-twin adjacency and initial state, and compares y, h, c with
   PyTorch's float64 forward of the same float32 weights.
2. Runs `twinscale nn grad` with a masked target and compares the loss, every
   weight's gradient and x_grad with PyTorch autograd (float64).
3. Writes a model with `twinscale nn init`, loads it into PyTorch (no conversion
   beyond reading the datasets), checks PyTorch's default-init bounds, writes it
   back from PyTorch and checks every dataset is bit-identical (round trip), and
   checks that twinscale and PyTorch agree on that model's forward too.
Prints the errors; exits 1 when any exceeds the acceptance bounds (forward
1e-5, gradients 1e-4 relative), 0 otherwise. With --backend cpu each error is
also held to a regression bound, about 10x what the CPU reached when it was set
(forward y/h/c 3.2e-8/1.05e-7/9.1e-8 -> 2e-6, loss 4.1e-9 -> 5e-8, weight
gradients 8.1e-7 -> 9e-6, x_grad 2.6e-7 -> 3e-6, the nn-init model's forward
2.9e-8 -> 3e-7), so a regression shows long before a limit is crossed
(tests/tw_bounds.h has the same rule for the ctests).
"""
import argparse
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from grt_model import GRT, SIZE_NAMES, load_model, mse_loss, save_model  # noqa: E402

FWD_TOL, GRAD_TOL = 1e-5, 1e-4
# Regression bounds for --backend cpu (see the docstring): checked name, up to " (", -> bound.
CPU_REGRESSION = {"forward y": 2e-6, "final h": 2e-6, "final c": 2e-6, "loss": 5e-8, "worst weight grad": 9e-6,
                  "x_grad": 3e-6, "forward of the init model": 3e-7}


def rel(a, ref):
    a, ref = np.asarray(a, dtype=np.float64), np.asarray(ref, dtype=np.float64)
    return float(np.linalg.norm(a - ref) / max(np.linalg.norm(ref), 1e-300))


def write_h5(path, **arrays):
    with h5py.File(path, "w") as f:
        for k, v in arrays.items():
            f.create_dataset(k, data=np.ascontiguousarray(v, dtype=np.float32)).attrs["units"] = "1"


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("FAILED: %s\n%s%s" % (" ".join(cmd), r.stdout, r.stderr))


def reference(model):
    """A float64 copy of a float32 model."""
    ref = GRT(**model.sizes).double()
    ref.load_state_dict({k: v.double() for k, v in model.state_dict().items()})
    return ref


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--twinscale", default=os.path.join(here, "..", "build", "twinscale"))
    ap.add_argument("--backend", default="cpu")
    args = ap.parse_args()
    ts = args.twinscale
    failures = []

    def check(name, err, tol):
        reg = CPU_REGRESSION.get(name.split(" (")[0]) if args.backend == "cpu" else None
        ok = err <= tol and (reg is None or err <= reg)
        bounds = "limit %.0e" % tol + (", regression bound %.0e" % reg if reg is not None else "")
        print("  %-34s %.3e %s (%s)" % (name, err, "ok" if ok else "FAIL", bounds))
        if not ok:
            failures.append(name)

    torch.manual_seed(7)
    sizes = dict(N=6, F=3, H=20, Hr=28, L=2, M=11, O=2)
    B, T = 9, 14
    model = GRT(**sizes)
    x = torch.randn(B, T, sizes["N"], sizes["F"])
    adj = torch.rand(B, sizes["N"], sizes["N"])
    adj = adj / adj.sum(-1, keepdim=True)
    h0 = 0.3 * torch.randn(B, sizes["N"], sizes["Hr"])
    c0 = 0.3 * torch.randn(B, sizes["N"], sizes["Hr"])
    target = torch.randn(B, T, sizes["N"], sizes["O"])
    mask = (torch.rand(B, T, sizes["N"], sizes["O"]) < 0.8).float()

    with tempfile.TemporaryDirectory() as tmp:
        p = lambda name: os.path.join(tmp, name)  # noqa: E731
        save_model(model, p("M.h5"))
        write_h5(p("X.h5"), x=x, adj=adj, h0=h0, c0=c0)
        write_h5(p("T.h5"), y=target, mask=mask)

        print("1. PyTorch model -> twinscale nn forward (%s)" % args.backend)
        run([ts, "nn", "forward", "--model", p("M.h5"), "--input", p("X.h5"), "--output", p("Y.h5"),
             "--backend", args.backend])
        ref = reference(model)
        xd = x.double().requires_grad_(True)
        y, h, c = ref(xd, adj.double(), h0.double(), c0.double())
        with h5py.File(p("Y.h5"), "r") as f:
            check("forward y", rel(f["y"][...], y.detach()), FWD_TOL)
            check("final h", rel(f["h"][...], h.detach()), FWD_TOL)
            check("final c", rel(f["c"][...], c.detach()), FWD_TOL)

        print("2. twinscale nn grad vs PyTorch autograd (masked MSE)")
        run([ts, "nn", "grad", "--model", p("M.h5"), "--input", p("X.h5"), "--target", p("T.h5"),
             "--output", p("G.h5"), "--backend", args.backend])
        loss = mse_loss(y, target.double(), mask.double())
        loss.backward()
        with h5py.File(p("G.h5"), "r") as f:
            check("loss", abs(float(f.attrs["loss"]) - loss.item()) / loss.item(), FWD_TOL)
            worst, worst_name = 0.0, ""
            for name, prm in ref.named_parameters():
                e = rel(f[name][...], prm.grad)
                if e > worst:
                    worst, worst_name = e, name
                if e > GRAD_TOL:
                    check("grad " + name, e, GRAD_TOL)
            check("worst weight grad (%s)" % worst_name, worst, GRAD_TOL)
            check("x_grad", rel(f["x_grad"][...], xd.grad), GRAD_TOL)

        print("3. twinscale nn init -> PyTorch -> model file (round trip)")
        isz = dict(N=5, F=4, H=16, Hr=12, L=3, M=7, O=3)
        run([ts, "nn", "init", "--sizes", ",".join(str(isz[k]) for k in SIZE_NAMES), "--seed", "42",
             "--output", p("I.h5")])
        loaded = load_model(p("I.h5"))
        bound_ok = True
        for name, t in loaded.state_dict().items():
            fan_in = isz["Hr"] if name.startswith("lstm") else (t.shape[1] if t.dim() == 2 else None)
            if fan_in is None:  # a Linear bias: the fan_in of its weight
                fan_in = loaded.state_dict()[name.replace("bias", "weight")].shape[1]
            b = 1.0 / np.sqrt(fan_in)
            bound_ok &= bool((t.abs() <= b).all()) and float(t.abs().max()) > 0.5 * b
        check("init within U(-1/sqrt(fan_in), +) bounds", 0.0 if bound_ok else 1.0, 0.0)
        save_model(loaded, p("I2.h5"))
        same = True
        with h5py.File(p("I.h5"), "r") as a, h5py.File(p("I2.h5"), "r") as b2:
            for name in loaded.state_dict():
                same &= a[name].dtype == np.float32 and np.array_equal(a[name][...], b2[name][...])
            same &= all(int(a.attrs[k]) == int(b2.attrs[k]) for k in SIZE_NAMES)
        check("round trip bit-identical", 0.0 if same else 1.0, 0.0)
        xi = torch.randn(4, 6, isz["N"], isz["F"])
        ai = torch.rand(isz["N"], isz["N"])
        write_h5(p("XI.h5"), x=xi, adj=ai)
        run([ts, "nn", "forward", "--model", p("I.h5"), "--input", p("XI.h5"), "--output", p("YI.h5"),
             "--backend", args.backend])
        yi, _, _ = reference(loaded)(xi.double(), ai.double())
        with h5py.File(p("YI.h5"), "r") as f:
            check("forward of the init model (shared adj)", rel(f["y"][...], yi.detach()), FWD_TOL)

    print("grt_roundtrip: %s" % ("FAILED: " + ", ".join(failures) if failures else "all within bounds"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
