#!/usr/bin/python3 -s
"""grt_per_example.py: PyTorch references of the GRT's per-example gradients
(DP-SGD's grad samples) for twinscale's test tests/nn/test_grt_per_example.c.

Run with Debian's /usr/bin/python3 -s (torch, numpy). For each committed GRT
fixture tests/data/nn/grt_<case>.bin (validation/grt_make_fixtures.py: model,
inputs, targets, mask) the gradient of every twin's own loss

    l_b = B * sum(mask_b * (y_b - target_b)^2) / sum(mask)

(Opacus' grad sample under loss_reduction="mean": the batch loss is the mean
of the l_b) is computed in float64 by autograd, one twin at a time: the
reference may loop where twinscale must not. A twin's outputs depend on its own
inputs, graph and state only, so its gradient is that of the model run on it
alone. Writes tests/data/nn/grt_<case>_pe.bin (same record format) with
grad_pe/<name> of shape (B, *shape) for every weight. `--out DIR` writes there
instead (scripts/validate.sh compares the regenerated files).
"""
import argparse
import os
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from grt_model import GRT  # noqa: E402
from grt_make_fixtures import OUT, CASES, record  # noqa: E402

DTYPES = {0: np.float32, 1: np.float64, 2: np.int64}


def read_fixture(path):
    recs = {}
    with open(path, "rb") as f:
        assert f.read(8) == b"TWNNFIX1"
        (count,) = struct.unpack("<I", f.read(4))
        for _ in range(count):
            (n,) = struct.unpack("<I", f.read(4))
            name = f.read(n).decode()
            code, rank = struct.unpack("<II", f.read(8))
            dims = struct.unpack("<%dq" % rank, f.read(8 * rank))
            dt = np.dtype(DTYPES[code]).newbyteorder("<")
            count_el = int(np.prod(dims)) if rank else 1
            recs[name] = np.frombuffer(f.read(dt.itemsize * count_el), dtype=dt).reshape(dims).astype(DTYPES[code])
    return recs


def per_example(case, src, out):
    r = read_fixture(os.path.join(src, "grt_%s.bin" % case))
    N, F, H, Hr, L, M, O, B, T, per_twin = (int(v) for v in r["sizes"])
    model = GRT(N=N, F=F, H=H, Hr=Hr, L=L, M=M, O=O).double()
    names = list(model.state_dict().keys())
    model.load_state_dict({k: torch.from_numpy(r[k]).double() for k in names})
    t = lambda k: torch.from_numpy(r[k]).double() if k in r else None  # noqa: E731
    x, adj, target, mask, h0, c0 = t("x"), t("adj"), t("target"), t("mask"), t("h0"), t("c0")
    total = mask.sum() if mask is not None else torch.tensor(float(target.numel()))
    grads = {k: np.zeros((B,) + r[k].shape) for k in names}
    for b in range(B):
        model.zero_grad()
        sl = slice(b, b + 1)
        y, _, _ = model(x[sl], adj[sl] if per_twin else adj, None if h0 is None else h0[sl],
                        None if c0 is None else c0[sl])
        sq = (y - target[sl]) ** 2
        if mask is not None:
            sq = sq * mask[sl]
        (B * sq.sum() / total).backward()
        for k, p in model.named_parameters():
            grads[k][b] = p.grad.numpy()
    path = os.path.join(out, "grt_%s_pe.bin" % case)
    recs = [("grad_pe/" + k, grads[k]) for k in names]
    with open(path, "wb") as f:
        f.write(b"TWNNFIX1" + struct.pack("<I", len(recs)))
        for rn, arr in recs:
            record(f, rn, arr)
    print("%s: %d records, %d twins, %d bytes" % (path, len(recs), B, os.path.getsize(path)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--src", default=OUT, help="directory holding grt_<case>.bin (default tests/data/nn)")
    ap.add_argument("--out", default=OUT, help="directory for grt_<case>_pe.bin (default tests/data/nn)")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    for case in CASES:
        per_example(case, a.src, a.out)


if __name__ == "__main__":
    main()
