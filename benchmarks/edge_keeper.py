"""What the edge keeper costs, against one training step measured in the same run.

    python benchmarks/edge_keeper.py --threads 1

A ``RecurrentLIF`` (threshold 1, fast sigmoid) after ``stable_init_`` on Bernoulli inputs; one training step
is forward + backward + Adam on a batch of ``--batch``. The keeper's re-set (``keep_edge_`` on ``--probe``
sequences, target rho 0.95) is timed three ways: the whole-range search (25 sharpness values, the first
re-set), the warm start from a sharpness 10% off the edge (4 values, as every later re-set), and the replay's four
readouts one pass each (as before they were batched into one pass). Median over ``--repeats`` after a
warm-up; ratios are against the training step. The keeper re-sets every 5 steps, so its overhead on
training is about (re-set / step) / 5.
"""

from __future__ import annotations

import argparse

import torch
from sparse_projection import median_ms  # the sibling benchmark's timer (run as benchmarks/edge_keeper.py)

import lifstab
from lifstab.edge_keeping import _root, value_of
from lifstab.stability import forward_probe, replay_log_growth


def median_s(fn, repeats: int) -> float:
    return median_ms(fn, repeats) / 1e3


def timings(n_in: int, n_rec: int, steps: int, batch: int, probe: int, repeats: int) -> dict[str, float]:
    gen = torch.Generator().manual_seed(0)
    x = (torch.rand(steps, batch, n_in, generator=gen) < 0.05).float()
    layer = lifstab.RecurrentLIF(n_in, n_rec, threshold=1.0, seed=0)
    lifstab.stable_init_(layer, inputs=x, seed=0, keep_edge=None)
    optimiser = torch.optim.Adam(layer.parameters(), 1e-3)

    def train_step():
        loss = layer(x).mean()
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()

    def reset(near):
        return _root(layer, forward_probe(layer, x[:, :probe]), 0.95, "sharpness", (1e-3, 1e3), 4, near)[0]

    root = reset(None)  # the warm start begins 10% away from it, as after a few training steps

    sharpness = torch.as_tensor(value_of(layer)) * torch.logspace(-0.3, 0.3, 11, dtype=torch.float64)
    p = forward_probe(layer, x[:, :probe])
    return {
        "training step": median_s(train_step, repeats),
        "re-set, whole range": median_s(lambda: reset(None), repeats),
        "re-set, warm start": median_s(lambda: reset(1.1 * root), repeats),
        "replay, readouts batched": median_s(lambda: replay_log_growth(layer, p, sharpness), repeats),
        "replay, one pass per readout": median_s(
            lambda: [replay_log_growth(layer, p, sharpness, readouts=1, seed=s) for s in range(4)], repeats),
    }


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n-in", type=int, default=40)
    p.add_argument("--n-rec", type=int, nargs="+", default=[64, 128])
    p.add_argument("--steps", type=int, nargs="+", default=[100, 250])
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--probe", type=int, default=16)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args(argv)
    if min(args.n_in, *args.n_rec, *args.steps, args.batch, args.probe, args.threads, args.repeats) < 1:
        raise ValueError("every size, --threads and --repeats must be positive")
    if min(args.steps) < 16:
        raise ValueError("--steps must be >= 16 (the keeper's shortest input)")
    torch.set_num_threads(args.threads)
    print(f"edge_keeper: n_in={args.n_in} batch={args.batch} probe={args.probe} threads={torch.get_num_threads()} "
          f"repeats={args.repeats} torch={torch.__version__}")
    for n_rec in args.n_rec:
        for steps in args.steps:
            t = timings(args.n_in, n_rec, steps, args.batch, args.probe, args.repeats)
            step = t["training step"]
            print(f"  n_rec={n_rec} T={steps}: training step {step * 1e3:.1f} ms")
            for name, value in t.items():
                if name != "training step":
                    print(f"    {name:30s} {value * 1e3:8.1f} ms  {value / step:6.2f} x step")
            print(f"    keeper overhead every 5 steps: {t['re-set, whole range'] / step / 5:.2f} x (whole range) -> "
                  f"{t['re-set, warm start'] / step / 5:.2f} x (warm start); replay one pass per readout / batched "
                  f"{t['replay, one pass per readout'] / t['replay, readouts batched']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
