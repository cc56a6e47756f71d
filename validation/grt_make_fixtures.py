#!/usr/bin/python3 -s
"""grt_make_fixtures.py: PyTorch reference fixtures for twinscale's GRT tests.

Run with Debian's /usr/bin/python3 -s (torch, numpy; -s skips a user site that may
hold a NumPy 2 the Debian torch 1.13 cannot use). For each case a random model
(PyTorch default initialisation, seeded) and random inputs are drawn in float32;
the reference forward, loss and every gradient are computed in float64 from the
same float32 values, so the only difference twinscale's float32 kernels may show
is their own rounding. Writes tests/data/nn/grt_<case>.bin in the fixture format
read by tests/nn/nn_fixture.c (plain little-endian binary, so the tests need
neither Python nor HDF5). `--out DIR` writes the three files into DIR instead
(scripts/validate.sh regenerates them there and compares):

    "TWNNFIX1", uint32 count, then per record:
    uint32 name_len, name bytes, uint32 dtype (0 f32, 1 f64, 2 i64),
    uint32 rank, int64 dims[rank], data (row-major)

Records: sizes (i64: N,F,H,Hr,L,M,O,B,T,adj_per_twin), x, adj, [h0, c0],
target, [mask], the weights under their state_dict names, y, h, c, loss (f64),
grad/<name> for every weight, x_grad.
"""
import argparse
import os
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from grt_model import GRT, mse_loss  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "nn")
SIZES = dict(N=7, F=5, H=24, Hr=40, L=3, M=9, O=3)

CASES = {
    # name: (B, T, per-twin adjacency, h0/c0 given, mask)
    "per_twin": (13, 17, True, True, False),
    "shared_adj": (6, 11, False, False, False),
    "mask": (5, 9, True, False, True),
}


def record(f, name, arr):
    arr = np.ascontiguousarray(arr)
    code = {np.dtype("float32"): 0, np.dtype("float64"): 1, np.dtype("int64"): 2}[arr.dtype]
    nb = name.encode()
    f.write(struct.pack("<I", len(nb)) + nb)
    f.write(struct.pack("<II", code, arr.ndim))
    f.write(struct.pack("<%dq" % arr.ndim, *arr.shape))
    f.write(arr.astype(arr.dtype.newbyteorder("<")).tobytes())


def make_case(name, B, T, per_twin, with_state, with_mask, seed, out):
    torch.manual_seed(seed)
    s = SIZES
    model = GRT(**s)  # float32, PyTorch's default init
    x = torch.randn(B, T, s["N"], s["F"])
    raw = torch.rand(B if per_twin else 1, s["N"], s["N"]) * (torch.rand(B if per_twin else 1, s["N"], s["N"]) < 0.6)
    adj = raw / (raw.sum(-1, keepdim=True) + 0.1)  # row-stochastic-ish in-neighbour weights
    adj = adj if per_twin else adj[0]
    h0 = 0.5 * torch.randn(B, s["N"], s["Hr"]) if with_state else None
    c0 = 0.5 * torch.randn(B, s["N"], s["Hr"]) if with_state else None
    target = torch.randn(B, T, s["N"], s["O"]) * 0.3
    mask = (torch.rand(B, T, s["N"], s["O"]) < 0.7).float() if with_mask else None

    ref = GRT(**s).double()
    ref.load_state_dict({k: v.double() for k, v in model.state_dict().items()})
    xd = x.double().requires_grad_(True)
    dbl = lambda t: None if t is None else t.double()  # noqa: E731
    y, h, c = ref(xd, adj.double(), dbl(h0), dbl(c0))
    # the benchmark's formulation must be the same function
    with torch.no_grad():
        yb, hb, cb = ref.forward_batched(x.double(), adj.double(), dbl(h0), dbl(c0))
    assert torch.allclose(yb, y, rtol=1e-12, atol=1e-12) and torch.allclose(hb, h, rtol=1e-12, atol=1e-12)
    loss = mse_loss(y, target.double(), dbl(mask))
    loss.backward()

    path = os.path.join(out, "grt_%s.bin" % name)
    recs = [("sizes", np.array([s[k] for k in ("N", "F", "H", "Hr", "L", "M", "O")] + [B, T, int(per_twin)],
                               dtype=np.int64)),
            ("x", x.numpy()), ("adj", adj.numpy())]
    if with_state:
        recs += [("h0", h0.numpy()), ("c0", c0.numpy())]
    recs.append(("target", target.numpy()))
    if with_mask:
        recs.append(("mask", mask.numpy()))
    recs += [(k, v.numpy()) for k, v in model.state_dict().items()]
    recs += [("y", y.detach().numpy()), ("h", h.detach().numpy()), ("c", c.detach().numpy()),
             ("loss", np.array(loss.item(), dtype=np.float64))]
    recs += [("grad/" + k, p.grad.numpy()) for k, p in ref.named_parameters()]
    recs.append(("x_grad", xd.grad.numpy()))
    with open(path, "wb") as f:
        f.write(b"TWNNFIX1" + struct.pack("<I", len(recs)))
        for rn, arr in recs:
            # inputs and weights are exact float32; references are stored in float64
            record(f, rn, arr)
    print("%s: %d records, %d bytes, loss %.9g" % (path, len(recs), os.path.getsize(path), loss.item()))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=OUT, help="directory for grt_<case>.bin (default tests/data/nn)")
    out = ap.parse_args().out
    os.makedirs(out, exist_ok=True)
    for i, (name, (B, T, per_twin, with_state, with_mask)) in enumerate(CASES.items()):
        make_case(name, B, T, per_twin, with_state, with_mask, seed=1234 + i, out=out)


if __name__ == "__main__":
    main()
