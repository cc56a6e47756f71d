#!/usr/bin/python3 -s
"""gan_nets_reference.py: PyTorch reference fixtures for twinscale's GAN
networks (src/gan/nets*.c), CTGAN 0.10's architecture and losses.

Run with Debian's /usr/bin/python3 -s (torch 1.13, numpy). Every random input
that twinscale draws from Philox is given here as numbers instead: z, the cond
vectors and masks, the Gumbel noise, the critic's dropout masks (0 or 2) and
the penalty's alpha. The networks are written here from CTGAN's definitions
(Residual = Linear, BatchNorm1d, ReLU, concatenated with its input; the
PacGAN critic Linear, LeakyReLU(0.2), Dropout(0.5) with the dropout replaced by
the given mask; WGAN-GP with lambda 10 and alpha per pac group; _cond_loss),
computed in float64 from float32 values, so twinscale's float32 kernels may
differ only by their own rounding. The Adam steps run in float32 with
torch.optim.Adam(foreach=False), the path twinscale's update follows.

One critic step and one generator step, as CTGAN's fit loop runs them:
  fake = G(z, c1) in training mode (BatchNorm statistics updated)
  loss_d = -(mean D(real, c2) - mean D(fake, c1)),  pen = calc_gradient_penalty
  d_grad = d(loss_d + pen)/d critic,  d_grad_pen = d pen / d critic
  fake2 = G(z, c1) again (the same z: a second statistics update),
  loss_g = -mean D(fake2, c1) (new masks) + _cond_loss(raw2, c1, m1);  g_grad
  then G in evaluation mode on the same inputs (running statistics), and two
  Adam steps of each network with its gradient.

Writes tests/data/gan/gan_nets.bin (or into --out DIR) in the fixture format of
tests/nn/nn_fixture.c (validation/grt_make_fixtures.py's `record`). Records:
sizes (i64: embedding, gen0, gen1, dis0, dis1, pac, width, cond_width, rows),
spans (i64 (n_spans, 4): kind, start, width, column), cond_span (i64), g, d,
stats0 (running mean, var per block, in twinscale's order), z, c1, m1, gumbel,
real, c2, dmask{l} (3G, dis_l: real, fake, interpolate rows), gmask{l} (G, dis_l),
alpha (G); results raw, fake, stats1, scores (3G), loss_d, pen (f64), d_grad,
d_grad_pen, raw2, fake2, stats2, loss_g_adv, cond_loss (f64), g_grad,
raw_eval, fake_eval, g_adam1, g_adam2, d_adam1, d_adam2.
"""
import argparse
import os
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from grt_make_fixtures import record  # noqa: E402  (the fixture writer)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "gan")
EMB, GEN, DIS, PAC, ROWS = 16, (32, 24), (32, 16), 5, 20
# (kind, width, column): a continuous column (tanh + 3 modes), another (tanh + 2),
# two discrete columns (4 and 2 categories), the latter two conditioned on.
SPANS = [(0, 1, 0), (1, 3, 0), (0, 1, 1), (1, 2, 1), (1, 4, 2), (1, 2, 3)]
COND = [4, 5]
TAU, SLOPE, LAMBDA = 0.2, 0.2, 10.0


def spans_table():
    out, start = [], 0
    for kind, w, col in SPANS:
        out.append((kind, start, w, col))
        start += w
    return np.array(out, dtype=np.int64), start


class Residual(torch.nn.Module):
    def __init__(self, i, o):
        super().__init__()
        self.fc = torch.nn.Linear(i, o)
        self.bn = torch.nn.BatchNorm1d(o)

    def forward(self, x):
        return torch.cat([torch.relu(self.bn(self.fc(x))), x], dim=1)


class Generator(torch.nn.Module):
    def __init__(self, d_in, width, dims=GEN):
        super().__init__()
        layers, d = [], d_in
        for o in dims:
            layers.append(Residual(d, o))
            d += o
        layers.append(torch.nn.Linear(d, width))
        self.seq = torch.nn.Sequential(*layers)

    def forward(self, x):
        return self.seq(x)


def critic_layers(p_in):
    """The critic's Linear layers (CTGAN's seq.0, seq.3, ..., the last to 1)."""
    dims = [p_in] + list(DIS) + [1]
    return torch.nn.ModuleList([torch.nn.Linear(dims[i], dims[i + 1]) for i in range(len(dims) - 1)])


def critic(lins, x, masks):
    """D on rows x (n, width + cond) grouped by PAC, dropout replaced by masks."""
    h = x.reshape(-1, PAC * x.shape[1])
    for lin, m in zip(lins[:-1], masks):
        h = torch.nn.functional.leaky_relu(lin(h), SLOPE) * m
    return lins[-1](h)


def activate(raw, gumbel, table):
    outs = []
    for kind, start, w, _ in table:
        x = raw[:, start:start + w]
        outs.append(torch.tanh(x) if kind == 0 else torch.softmax((x + gumbel[:, start:start + w]) / TAU, dim=1))
    return torch.cat(outs, dim=1)


def cond_loss(raw, c, m, table):
    losses, off = [], 0
    for k, s in enumerate(COND):
        _, start, w, _ = table[s]
        target = torch.argmax(c[:, off:off + w], dim=1)
        losses.append(torch.nn.functional.cross_entropy(raw[:, start:start + w], target, reduction="none"))
        off += w
    return (torch.stack(losses, dim=1) * m).sum() / raw.shape[0]


def penalty(lins, real, fake, alpha, masks):
    """CTGAN's calc_gradient_penalty with alpha (G) given."""
    a = alpha.reshape(-1, 1, 1).repeat(1, PAC, real.shape[1]).reshape(-1, real.shape[1])
    x = (a * real + (1 - a) * fake).detach().requires_grad_(True)
    y = critic(lins, x, masks)
    g = torch.autograd.grad(y, x, torch.ones_like(y), create_graph=True)[0]
    norms = g.reshape(-1, PAC * real.shape[1]).norm(2, dim=1)
    return ((norms - 1) ** 2).mean() * LAMBDA, y


def draw_inputs(rng, table, width, cond_width):
    G = ROWS // PAC
    f32 = lambda a: a.astype(np.float32)  # noqa: E731
    inp = dict(z=f32(rng.standard_normal((ROWS, EMB))),
               gumbel=f32(-np.log(-np.log(rng.uniform(1e-6, 1 - 1e-6, (ROWS, width))))),
               real=f32(rng.uniform(-0.9, 0.9, (ROWS, width))), alpha=f32(rng.uniform(0, 1, G)))
    c1, m1, c2 = (np.zeros((ROWS, cond_width), np.float32), np.zeros((ROWS, len(COND)), np.float32),
                  np.zeros((ROWS, cond_width), np.float32))
    for r in range(ROWS):  # one conditioned column per row, one category of it
        k = rng.integers(len(COND))
        off = sum(table[COND[j]][2] for j in range(k))
        m1[r, k] = 1
        c1[r, off + rng.integers(table[COND[k]][2])] = 1
        c2[r, off + rng.integers(table[COND[k]][2])] = 1
    inp.update(c1=c1, m1=m1, c2=c2)
    for l, o in enumerate(DIS):
        inp["dmask%d" % l] = f32(2.0 * (rng.uniform(size=(3 * G, o)) < 0.5))
        inp["gmask%d" % l] = f32(2.0 * (rng.uniform(size=(G, o)) < 0.5))
    return inp


def adam_two_steps(params, grads):
    params = [torch.nn.Parameter(p.detach().float().clone()) for p in params]
    opt = torch.optim.Adam(params, lr=2e-4, betas=(0.5, 0.9), eps=1e-8, weight_decay=1e-6, foreach=False)
    out = []
    for _ in range(2):
        for p, g in zip(params, grads):
            p.grad = g.detach().float().clone()
        opt.step()
        out.append(torch.cat([p.detach().reshape(-1) for p in params]).numpy().copy())
    return out


def flat(ts):
    return torch.cat([t.detach().reshape(-1) for t in ts]).numpy()


def bn_stats(gen):
    return flat([t for r in gen.seq[:-1] for t in (r.bn.running_mean, r.bn.running_var)])


def run(seed):
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    table, width = spans_table()
    cond_width = sum(table[s][2] for s in COND)
    gen32 = Generator(EMB + cond_width, width)
    for r in gen32.seq[:-1]:  # BatchNorm's affine parameters away from 1 and 0
        r.bn.weight.data = torch.from_numpy(rng.uniform(0.5, 1.5, r.bn.weight.shape).astype(np.float32))
        r.bn.bias.data = torch.from_numpy(rng.uniform(-0.3, 0.3, r.bn.bias.shape).astype(np.float32))
    lins32 = critic_layers(PAC * (width + cond_width))
    gen, lins = Generator(EMB + cond_width, width).double(), critic_layers(PAC * (width + cond_width)).double()
    gen.load_state_dict({k: v.double() if v.is_floating_point() else v for k, v in gen32.state_dict().items()})
    lins.load_state_dict({k: v.double() for k, v in lins32.state_dict().items()})
    rec = [("sizes", np.array([EMB, *GEN, *DIS, PAC, width, cond_width, ROWS], np.int64)), ("spans", table),
           ("cond_span", np.array(COND, np.int64)), ("g", flat(gen32.parameters())), ("d", flat(lins32.parameters())),
           ("stats0", bn_stats(gen))]
    inp = draw_inputs(rng, table, width, cond_width)
    rec += list(inp.items())
    t = {k: torch.from_numpy(v).double() for k, v in inp.items()}
    dm = [t["dmask%d" % l] for l in range(len(DIS))]
    G = ROWS // PAC

    # critic step
    gen.train()
    zc = torch.cat([t["z"], t["c1"]], dim=1)
    raw = gen(zc)
    fake = activate(raw, t["gumbel"], table)
    rec += [("raw", raw.detach().numpy()), ("fake", fake.detach().numpy()), ("stats1", bn_stats(gen))]
    fake_cat, real_cat = torch.cat([fake, t["c1"]], 1).detach(), torch.cat([t["real"], t["c2"]], 1)
    y_real = critic(lins, real_cat, [m[:G] for m in dm])
    y_fake = critic(lins, fake_cat, [m[G:2 * G] for m in dm])
    pen, y_int = penalty(lins, real_cat, fake_cat, t["alpha"], [m[2 * G:] for m in dm])
    loss_d = -(y_real.mean() - y_fake.mean())
    d_grad_pen = torch.autograd.grad(pen, list(lins.parameters()), retain_graph=True, allow_unused=True)
    d_grad_pen = [g if g is not None else torch.zeros_like(p) for g, p in zip(d_grad_pen, lins.parameters())]
    d_grad = torch.autograd.grad(loss_d + pen, list(lins.parameters()))
    rec += [("scores", torch.cat([y_real, y_fake, y_int]).detach().numpy().reshape(-1)),
            ("loss_d", np.array([loss_d.item()])), ("pen", np.array([pen.item()])),
            ("d_grad", flat(d_grad)), ("d_grad_pen", flat(d_grad_pen))]

    # generator step
    raw2 = gen(zc)
    fake2 = activate(raw2, t["gumbel"], table)
    y2 = critic(lins, torch.cat([fake2, t["c1"]], 1), [t["gmask%d" % l] for l in range(len(DIS))])
    adv, ce = -y2.mean(), cond_loss(raw2, t["c1"], t["m1"], table)
    g_grad = torch.autograd.grad(adv + ce, list(gen.parameters()))
    rec += [("raw2", raw2.detach().numpy()), ("fake2", fake2.detach().numpy()), ("stats2", bn_stats(gen)),
            ("loss_g_adv", np.array([adv.item()])), ("cond_loss", np.array([ce.item()])), ("g_grad", flat(g_grad))]

    # sampling mode, then the optimisers
    gen.eval()
    with torch.no_grad():
        raw_e = gen(zc)
        rec += [("raw_eval", raw_e.numpy()), ("fake_eval", activate(raw_e, t["gumbel"], table).numpy())]
    g1, g2 = adam_two_steps(list(gen32.parameters()), g_grad)
    d1, d2 = adam_two_steps(list(lins32.parameters()), d_grad)
    rec += [("g_adam1", g1), ("g_adam2", g2), ("d_adam1", d1), ("d_adam2", d2)]
    return rec


def load_check(path):
    """Loads a twinscale model file's /generator and /critic into CTGAN-shaped
    modules with load_state_dict(strict=True) (every key and shape must match),
    then compares the generator's evaluation-mode output on /check/input with
    twinscale's /check/raw (tests/gan/test_gan_file.c writes both)."""
    import h5py
    with h5py.File(path, "r") as f:
        v = [int(x) for x in f["generator/sizes"][()]]
        emb, pac, width, cond = v[:4]
        ng = v[4]
        gen_dims, nd = v[5:5 + ng], v[5 + ng]
        dis_dims = v[6 + ng:6 + ng + nd]
        gsd = {k: torch.from_numpy(np.array(f["generator"][k])) for k in f["generator"] if k != "sizes"}
        dsd = {k: torch.from_numpy(np.array(f["critic"][k])) for k in f["critic"]}
        x, want = np.array(f["check/input"]), np.array(f["check/raw"])
    gen = Generator(emb + cond, width, gen_dims)
    gen.load_state_dict(gsd, strict=True)
    seq, d = [], pac * (width + cond)
    for o in dis_dims:
        seq += [torch.nn.Linear(d, o), torch.nn.LeakyReLU(0.2), torch.nn.Dropout(0.5)]
        d = o
    critic_mod = torch.nn.Module()
    critic_mod.seq = torch.nn.Sequential(*seq, torch.nn.Linear(d, 1))
    critic_mod.load_state_dict(dsd, strict=True)
    gen.eval()
    with torch.no_grad():
        got = gen(torch.from_numpy(x)).numpy()
    err = np.linalg.norm(got - want) / np.linalg.norm(want)
    print("load-check %s: strict state_dict load ok, eval output rel err %.3g" % (path, err))
    return 0 if err < 1e-5 else 1


def bench(steps, batch=500):
    """CTGAN's training step in PyTorch (float32, CTGAN's default sizes, the
    tests' 6 + 3 column table, torch's default threads), without CTGAN's numpy
    data sampling: steps/s to compare with tests/gan/test_gan_train.c's
    throughput line in the same run."""
    global PAC
    import time
    PAC = 10
    table = np.array([(0, 0, 1, 0), (1, 1, 2, 0), (1, 3, 3, 1)], np.int64)
    width, cond = 6, 3
    gen = Generator(128 + cond, width, (256, 256))
    seq, d = [], PAC * (width + cond)
    for o in (256, 256):
        seq += [torch.nn.Linear(d, o), torch.nn.LeakyReLU(0.2), torch.nn.Dropout(0.5)]
        d = o
    crit = torch.nn.Sequential(*seq, torch.nn.Linear(d, 1))
    D = lambda x: crit(x.reshape(-1, PAC * x.shape[1]))  # noqa: E731
    og = torch.optim.Adam(gen.parameters(), lr=2e-4, betas=(0.5, 0.9), weight_decay=1e-6)
    od = torch.optim.Adam(crit.parameters(), lr=2e-4, betas=(0.5, 0.9), weight_decay=1e-6)
    c1 = torch.zeros(batch, cond)
    c1[torch.arange(batch), torch.randint(0, cond, (batch,))] = 1
    m1 = torch.ones(batch, 1)
    real = torch.cat([torch.rand(batch, 1) * 2 - 1, torch.eye(2)[torch.randint(0, 2, (batch,))], c1], 1)

    def act(raw):
        return torch.cat([torch.tanh(raw[:, :1]), torch.nn.functional.gumbel_softmax(raw[:, 1:3], tau=0.2),
                          torch.nn.functional.gumbel_softmax(raw[:, 3:], tau=0.2)], 1)

    def step():
        fake = torch.cat([act(gen(torch.cat([torch.randn(batch, 128), c1], 1))), c1], 1)
        real_cat = torch.cat([real, c1], 1)
        alpha = torch.rand(batch // PAC, 1, 1).repeat(1, PAC, real_cat.shape[1]).view(-1, real_cat.shape[1])
        x = alpha * real_cat + (1 - alpha) * fake
        g = torch.autograd.grad(D(x), x, torch.ones(batch // PAC, 1), create_graph=True)[0]
        pen = ((g.view(-1, PAC * real_cat.shape[1]).norm(2, dim=1) - 1) ** 2).mean() * 10
        loss_d = -(D(real_cat).mean() - D(fake).mean())
        od.zero_grad(set_to_none=False)
        pen.backward(retain_graph=True)
        loss_d.backward()
        od.step()
        raw = gen(torch.cat([torch.randn(batch, 128), c1], 1))
        y = D(torch.cat([act(raw), c1], 1))
        ce = (torch.nn.functional.cross_entropy(raw[:, 3:], torch.argmax(c1, 1), reduction="none") * m1[:, 0]).sum()
        loss_g = -y.mean() + ce / batch
        og.zero_grad(set_to_none=False)
        loss_g.backward()
        og.step()

    step()
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(steps):
        step()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print("pytorch %s, %d threads, CTGAN step, default sizes, batch %d: %.2f steps/s, %.0f rows/s (wall %.2f s; "
          "CPU %.2f s: %.2f steps/CPU-s)" % (torch.__version__, torch.get_num_threads(), batch, steps / wall,
                                              steps * batch / wall, wall, cpu, steps / cpu))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=OUT)
    ap.add_argument("--seed", type=int, default=20261201)
    ap.add_argument("--load-check", metavar="MODEL_H5", help="check a twinscale model file loads into PyTorch")
    ap.add_argument("--bench", type=int, metavar="STEPS", help="time CTGAN's training step in PyTorch")
    args = ap.parse_args()
    if args.bench:
        return bench(args.bench)
    if args.load_check:
        sys.exit(load_check(args.load_check))
    os.makedirs(args.out, exist_ok=True)
    recs = run(args.seed)
    path = os.path.join(args.out, "gan_nets.bin")
    with open(path, "wb") as f:
        f.write(b"TWNNFIX1" + struct.pack("<I", len(recs)))
        for name, arr in recs:
            record(f, name, arr)
    got = dict(recs)
    print("wrote %s: loss_d %.6g pen %.6g loss_g_adv %.6g cond %.6g" %
          (path, got["loss_d"][0], got["pen"][0], got["loss_g_adv"][0], got["cond_loss"][0]))


if __name__ == "__main__":
    main()
