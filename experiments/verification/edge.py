"""Measuring the critical sharpness ``beta_c`` of real torch LIF networks (docs/theory.md section 7).

For each seed: build the protocol's network, inputs and readout (:func:`lifstab.protocol.build`), record
one forward pass (it does not depend on the sharpness), then run the exact backward recursion for a
batch of sharpness values at once (:func:`lifstab.measure.gradient_norms_over_sharpness`, equal to
autograd). ``ln rho`` is averaged over seeds; ``beta_c`` is where the average crosses 0, searched in
log sharpness over 1e-3..1e3 (:func:`lifstab.stability.find_log_root`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from lifstab import measure
from lifstab.protocol import EdgeConfig, build
from lifstab.stability import SHARPNESS_RANGE, find_log_root


@dataclass
class SeedRun:
    """One seed's recorded forward pass and what the backward recursion needs."""

    layer: object
    trajectory: measure.Trajectory
    readout: torch.Tensor
    x: torch.Tensor

    def gradient_norms(self, sharpness) -> torch.Tensor:
        return measure.gradient_norms_over_sharpness(self.layer, self.trajectory, sharpness, self.readout)


@dataclass
class EdgeMeasurement:
    """Measured ``beta_c`` (None when rho does not cross 1 in range) with the evaluated ``ln rho``."""

    critical_sharpness: float | None
    reason: str
    log_growth: dict[float, float] = field(default_factory=dict)
    firing_rate: float = float("nan")


def seed_runs(config: EdgeConfig, seeds, weights=None) -> list[SeedRun]:
    runs = []
    for seed in seeds:
        layer, x, r = build(config, seed, weights)
        runs.append(SeedRun(layer, measure.record(layer, x), r, x))
    return runs


def mean_log_growth(runs: list[SeedRun], sharpness) -> np.ndarray:
    """``ln rho`` averaged over the seeds' runs, for each sharpness."""
    logs = [measure.log_growth_factor(run.gradient_norms(sharpness)).numpy() for run in runs]
    return np.mean(logs, axis=0)


def measure_critical_sharpness(config: EdgeConfig, seeds=(0, 1, 2, 3), weights=None,
                               runs: list[SeedRun] | None = None, sharpness_range=SHARPNESS_RANGE) -> EdgeMeasurement:
    """The measured critical sharpness of ``config`` (bisection-like search in log sharpness, ``ln rho``
    averaged over ``seeds``)."""
    runs = seed_runs(config, seeds, weights) if runs is None else runs
    root, reason, seen = find_log_root(lambda b: mean_log_growth(runs, b), *sharpness_range)
    rate = float(np.mean([measure.firing_rate(run.trajectory.spikes) for run in runs]))
    return EdgeMeasurement(root, reason, seen, rate)
