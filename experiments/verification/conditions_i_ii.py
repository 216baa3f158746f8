"""Conditions I and II in simulation: the firing rate and the recurrent/input current variance ratio of
layers initialised by them, per reset and variant, averaged over seeds (single networks scatter widely).

    python -m lifstab_experiments.verification.conditions_i_ii --out results/conditions_i_ii      # about 1 min

Writes ``conditions_i_ii.csv`` (one row per reset, variant, tau, threshold: mean over seeds) and prints
the range over the grid per reset and variant (docs/guide/conditions.md).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import warnings
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

import lifstab
from lifstab import conditions as C
from lifstab.lif import RESETS

TAUS = (2.0, 5.0, 20.0)
THRESHOLDS = (0.01, 0.1, 1.0)


def simulate(reset: str, variant: str, threshold: float = 0.1, tau: float = 20.0, n: int = 200, rate: float = 0.5,
             seed: int = 0, steps: int = 500, burn_in: int = 50) -> tuple[float, float]:
    """Firing rate and recurrent/input current variance ratio of an ``n``-neuron layer (``n`` Bernoulli(rate)
    inputs) initialised by Conditions I and II, over ``steps`` after ``burn_in``."""
    rec = C.recommend(n, n, tau=tau, threshold=threshold, reset=reset, input_mean=rate,
                      input_var=rate * (1 - rate), variant=variant, iv_dampening=1.0)
    layer = lifstab.RecurrentLIF(n, n, tau=tau, threshold=threshold, reset=reset, dtype=torch.float64)
    with warnings.catch_warnings():  # IV's feasibility does not matter for the forward pass measured here
        warnings.simplefilter("ignore")
        C.initialise_(layer, rec, seed=seed)
    gen = torch.Generator().manual_seed(seed + 1)
    x = (torch.rand(burn_in + steps, 8, n, generator=gen, dtype=torch.float64) < rate).double()
    with torch.no_grad():
        z = layer(x)
    input_current = x[burn_in:] @ layer.w_in
    recurrent_current = z[burn_in - 1:-1] @ layer.recurrent_weight()
    return z[burn_in:].mean().item(), (recurrent_current.var() / input_current.var()).item()


def ensemble(reset: str, variant: str, seeds=range(6), **kwargs) -> tuple[float, float]:
    """:func:`simulate` averaged over ``seeds``: (mean firing rate, mean variance ratio)."""
    runs = np.array([simulate(reset, variant, seed=seed, **kwargs) for seed in seeds])
    rate, ratio = runs.mean(axis=0)
    return float(rate), float(ratio)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lifstab_experiments.verification.conditions_i_ii",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="results/conditions_i_ii")
    parser.add_argument("--seeds", type=int, default=4, help="networks averaged per configuration")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    grid = list(itertools.product(RESETS, C.VARIANTS, TAUS, THRESHOLDS))
    rows = []
    for reset, variant, tau, threshold in tqdm(grid, desc="conditions I-II"):
        rate, ratio = ensemble(reset, variant, seeds=range(args.seeds), threshold=threshold, tau=tau)
        rows.append(dict(reset=reset, variant=variant, tau=tau, threshold=threshold, firing_rate=rate,
                         variance_ratio=ratio))
    with open(out / "conditions_i_ii.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    for reset, variant in itertools.product(RESETS, C.VARIANTS):
        sel = [r for r in rows if r["reset"] == reset and r["variant"] == variant]
        rates = [r["firing_rate"] for r in sel]
        ratios = [r["variance_ratio"] for r in sel]
        print(f"{reset:17s} {variant:5s} firing rate {min(rates):.3f}-{max(rates):.3f}  "
              f"variance ratio {min(ratios):.3f}-{max(ratios):.3f}")
    print(f"wrote {out / 'conditions_i_ii.csv'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
