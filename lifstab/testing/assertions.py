"""Measurements and assertions for users' own tests: "this network's gradients neither explode nor vanish".

A *module* here is any ``torch.nn.Module`` (or callable) that, called as ``module(inputs,
return_voltages=True)``, returns its membrane voltages as the last element of a tuple: either a list of
the ``T`` per-step tensors or one tensor stacked over time with ``torch.stack`` (what
:class:`lifstab.RecurrentLIF` and most hand-written loops do). The gradient of
``L = sum(v_T * r)`` with respect to every ``v_t`` is then read off the autograd graph, exactly as in
docs/theory.md section 7, without changing the module.
"""

from __future__ import annotations

import math
from typing import NamedTuple, Sequence

import torch
from torch.autograd.graph import GradientEdge

from .. import measure
from ..lif import RecurrentLIF


def _check_inputs(inputs: torch.Tensor) -> None:
    if not isinstance(inputs, torch.Tensor) or inputs.ndim < 2 or inputs.numel() == 0:
        raise ValueError("inputs must be a non-empty time-major tensor (T, B, ...)")


def _voltage_edges(module, inputs: torch.Tensor) -> tuple[list, torch.Tensor]:
    """Autograd edges of v_1..v_T and the tensor v_T."""
    try:
        out = module(inputs, return_voltages=True)
    except TypeError as exc:
        if "return_voltages" not in str(exc):
            raise
        out = None
    voltages = out[-1] if isinstance(out, tuple) and out else None
    if isinstance(voltages, (list, tuple)) and voltages and all(isinstance(v, torch.Tensor) for v in voltages):
        if not voltages[-1].requires_grad:
            raise ValueError("module: its voltages are not attached to an autograd graph")
        return list(voltages), voltages[-1]
    if not isinstance(voltages, torch.Tensor):
        raise ValueError("module must expose voltages: module(inputs, return_voltages=True) should return a "
                         "tuple whose last element is the voltages (a list of per-step tensors, or a tensor "
                         "stacked over time)")
    node = voltages.grad_fn
    if node is None or type(node).__name__ != "StackBackward0":
        raise ValueError("module: its voltages tensor was not built by torch.stack over time steps "
                         f"(grad_fn {type(node).__name__ if node else None}); return the list of per-step "
                         "voltages instead (for lifstab layers other than RecurrentLIF, build them with "
                         "implementation=\"reference\")")
    return [GradientEdge(fn, nr) for fn, nr in node.next_functions], voltages[-1]


def gradient_norms(module, inputs: torch.Tensor, readout_seed: int = 0) -> torch.Tensor:
    """``g_t = ||dL/dv_t||`` for ``t = 1..T`` with ``L = sum(v_T * r)``, ``r`` standard normal from
    ``readout_seed``. Returns a ``(T,)`` tensor."""
    _check_inputs(inputs)
    if type(module) is RecurrentLIF:
        # lifstab's own layer: its fast path returns voltages from one fused autograd node
        return measure.gradient_norms(module, inputs, seed=readout_seed)
    edges, v_last = _voltage_edges(module, inputs)
    r = measure.readout(v_last.shape, readout_seed, v_last.dtype, v_last.device)
    loss = (v_last * r).sum()
    grads = torch.autograd.grad(loss, edges, allow_unused=True)
    return torch.stack([torch.zeros((), dtype=loss.dtype) if g is None else g.detach().norm() for g in grads])


def growth_factor(module, inputs: torch.Tensor, readout_seed: int = 0) -> float:
    """Per-step growth factor rho of the squared BPTT gradient norm (docs/theory.md section 7) on ``inputs``."""
    g = gradient_norms(module, inputs, readout_seed)
    if g.shape[0] < 16:
        raise ValueError(f"inputs must have at least 16 time steps to measure rho, got {g.shape[0]}")
    return float(torch.exp(measure.log_growth_factor(g)))


class LayerStatistics(NamedTuple):
    """What Conditions I-IV aim at, measured on a :class:`~lifstab.RecurrentLIF` at initialisation.

    ``firing_rate`` (Condition I aims at 1/2), ``variance_ratio`` = Var(recurrent current) /
    Var(input current) (II aims at 1), ``max_row_sum`` of the one-step Jacobian (III aims at 1) and
    ``row_second_moment`` (IV aims at 1)."""

    firing_rate: float
    variance_ratio: float
    max_row_sum: float
    row_second_moment: float


def layer_statistics(layer: RecurrentLIF, inputs: torch.Tensor) -> LayerStatistics:
    """Measure :class:`LayerStatistics` of ``layer`` on ``inputs`` (one forward pass, no gradients)."""
    _check_inputs(inputs)
    trajectory = measure.record(layer, inputs)
    with torch.no_grad():
        input_current = inputs @ layer.w_in
        z_prev = torch.cat([torch.zeros_like(trajectory.spikes[:1]), trajectory.spikes[:-1]])
        recurrent_current = z_prev @ layer.recurrent_weight()
    jac = measure.jacobian_stats(layer, trajectory)
    return LayerStatistics(
        firing_rate=measure.firing_rate(trajectory.spikes),
        variance_ratio=float(recurrent_current.var() / input_current.var()),
        max_row_sum=jac.max_row_sum,
        row_second_moment=jac.row_second_moment,
    )


def _check_band(band: Sequence[float]) -> tuple[float, float]:
    try:
        lower, upper = (float(b) for b in band)
    except (TypeError, ValueError):
        raise ValueError(f"band must be a (lower, upper) pair, got {band!r}") from None
    if not (0 < lower < upper) or math.isinf(lower):
        raise ValueError(f"band must satisfy 0 < lower < upper, got {band!r}")
    return lower, upper


def assert_gradient_stable(module, inputs: torch.Tensor, horizon: int | None = None,
                           band: Sequence[float] = (0.1, 10.0), readout_seed: int = 0) -> float:
    """Assert that over ``horizon`` steps of backpropagation through time (default: the length of
    ``inputs``) the gradient norm changes by a factor inside ``band``.

    The factor is ``rho ** (horizon / 2)`` with rho the measured per-step growth of the squared norm.
    Returns rho. Raises ``AssertionError`` saying what was measured, what was expected and which knob to
    turn which way.
    """
    lower, upper = _check_band(band)
    _check_inputs(inputs)
    horizon = inputs.shape[0] if horizon is None else horizon
    if not isinstance(horizon, int) or horizon < 1:
        raise ValueError(f"horizon must be a positive integer, got {horizon!r}")
    rho = growth_factor(module, inputs, readout_seed)
    factor = rho ** (horizon / 2)
    if lower <= factor <= upper:
        return rho
    if factor > upper:
        verdict = "explode"
        advice = ("make the surrogate narrower or lower: raise sharpness, lower dampening (or raise tail q), "
                  "or scale the recurrent weights down")
    else:
        verdict = "vanish"
        advice = ("make the surrogate wider or higher: lower sharpness, raise dampening (or lower tail q), "
                  "or scale the recurrent weights up")
    raise AssertionError(
        f"gradients {verdict}: measured per-step growth of the squared gradient norm rho = {rho:.4g}, so over "
        f"horizon = {horizon} steps the gradient norm changes by {factor:.3g}, outside the expected band "
        f"[{lower:g}, {upper:g}] (rho would need to lie in [{lower ** (2 / horizon):.4g}, "
        f"{upper ** (2 / horizon):.4g}]). To fix: {advice}."
    )


#: condition -> (LayerStatistics field, target, what it means, knob advice when too high, too low)
_CONDITIONS = {
    "I": ("firing_rate", 0.5, "firing rate",
          "lower the recurrent weight mean or raise the threshold",
          "raise the recurrent weight mean or lower the threshold"),
    "II": ("variance_ratio", 1.0, "recurrent / input current variance",
           "lower the recurrent weight std", "raise the recurrent weight std"),
    "III": ("max_row_sum", 1.0, "largest one-step Jacobian row sum",
            "lower the dampening", "raise the dampening"),
    "IV": ("row_second_moment", 1.0, "mean one-step Jacobian row second moment",
           "raise the sharpness (or the tail q)", "lower the sharpness (or the tail q)"),
}


def assert_conditions_hold(layer: RecurrentLIF, inputs: torch.Tensor, tolerance: float = 0.25,
                           conditions: Sequence[str] = ("I", "II", "III", "IV")) -> LayerStatistics:
    """Assert that the measured quantities Conditions I-IV aim at are within ``tolerance`` (relative) of
    their targets. Returns the :class:`LayerStatistics`."""
    if not (isinstance(tolerance, (int, float)) and tolerance > 0):
        raise ValueError(f"tolerance must be a positive number, got {tolerance!r}")
    unknown = [c for c in conditions if c not in _CONDITIONS]
    if unknown or not conditions:
        raise ValueError(f"conditions={list(conditions)!r}: choose from {list(_CONDITIONS)}")
    stats = layer_statistics(layer, inputs)
    failures = []
    for c in conditions:
        field, target, meaning, too_high, too_low = _CONDITIONS[c]
        value = getattr(stats, field)
        if abs(value / target - 1) > tolerance:
            advice = too_high if value > target else too_low
            failures.append(f"Condition {c}: {meaning} measured {value:.4g}, expected {target:g} "
                            f"within {tolerance:.0%}; {advice}")
    if failures:
        raise AssertionError("; ".join(failures))
    return stats
