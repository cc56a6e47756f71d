#!/usr/bin/python3 -s
"""grt_train_torch.py: the PyTorch side of scripts/compare-train-pytorch.sh.

The training `twinscale train configs/train-t1d.yaml --set rollout.max=0` does,
written the way a PyTorch user would write it, on the CPU in float32 eager mode:

  data    the same simulate file (/states/<name> (n, T), /inputs/<name>,
          /cohort/parameters/t1d.<p>, /status/flag) read with h5py; twins whose
          integration failed are left out; a seeded share held out (numpy's
          generator, not twinscale's Philox: the same sizes, not the same twins).
  scalers fitted on the training twins as src/nn/grt_twin.c does: states by
          mean and standard deviation, one-step changes and inputs by root mean
          square, parameters that vary by mean and standard deviation (of the
          log where every value is > 0).
  windows context + horizon steps every `stride` steps of every training twin,
          reshuffled each epoch; a step takes the next `windows` of them.
  batch   built at each step from the in-memory series with numpy (vectorised):
          x (B, W, N, F), F = S + U + P + N: the node's scaled states in S slots,
          every input scaled, the varying parameters scaled, the node one-hot;
          target (B, W, N, O), O = S: the scaled one-step change; mask 1 where a
          slot holds a state. The t1d organ graph below is a copy of the tables
          of src/physio/t1d.c (nodes, which node holds each state, edges).
  step    GRT.forward_batched of validation/grt_model.py (the GNN and the head
          over all steps at once, the LSTMCell per step: the strongest eager
          formulation), masked MSE, backward, clip_grad_norm_, torch.optim.AdamW
          at the learning rate of src/nn/adamw.h tw_lr_at (linear warm-up, then
          cosine to lr_min). --group G splits the step's windows into groups of
          G whose gradients are summed, as twinscale does for rank-independence;
          the default (0) is one batch of all the step's windows, which gives the
          same gradient (every window has the same mask count) in fewer, larger
          products: the faster PyTorch.

Teacher forcing only (twinscale's scheduled rollout is not reproduced: run
twinscale with rollout.max=0 to compare). Timing covers the steps only, batch
building included, after --warm warm-up steps, with time.perf_counter; the last
line, parsed by the shell script, reads
  torch-train threads=T windows=B group=G W=36: R twin-steps/s (...; training FLOP/twin-step X)
with R = steps * windows * (context + horizon) / seconds and X three times
tw_grt_flops_per_twin_step (forward products; backward counted as twice them). With --model, the
sizes (N, F, O) are checked against a twinscale model file trained on the same
data (exit 2 when they differ: the two sides would not do the same work).
"""
import argparse
import math
import os
import sys
import time

import h5py
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from grt_model import GRT, mse_loss  # noqa: E402

# src/physio/t1d.c: organ nodes, the node of each state (pack order), edges (from, to, weight).
T1D_NODES = ("stomach", "gut", "plasma", "tissue", "liver", "subcutis", "remote_insulin")
T1D_STATES = (("qsto1", 0), ("qsto2", 0), ("qgut", 1), ("gp", 2), ("gt", 3), ("ip", 2), ("x", 6),
              ("xi1", 6), ("xi2", 6), ("il", 4), ("isc1", 5), ("isc2", 5), ("gsub", 5))
T1D_INPUTS = ("cho", "insulin")
T1D_EDGES = ((0, 1, 1.0), (1, 2, 1.0), (2, 3, 1.0), (3, 2, 1.0), (2, 4, 1.0), (4, 2, 1.0),
             (5, 2, 1.0), (2, 5, 1.0), (2, 6, 1.0))


def read_data(path):
    """Kept twins' states (n, T, ns) and inputs (n, T, nu) as float32, params (n, np) float64."""
    with h5py.File(path, "r") as f:
        if f.attrs.get("pack") not in ("t1d", b"t1d"):
            sys.exit("grt_train_torch: %s: not a t1d simulate file" % path)
        keep = f["/status/flag"][...] == 0
        xs = np.stack([f["/states/" + s][...][keep] for s, _ in T1D_STATES], -1).astype(np.float32)
        us = np.stack([f["/inputs/" + u][...][keep] for u in T1D_INPUTS], -1).astype(np.float32)
        grp = f["/cohort/parameters"]
        names = sorted(k for k in grp if k.startswith("t1d."))
        p = np.stack([grp[k][...][keep] for k in names], -1).astype(np.float64)
    if not (np.isfinite(xs).all() and np.isfinite(us).all()):
        sys.exit("grt_train_torch: %s: NaN or infinity in a kept twin" % path)
    return xs, us, p


class Features:
    """The twin-to-node-feature map of src/nn/grt_twin.c, fitted on training twins."""

    def __init__(self, xs, us, p):
        node = np.array([v for _, v in T1D_STATES])
        self.N = len(T1D_NODES)
        self.S = int(np.bincount(node).max())
        count = np.zeros(self.N, int)
        self.slot = np.zeros(len(node), int)
        for k, v in enumerate(node):
            self.slot[k] = v * self.S + count[v]
            count[v] += 1
        x64 = xs.astype(np.float64)
        self.x_center = x64.mean((0, 1))
        sd = x64.std((0, 1))
        self.x_scale = np.where(sd > 0, sd, 1.0)
        self.dx_scale = rms(np.diff(x64, axis=1))
        self.u_scale = rms(us.astype(np.float64))
        vary = (p.max(0) > p.min(0))
        self.p_log = vary & (p.min(0) > 0)
        q = np.where(self.p_log, np.log(np.where(self.p_log, p, 1.0)), p)
        vary &= q.std(0) > 0
        self.p_idx = np.flatnonzero(vary)
        self.p_log, self.p_center, self.p_scale = self.p_log[vary], q.mean(0)[vary], q.std(0)[vary]
        self.U, self.P = us.shape[-1], len(self.p_idx)
        self.F = self.S + self.U + self.P + self.N
        self.O = self.S
        self.adj = np.zeros((self.N, self.N), np.float32)
        for a, b, w in T1D_EDGES:
            self.adj[b, a] += w  # row v: v's in-neighbours

    def batch(self, xs, us, p, twin, start, W):
        """x (B, W, N, F), target and mask (B, W, N, O) of windows (twin[b], start[b])."""
        B, N, S, U, P = len(twin), self.N, self.S, self.U, self.P
        at = start[:, None] + np.arange(W + 1)
        X = xs[twin[:, None], at].astype(np.float64)   # (B, W+1, ns)
        u = us[twin[:, None], at[:, :W]]               # (B, W, nu)
        pt = p[twin][:, self.p_idx]
        pt = (np.where(self.p_log, np.log(np.where(self.p_log, pt, 1.0)), pt) - self.p_center) / self.p_scale
        x = np.zeros((B, W, N, self.F), np.float32)
        x[:, :, self.slot // S, self.slot % S] = (X[:, :W] - self.x_center) / self.x_scale
        x[:, :, :, S:S + U] = (u / self.u_scale)[:, :, None, :]
        x[:, :, :, S + U:S + U + P] = pt[:, None, None, :]
        x[:, :, np.arange(N), S + U + P + np.arange(N)] = 1
        target = np.zeros((B, W, N * self.O), np.float32)
        mask = np.zeros((B, W, N * self.O), np.float32)
        target[:, :, self.slot] = np.diff(X, axis=1) / self.dx_scale
        mask[:, :, self.slot] = 1
        return x, target.reshape(B, W, N, self.O), mask.reshape(B, W, N, self.O)


def rms(a):
    r = np.sqrt((a.reshape(-1, a.shape[-1]) ** 2).mean(0))
    return np.where((r > 0) & np.isfinite(r), r, 1.0)


def lr_at(step, lr, lr_min, warmup, total):
    """src/nn/adamw.h tw_lr_at: linear warm-up, then cosine from lr to lr_min."""
    if step < warmup:
        return lr * (step + 1) / warmup
    if step > total:
        return lr_min
    ratio = (step - warmup) / (total - warmup)
    return lr_min + 0.5 * (1.0 + math.cos(math.pi * ratio)) * (lr - lr_min)


def flops_per_twin_step(N, F, H, Hr, L, M, O):
    """src/nn/grt_layout.c tw_grt_flops_per_twin_step: the forward's products."""
    f = sum(2.0 * N * (F if l == 0 else H) * 2.0 * H + 2.0 * N * N * H for l in range(L))
    return f + 2.0 * N * 4.0 * Hr * (H + Hr) + 2.0 * N * M * (Hr + O)


def check_model(path, feat):
    with h5py.File(path, "r") as f:
        ts = {k: int(f.attrs[k]) for k in ("N", "F", "O")}
    ours = dict(N=feat.N, F=feat.F, O=feat.O)
    if ts != ours:
        print("grt_train_torch: sizes %s differ from twinscale's %s (%s)" % (ours, ts, path), file=sys.stderr)
        sys.exit(2)


def parse():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True, help="simulate file written with output.states: true")
    ap.add_argument("--model", help="twinscale model file trained on the same data: sizes must agree")
    ap.add_argument("--steps", type=int, default=30, help="timed optimiser steps")
    ap.add_argument("--warm", type=int, default=2, help="untimed steps first")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--windows", type=int, default=128, help="windows per step")
    ap.add_argument("--group", type=int, default=0, help="windows per gradient group (0: all in one)")
    ap.add_argument("--context", type=int, default=12)
    ap.add_argument("--horizon", type=int, default=24)
    ap.add_argument("--stride", type=int, default=6)
    ap.add_argument("--sizes", default="64,64,2,64", help="H,Hr,L,M")
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--lr-min", type=float, default=1e-4)
    ap.add_argument("--lr-warmup", type=int, default=6, help="learning-rate warm-up steps")
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--clip", type=float, default=1.0)
    ap.add_argument("--validation-fraction", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=1)
    return ap.parse_args()


def main():
    a = parse()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    W, group = a.context + a.horizon, a.group or a.windows
    if a.windows % group:
        sys.exit("grt_train_torch: --group %d does not divide --windows %d" % (group, a.windows))
    xs, us, p = read_data(a.data)
    train = rng.random(len(xs)) >= a.validation_fraction
    feat = Features(xs[train], us[train], p[train])
    if a.model:
        check_model(a.model, feat)
    tw = np.flatnonzero(train)
    starts = np.arange(0, xs.shape[1] - W, a.stride)  # start + W + 1 <= T
    wins = np.stack(np.meshgrid(tw, starts, indexing="ij"), -1).reshape(-1, 2)
    H, Hr, L, M = (int(v) for v in a.sizes.split(","))
    model = GRT(feat.N, feat.F, H, Hr, L, M, feat.O)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=a.weight_decay)
    adj = torch.from_numpy(feat.adj)
    total = a.warm + a.steps
    print("torch %s, cpu, %d threads, GRT forward_batched, float32; N=%d F=%d O=%d H=%d Hr=%d L=%d M=%d; "
          "%d training twins, %d windows; %d windows per step in groups of %d, W=%d"
          % (torch.__version__, torch.get_num_threads(), feat.N, feat.F, feat.O, H, Hr, L, M, len(tw), len(wins),
             a.windows, group, W), flush=True)
    perms, t0, loss_sum = {}, None, 0.0
    for step in range(total):
        if step == a.warm:
            t0 = time.perf_counter()
        pos = step * a.windows + np.arange(a.windows)  # epoch pos // n, shuffled once per epoch
        for e in np.unique(pos // len(wins)):
            perms.setdefault(e, rng.permutation(len(wins)))
        pick = wins[[perms[e][i] for e, i in zip(pos // len(wins), pos % len(wins))]]
        x, target, mask = feat.batch(xs, us, p, pick[:, 0], pick[:, 1], W)
        opt.zero_grad(set_to_none=True)
        loss_sum = 0.0
        for g in range(0, a.windows, group):
            sl = slice(g, g + group)
            y, _, _ = model.forward_batched(torch.from_numpy(x[sl]), adj)
            loss = mse_loss(y, torch.from_numpy(target[sl]), torch.from_numpy(mask[sl])) * (group / a.windows)
            loss.backward()
            loss_sum += loss.item()
        torch.nn.utils.clip_grad_norm_(model.parameters(), a.clip)
        for pg in opt.param_groups:
            pg["lr"] = lr_at(step, a.lr, a.lr_min, a.lr_warmup, total)
        opt.step()
    sec = time.perf_counter() - t0
    print("torch-train threads=%d windows=%d group=%d W=%d: %.4g twin-steps/s (forward, backward, AdamW; "
          "%d steps in %.2f s after %d warm-up; last loss %.5g; training FLOP/twin-step %.0f)"
          % (a.threads, a.windows, group, W, a.steps * a.windows * W / sec, a.steps, sec, a.warm, loss_sum,
             3 * flops_per_twin_step(feat.N, feat.F, H, Hr, L, M, feat.O)),
          flush=True)


if __name__ == "__main__":
    main()
