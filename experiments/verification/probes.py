"""Forward-pass statistics of a LIF layer at initialisation, to set against the assumptions of
Conditions I-IV (docs/theory.md section 4): firing rate, the voltage distribution against a Gaussian and a
uniform law, and the input and recurrent current variances.

Conditions I and II assume firing rate 1/2 and equal input and recurrent current variances; III and IV
assume a uniform voltage (the worst-case range comes from the conditions API); the mean-field methods
assume a Gaussian voltage. These functions only measure.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch
from scipy import stats

from lifstab import measure
from lifstab.lif import RecurrentLIF


class VoltageStats(NamedTuple):
    """Statistics of ``v - threshold`` over steps after ``burn_in`` (all neurons and batch elements).

    ``ks_gaussian``: Kolmogorov-Smirnov distance to the Gaussian with the same mean and std;
    ``ks_uniform``: to the uniform law on ``[low, high]`` (the given range, or the 0.1 / 99.9 percentiles);
    ``inside``: fraction of values in ``[low, high]``."""

    mean: float
    std: float
    skewness: float
    ks_gaussian: float
    ks_uniform: float
    low: float
    high: float
    inside: float


class CurrentStats(NamedTuple):
    """Variances (over time, neurons and batch, after ``burn_in``) of the input current ``x @ w_in``
    and the recurrent current ``z_{t-1} @ w_rec``, and the firing rate."""

    input_variance: float
    recurrent_variance: float
    firing_rate: float


def voltage_stats(layer: RecurrentLIF, trajectory: measure.Trajectory, burn_in: int = 0,
                  voltage_range: tuple[float, float] | None = None, max_values: int = 200_000,
                  seed: int = 0) -> VoltageStats:
    """Centred-voltage statistics of a recorded forward pass (``max_values`` random values are used
    for the KS distances)."""
    T = trajectory.voltages.shape[0]
    if not 0 <= burn_in < T:
        raise ValueError(f"burn_in must be in [0, {T}), got {burn_in}")
    u = (trajectory.voltages[burn_in:] - layer.threshold.detach()).reshape(-1).numpy()
    rng = np.random.default_rng(seed)
    sample = rng.choice(u, size=min(max_values, u.size), replace=False)
    mean, std = float(u.mean()), float(u.std())
    low, high = voltage_range if voltage_range is not None else np.percentile(u, [0.1, 99.9])
    if not high > low:
        raise ValueError(f"voltage_range must have low < high, got {(low, high)}")
    ks_gauss = stats.kstest(sample, "norm", args=(mean, std if std > 0 else 1.0)).statistic
    ks_unif = stats.kstest(sample, "uniform", args=(low, high - low)).statistic
    return VoltageStats(mean, std, float(stats.skew(u)), float(ks_gauss), float(ks_unif), float(low), float(high),
                        float(np.mean((u >= low) & (u <= high))))


def current_stats(layer: RecurrentLIF, x: torch.Tensor, trajectory: measure.Trajectory, burn_in: int = 0) -> CurrentStats:
    """Input and recurrent current variances of a recorded forward pass on inputs ``x``."""
    T = trajectory.voltages.shape[0]
    if not 0 <= burn_in < T:
        raise ValueError(f"burn_in must be in [0, {T}), got {burn_in}")
    with torch.no_grad():
        external = x @ layer.w_in
        recurrent = trajectory.currents - external - (0 if layer.bias is None else layer.bias)
    return CurrentStats(float(external[burn_in:].var()), float(recurrent[burn_in:].var()),
                        measure.firing_rate(trajectory.spikes[burn_in:]))
