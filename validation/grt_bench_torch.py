#!/usr/bin/python3 -s
"""grt_bench_torch.py: the PyTorch side of scripts/compare-pytorch.sh.

Times the GRT of validation/grt_model.py on the reference configuration
(N=10, F=16, H=64, Hr=64, L=2, M=64, O=4; T=24; per-twin adjacency) in
PyTorch, float32, on the CPU with torch.set_num_threads(threads) or on a CUDA
device (--device cuda), using GRT.forward_batched (GNN and head over all steps
at once, LSTMCell per step: the strongest eager formulation), or with
--lstm cudnn the same weights in torch.nn.LSTM over the whole sequence (cuDNN's
RNN on a GPU). Forward runs under torch.no_grad();
forward+backward computes the MSE loss and backpropagates to every weight and
to x, as `twinscale nn grad` and `twinscale bench nn` do. One warm-up call,
then R timed calls; the median is reported in the same line format as
`twinscale bench nn`, with the same FLOP count (972,800 per twin-step forward,
3x for forward+backward).
"""
import argparse
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from grt_model import GRT, mse_loss  # noqa: E402

SIZES = dict(N=10, F=16, H=64, Hr=64, L=2, M=64, O=4)
FLOPS = 972800.0  # tw_grt_flops_per_twin_step for SIZES


class CudnnGRT(torch.nn.Module):
    """The GRT with its LSTMCell's weights in a torch.nn.LSTM, which runs the
    whole sequence in one call (cuDNN on a GPU). Same function as GRT.forward."""

    def __init__(self, grt):
        super().__init__()
        self.grt = grt
        self.lstm = torch.nn.LSTM(SIZES["H"], SIZES["Hr"])
        with torch.no_grad():
            for a, b in (("weight_ih_l0", "weight_ih"), ("weight_hh_l0", "weight_hh"),
                         ("bias_ih_l0", "bias_ih"), ("bias_hh_l0", "bias_hh")):
                getattr(self.lstm, a).copy_(getattr(grt.lstm, b))

    def forward(self, x, adj):
        B, T, N, _ = x.shape
        z = x
        for layer in self.grt.gnn:
            z = layer(z, adj.unsqueeze(1))
        hs, (h, c) = self.lstm(z.transpose(0, 1).reshape(T, B * N, -1))
        y = self.grt.head(hs).reshape(T, B, N, -1).transpose(0, 1)
        return y, h.reshape(B, N, -1), c.reshape(B, N, -1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", default="8192")
    ap.add_argument("--steps", type=int, default=24)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--mode", default="both", choices=["forward", "train", "both"])
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    ap.add_argument("--lstm", default="cell", choices=["cell", "cudnn"])
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    dev = torch.device(args.device)
    model = GRT(**SIZES).to(dev)
    run = model.forward_batched if args.lstm == "cell" else CudnnGRT(model).to(dev)
    N, F, O, T = SIZES["N"], SIZES["F"], SIZES["O"], args.steps
    sync = torch.cuda.synchronize if args.device == "cuda" else (lambda: None)
    print("torch %s, %s, %d threads, GRT forward_batched (LSTM: %s), float32"
          % (torch.__version__, args.device, torch.get_num_threads(), args.lstm))
    for B in [int(b) for b in args.batch.split(",")]:
        x = torch.rand(B, T, N, F, device=dev) * 2 - 1
        adj = torch.rand(B, N, N, device=dev)
        adj = adj / adj.sum(-1, keepdim=True)
        target = torch.rand(B, T, N, O, device=dev) * 2 - 1
        modes = [m for m in ("forward", "train") if args.mode in (m, "both")]
        for mode in modes:
            def call():
                if mode == "forward":
                    with torch.no_grad():
                        run(x, adj)
                else:
                    model.zero_grad(set_to_none=True)
                    xg = x.clone().requires_grad_(True)
                    y, _, _ = run(xg, adj)
                    mse_loss(y, target).backward()
            times = []
            for r in range(args.repeats + 1):
                sync()
                t0 = time.perf_counter()
                call()
                sync()
                if r > 0:
                    times.append(time.perf_counter() - t0)
            med = sorted(times)[len(times) // 2]
            steps = B * T
            flops = FLOPS * (3.0 if mode == "train" else 1.0)
            print("torch %s threads=%d B=%d T=%d %s: %.4g twin-steps/s %.1f GFLOP/s (median of %d, %.3f s)"
                  % (args.device + ("" if args.lstm == "cell" else "-cudnn"), args.threads, B, T, "forward" if mode == "forward" else "forward+backward", steps / med,
                     steps * flops / med * 1e-9, args.repeats, med), flush=True)


if __name__ == "__main__":
    main()
