"""Condition IV in sharpness, per neuron: lifstab's exact solver against the paper's random search.

    python benchmarks/conditions_solver.py [--neurons 1000000] [--subset 1000] [--family fast_sigmoid]

Per-neuron inputs are drawn at random (worst-case voltage ranges, dampening, threshold 0.01,
decay exp(-10), the paper's subtractive equation) with a root inside the paper's search range
[0.3, 1.6], so both methods can find it. The exact solver runs on every neuron; the paper's method
(10^5 uniform samples of sharpness in [0.3, 1.6] per neuron, argmin of the squared residual) on the
first ``--subset`` neurons. Prints the time per neuron of each, their ratio, and both residuals on
the shared subset.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from lifstab import expectations
from lifstab.conditions import condition_iv, random_search_sharpness


def problem(neurons: int, family: str, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    threshold, decay = 0.01, math.exp(-10)
    y_min = -rng.uniform(1, 30, neurons)
    y_max = rng.uniform(1, 30, neurons)
    dampening = rng.uniform(0.5, 1.0, neurons)
    target = rng.uniform(0.4, 1.5, neurons)  # the root each neuron should have
    second = expectations.uniform_moment(family, 2, y_min, y_max, threshold, dampening, target)
    square_sum = (1 - decay**2) / second - threshold**2  # paper, subtractive: alpha^2 + (S + theta^2) E2 = 1
    return dict(family=family, reset="subtractive", variant="paper", detach_reset=True, decay=decay,
                threshold=threshold, square_sum=square_sum, y_min=y_min, y_max=y_max, dampening=dampening)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--neurons", type=int, default=1_000_000)
    parser.add_argument("--subset", type=int, default=1_000)
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--family", default="fast_sigmoid")
    args = parser.parse_args()
    p = problem(args.neurons, args.family)
    args_iv = (p["family"], p["reset"], p["variant"], p["detach_reset"], p["decay"], p["threshold"],
               p["square_sum"], p["y_min"], p["y_max"], p["dampening"])

    start = time.perf_counter()
    exact = condition_iv(*args_iv)
    exact_time = time.perf_counter() - start

    sub = slice(0, args.subset)
    sub_args = (*args_iv[:6], *(a[sub] for a in args_iv[6:]))
    start = time.perf_counter()
    _, search_residual = random_search_sharpness(*sub_args, samples=args.samples)
    search_time = time.perf_counter() - start

    per_exact = exact_time / args.neurons
    per_search = search_time / args.subset
    ex_res = np.abs(exact.residual[sub])
    rs_res = np.abs(search_residual)
    print(f"family {args.family}; exact solver on {args.neurons} neurons, random search "
          f"({args.samples} samples in [0.3, 1.6]) on {args.subset}")
    print(f"exact solver : {exact_time:8.3f} s total, {per_exact * 1e6:10.3f} us/neuron, "
          f"feasible {exact.feasible.mean():.4f}, max |residual| (all) {np.abs(exact.residual).max():.3g}")
    print(f"random search: {search_time:8.3f} s total, {per_search * 1e6:10.3f} us/neuron")
    print(f"time per neuron ratio (random search / exact): {per_search / per_exact:.0f}x")
    print(f"shared subset |residual|: exact median {np.median(ex_res):.3g} max {ex_res.max():.3g}; "
          f"random search median {np.median(rs_res):.3g} min {rs_res.min():.3g} max {rs_res.max():.3g}")
    print(f"random-search neurons with |residual| >= 1e-6: {(rs_res >= 1e-6).mean():.3f}; exact <= 1e-10 on them: "
          f"{bool(np.all(ex_res[rs_res >= 1e-6] <= 1e-10))}")


if __name__ == "__main__":
    main()
