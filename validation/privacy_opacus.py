#!/usr/bin/env python3
"""privacy_opacus.py: fixtures from Opacus for twinscale's privacy accountant
(src/fed/rdp.c) and DP-SGD step (src/fed/dp_sgd.c), read by tests/fed.

Environment (pinned; the one used for the committed fixtures):
    /usr/bin/python3 -m venv --system-site-packages /tmp/opacus-venv
    /tmp/opacus-venv/bin/pip install --no-deps opacus==1.3.0 opt_einsum==3.4.0
    /tmp/opacus-venv/bin/python validation/privacy_opacus.py [--out DIR]
over Debian's python3 (3.11) with torch 1.13 (CPU, OpenBLAS), numpy 1.24 and
scipy 1.10. Opacus 1.3.0 is the last release that runs on torch 1.13 (1.4 needs
torch.func); its accountant (opacus/accountants/analysis/rdp.py and
accountants/rdp.py) is the same code as 1.6.0's, the newest on PyPI, apart from
a doctest and a **kwargs.

Writes into tests/data/privacy/ (or --out):
  rdp_epsilon.txt  q sigma steps delta -> epsilon order, from RDPAccountant
                   (history [(sigma, q, steps)], DEFAULT_ALPHAS) over a spread:
                   q = 1, tiny q, small and large sigma, 1 to 10^6 steps, and
                   best orders that are fractional, integer and at the ends
  rdp_sigma.txt    epsilon delta q steps -> sigma: the smallest sigma whose
                   Opacus epsilon is <= the target, bisected here to 1e-12
                   relative, and Opacus' get_noise_multiplier (tolerance 0.01
                   in epsilon) beside it for comparison
  rdp_ledger.txt   a composed history taken through RDPAccountant.step one step
                   at a time -> its entries, epsilon and order
  dp_sgd_N.txt     the fixed-noise DP-SGD cases: per-example gradients of a small
                   MLP from Opacus' GradSampleModule, the standard-normal numbers z
                   that replace Opacus' noise (opacus.optimizers.optimizer.
                   _generate_noise monkeypatched to return std * z), and
                   DPOptimizer.pre_step()'s p.grad, per-example norms and clip
                   factors, every float32 as a hex float (exact)

With --sweep TWINSCALE N it writes nothing and instead compares the built
executable's `privacy epsilon --json` with RDPAccountant on N random cases in each
of two bands (q 1e-6..1, 1..1e6 steps, delta 1e-9..1e-2; sigma 0.3..30, then
sigma 0.1..0.5 where the fractional-order series cancel most), printing the
largest relative difference and any differing best order (docs/privacy.md).

PyTorch runs with ATEN_CPU_CAPABILITY=default (its portable kernels, no AVX
FMA contraction in the norm) and one thread; docs/privacy.md says why.
"""
import argparse
import json
import os
import subprocess
import warnings

os.environ["ATEN_CPU_CAPABILITY"] = "default"  # before torch is imported

import numpy as np  # noqa: E402
import torch  # noqa: E402

import opacus  # noqa: E402
import opacus.optimizers.optimizer as opacus_optimizer  # noqa: E402
from opacus import GradSampleModule  # noqa: E402
from opacus.accountants import RDPAccountant  # noqa: E402
from opacus.accountants.utils import get_noise_multiplier  # noqa: E402
from opacus.optimizers import DPOptimizer  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "privacy")
HEADER = "# written by validation/privacy_opacus.py with Opacus %s, torch %s; do not edit\n"

# (q, sigma, steps, delta): the acceptance case first, then a spread.
EPSILON_CASES = [
    (0.04, 1.5, 2250, 1e-5),
    (1.0, 1.0, 1, 1e-5), (1.0, 5.0, 100, 1e-5), (1.0, 0.5, 10, 1e-3), (1.0, 20.0, 1000, 1e-6),
    (1e-5, 1.0, 10, 1e-5), (1e-4, 3.0, 4, 1e-5), (1e-6, 0.8, 1000000, 1e-5), (1e-3, 1.1, 100000, 1e-6),
    (0.01, 0.3, 100, 1e-5), (0.01, 0.5, 1000, 1e-5), (0.01, 0.7, 10000, 1e-5), (0.01, 1.0, 10000, 1e-5),
    (0.01, 2.0, 50000, 1e-5), (0.01, 10.0, 100000, 1e-5), (0.01, 50.0, 1000, 1e-5),
    (0.02, 1.2, 5000, 1e-6), (0.05, 0.9, 300, 1e-5), (0.1, 0.6, 10, 1e-5), (0.1, 1.0, 1000, 1e-8),
    (0.1, 4.0, 2000, 1e-5), (0.25, 1.3, 400, 1e-5), (0.5, 0.8, 20, 1e-3), (0.5, 2.5, 500, 1e-5),
    (0.9, 1.0, 50, 1e-5), (0.99, 3.0, 100, 1e-5), (0.004, 1.1, 60000, 1e-5), (0.004, 0.95, 2500, 1e-5),
    (0.256, 1.1, 200, 1e-5), (0.001, 0.6, 1000, 1e-5), (0.03, 1.7, 0, 1e-5), (0.2, 100.0, 10, 1e-5),
]

# (epsilon, delta, q, steps)
SIGMA_CASES = [
    (8.0, 1e-5, 0.04, 2250), (1.0, 1e-5, 0.01, 10000), (3.0, 1e-5, 0.004, 60000), (0.5, 1e-6, 0.001, 1000),
    (10.0, 1e-5, 1.0, 10), (2.0, 1e-3, 0.5, 100), (8.0, 1e-5, 0.1, 500), (30.0, 1e-5, 0.05, 100),
]

# (sigma, q, steps) taken one step at a time
LEDGER = [(1.0, 0.01, 120), (1.3, 0.02, 40), (1.0, 0.01, 30), (0.8, 0.005, 200)]
LEDGER_DELTA = 1e-5


def accountant_epsilon(history, delta):
    acc = RDPAccountant()
    acc.history = list(history)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return acc.get_privacy_spent(delta=delta)


def smallest_sigma(eps, delta, q, steps):
    """Bisection on Opacus' epsilon, to 1e-12 relative."""
    lo, hi = 0.0, 1.0
    while accountant_epsilon([(hi, q, steps)], delta)[0] > eps:
        lo, hi = hi, 2 * hi
    while hi - lo > 1e-12 * hi:
        mid = 0.5 * (lo + hi)
        if accountant_epsilon([(mid, q, steps)], delta)[0] <= eps:
            hi = mid
        else:
            lo = mid
    return hi


def write_rdp(out):
    with open(os.path.join(out, "rdp_epsilon.txt"), "w") as f:
        f.write(HEADER % (opacus.__version__, torch.__version__))
        f.write("# q sigma steps delta epsilon order\n")
        for q, sigma, steps, delta in EPSILON_CASES:
            eps, order = accountant_epsilon([(sigma, q, steps)], delta)
            f.write("%r %r %d %r %r %r\n" % (q, sigma, steps, delta, eps, order))
    with open(os.path.join(out, "rdp_sigma.txt"), "w") as f:
        f.write(HEADER % (opacus.__version__, torch.__version__))
        f.write("# epsilon delta q steps sigma(bisected to 1e-12) sigma(opacus get_noise_multiplier)\n")
        for eps, delta, q, steps in SIGMA_CASES:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                coarse = get_noise_multiplier(target_epsilon=eps, target_delta=delta, sample_rate=q, steps=steps)
            f.write("%r %r %r %d %r %r\n" % (eps, delta, q, steps, smallest_sigma(eps, delta, q, steps), coarse))
    acc = RDPAccountant()
    for sigma, q, steps in LEDGER:
        for _ in range(steps):
            acc.step(noise_multiplier=sigma, sample_rate=q)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        eps, order = acc.get_privacy_spent(delta=LEDGER_DELTA)
    with open(os.path.join(out, "rdp_ledger.txt"), "w") as f:
        f.write(HEADER % (opacus.__version__, torch.__version__))
        f.write("# entries (sigma q steps) as RDPAccountant.history, then: delta epsilon order\n")
        f.write("%d\n" % len(acc.history))
        for sigma, q, steps in acc.history:
            f.write("%r %r %d\n" % (sigma, q, steps))
        f.write("%r %r %r\n" % (LEDGER_DELTA, eps, order))


def hexes(a):
    return " ".join(float(x).hex() for x in np.asarray(a, dtype=np.float32).reshape(-1))


def mlp(widths):
    layers = []
    for i in range(len(widths) - 1):
        layers.append(torch.nn.Linear(widths[i], widths[i + 1]))
        if i < len(widths) - 2:
            layers.append(torch.nn.Tanh())
    return torch.nn.Sequential(*layers)


def dp_case(path, seed, widths, batch, expected, clip, sigma):
    """One DPOptimizer step on an MLP with supplied noise; writes the case file."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = mlp(widths)
    gsm = GradSampleModule(model)
    params = list(model.parameters())
    sizes = [p.numel() for p in params]
    z = rng.standard_normal(sum(sizes)).astype(np.float32)
    chunks = iter(torch.from_numpy(z).split(sizes))

    def supplied_noise(std, reference, generator=None, secure_mode=False):
        return std * next(chunks).view(reference.shape)

    opacus_optimizer._generate_noise = supplied_noise
    opt = DPOptimizer(torch.optim.SGD(model.parameters(), lr=0.1), noise_multiplier=sigma, max_grad_norm=clip,
                      expected_batch_size=expected)
    x = torch.from_numpy(rng.standard_normal((batch, widths[0])).astype(np.float32) * 2)
    y = torch.from_numpy(rng.standard_normal((batch, widths[-1])).astype(np.float32))
    opt.zero_grad()
    ((gsm(x) - y) ** 2).sum(dim=1).mean().backward()
    grads = np.concatenate([p.grad_sample.reshape(batch, -1).detach().numpy() for p in params], axis=1)
    per_param = [g.reshape(len(g), -1).norm(2, dim=-1) for g in opt.grad_samples]
    norms = torch.stack(per_param, dim=1).norm(2, dim=1)
    factors = (opt.max_grad_norm / (norms + 1e-6)).clamp(max=1.0)
    opt.pre_step()
    out = np.concatenate([p.grad.reshape(-1).detach().numpy() for p in params])
    with open(path, "w") as f:
        f.write(HEADER % (opacus.__version__, torch.__version__))
        f.write("# B P tensors expected_batch max_grad_norm noise_multiplier; sizes; grads (B lines);"
                " z; out; norms; factors (float32 as hex)\n")
        f.write("%d %d %d %d %r %r\n" % (batch, grads.shape[1], len(sizes), expected, clip, sigma))
        f.write(" ".join(str(s) for s in sizes) + "\n")
        for row in grads:
            f.write(hexes(row) + "\n")
        for a in (z, out, norms.detach().numpy(), factors.detach().numpy()):
            f.write(hexes(a) + "\n")
    clipped = int((factors < 1).sum())
    print("%s: B=%d P=%d tensors=%d, %d of %d examples clipped" % (os.path.basename(path), batch, grads.shape[1],
                                                                  len(sizes), clipped, batch))


def sweep(tw, n):
    """Random cases through the executable against RDPAccountant."""
    rng = np.random.default_rng(2026)
    for lo, hi in ((-0.5, 1.5), (-1.0, -0.3)):
        worst, where, orders = 0.0, None, 0
        for _ in range(n):
            q = 1.0 if rng.random() < 0.1 else float(10 ** rng.uniform(-6, 0))
            sigma, steps = float(10 ** rng.uniform(lo, hi)), int(10 ** rng.uniform(0, 6))
            delta = float(10 ** rng.uniform(-9, -2))
            eps, order = accountant_epsilon([(sigma, q, steps)], delta)
            run = subprocess.run([tw, "privacy", "epsilon", "--q", repr(q), "--sigma", repr(sigma), "--steps",
                                  str(steps), "--delta", repr(delta), "--json"], capture_output=True, text=True, check=True)
            got = json.loads(run.stdout)
            rel = abs(got["epsilon"] - eps) / abs(eps)
            orders += got["order"] != order
            if rel > worst:
                worst, where = rel, (q, sigma, steps, delta, eps)
        print("sigma 10^%g..10^%g, %d cases: largest relative difference %.2e at (q, sigma, steps, delta, eps) = %r;"
              " %d best orders differ" % (lo, hi, n, worst, where, orders))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=OUT)
    ap.add_argument("--sweep", nargs=2, metavar=("TWINSCALE", "N"), help="compare the executable on N random cases")
    args = ap.parse_args()
    if args.sweep:
        sweep(args.sweep[0], int(args.sweep[1]))
        return
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(1)
    write_rdp(args.out)
    # clipping mixed, noise on; clipping everywhere; no clipping and no noise; 10 tensors (norm lanes twice)
    dp_case(os.path.join(args.out, "dp_sgd_1.txt"), 1, [8, 5, 3], 13, 16, 1.0, 1.1)
    dp_case(os.path.join(args.out, "dp_sgd_2.txt"), 2, [8, 5, 3], 7, 8, 0.05, 0.7)
    dp_case(os.path.join(args.out, "dp_sgd_3.txt"), 3, [8, 5, 3], 9, 12, 1000.0, 0.0)
    dp_case(os.path.join(args.out, "dp_sgd_4.txt"), 4, [6, 9, 7, 5, 4, 3], 17, 20, 2.0, 1.3)


if __name__ == "__main__":
    main()
