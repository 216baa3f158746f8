"""Measurements and assertions for users' own tests: "this network's gradients neither explode nor vanish".

A *module* here is any ``torch.nn.Module`` (or callable) that, called as ``module(inputs,
return_voltages=True)``, returns its membrane voltages as the last element of a tuple: either a list of
the ``T`` per-step tensors or one tensor stacked over time with ``torch.stack`` (what
:class:`lifstab.RecurrentLIF` and most hand-written loops do). The gradient of
``L = sum(v_T * r)`` with respect to every ``v_t`` is then read off the autograd graph, exactly as in
docs/theory.md section 7, without changing the module.
"""

from __future__ import annotations

import copy
import math
from typing import NamedTuple, Sequence

import torch
from torch.autograd.graph import GradientEdge

from .. import measure
from ..edge_keeping import paused
from ..lif import RecurrentLIF


def _check_inputs(inputs: torch.Tensor) -> None:
    if not isinstance(inputs, torch.Tensor) or inputs.ndim < 2 or inputs.numel() == 0:
        raise ValueError("inputs must be a non-empty time-major tensor (T, B, ...)")
    if inputs.device.type == "meta" or (inputs.is_floating_point() and not bool(torch.isfinite(inputs).all())):
        raise ValueError("inputs must hold finite values")


def _check_module(module) -> None:
    if not callable(module):
        raise ValueError(f"module must be a torch.nn.Module or a callable, got {type(module).__name__}")


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
    with paused():  # a measurement: an attached edge keeper must not step on these forward passes
        return _gradient_norms(module, inputs, readout_seed)


def _gradient_norms(module, inputs: torch.Tensor, readout_seed: int) -> torch.Tensor:
    from .. import adapters
    if adapters.is_peer(module):  # a snntorch, norse or spikingjelly layer: its library's own forward pass
        return adapters.gradient_norms(module, inputs, readout_seed)
    _check_module(module)
    if type(module) is RecurrentLIF:
        # lifstab's own layer: its fast path returns voltages from one fused autograd node
        try:
            return measure.gradient_norms(module, inputs, seed=readout_seed)
        except ValueError as err:  # the layer names its input x
            raise ValueError(f"inputs: {err}") from None
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

    ``firing_rate`` (Condition I aims at its target rate, 1/2 by default), ``variance_ratio`` =
    Var(recurrent current) / Var(input current) (II aims at 1), ``max_row_sum`` of the one-step Jacobian
    (reported; III is a worst-case gain balance, not this), ``row_second_moment`` (IV aims at 1) and
    ``leak_row_second_moment``, the row second moment with the surrogate switched off (the leak's part,
    e.g. alpha^2 for a detached subtractive reset, which IV's surrogate has to complete to 1)."""

    firing_rate: float
    variance_ratio: float
    max_row_sum: float
    row_second_moment: float
    leak_row_second_moment: float = math.nan


#: the surrogate's dampening is scaled by this to measure the Jacobian without it (SG is linear in it)
_NO_SURROGATE = 1e-9


def layer_statistics(layer: RecurrentLIF, inputs: torch.Tensor) -> LayerStatistics:
    """Measure :class:`LayerStatistics` of ``layer`` on ``inputs`` (one forward pass, no gradients)."""
    _check_inputs(inputs)
    trajectory = measure.record(layer, inputs)
    with torch.no_grad():
        input_current = inputs @ layer.w_in
        z_prev = torch.cat([torch.zeros_like(trajectory.spikes[:1]), trajectory.spikes[:-1]])
        recurrent_current = z_prev @ layer.recurrent_weight()
    jac = measure.jacobian_stats(layer, trajectory)
    quiet = copy.deepcopy(layer)  # the forward pass does not depend on the surrogate: same trajectory
    quiet.surrogate = layer.surrogate.replace(dampening=layer.surrogate.dampening * _NO_SURROGATE)
    return LayerStatistics(
        firing_rate=measure.firing_rate(trajectory.spikes),
        variance_ratio=float(recurrent_current.var() / input_current.var()),
        max_row_sum=jac.max_row_sum,
        row_second_moment=jac.row_second_moment,
        leak_row_second_moment=measure.jacobian_stats(quiet, trajectory).row_second_moment,
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


#: the checks of each route of :func:`lifstab.stable_init_` (``Recommendation.sharpness_method``)
ROUTE_CHECKS = {"condition_iv": ("I", "II", "III", "IV"), "edge": ("I", "II", "edge")}
CHECKS = ("I", "II", "III", "IV", "edge")


def _relative(value: float, target: float, scale: float | None = None) -> float:
    return abs(value - target) / abs(target if scale is None else scale)


def _check_i_ii(stats: LayerStatistics, target_rate: float, tolerance: float, wanted) -> list[str]:
    failures = []
    if "I" in wanted and _relative(stats.firing_rate, target_rate) > tolerance:
        advice = ("lower the recurrent weight mean or raise the threshold" if stats.firing_rate > target_rate
                  else "raise the recurrent weight mean or lower the threshold")
        failures.append(f"Condition I: firing rate measured {stats.firing_rate:.4g}, expected the target rate "
                        f"{target_rate:g} within {tolerance:.0%}; {advice}")
    if "II" in wanted and _relative(stats.variance_ratio, 1.0) > tolerance:
        advice = "lower" if stats.variance_ratio > 1 else "raise"
        failures.append(f"Condition II: recurrent / input current variance measured {stats.variance_ratio:.4g}, "
                        f"expected 1 within {tolerance:.0%}; {advice} the recurrent weight std")
    return failures


def _check_iii(layer: RecurrentLIF, tolerance: float) -> list[str]:
    """Condition III is the paper's worst-case gain balance (a bound over the voltage range, not the
    largest row sum measured on the inputs): the surrogate's dampening must be Condition III's, computed
    from the layer's own recurrent weights."""
    from ..conditions import condition_iii

    w = layer.recurrent_weight().detach().double().cpu()  # current = z @ w: column i feeds neuron i
    wanted = condition_iii(layer.decay.detach().double().cpu().numpy(), float(layer.threshold.detach().double().mean()),
                           w.clamp(min=0).sum(0).numpy(), w.clamp(max=0).sum(0).numpy(), layer.reset)
    have = torch.as_tensor(layer.surrogate.dampening, dtype=torch.float64).cpu().expand(layer.n_rec).numpy()
    error = float(max(abs(h / w_ - 1) if math.isfinite(w_) and w_ > 0 else math.inf for h, w_ in zip(have, wanted)))
    if error <= tolerance:
        return []
    return [f"Condition III: the surrogate's dampening (mean {have.mean():.4g}) differs from Condition III's "
            f"(from the layer's recurrent weights, mean {wanted[wanted > 0].mean() if (wanted > 0).any() else math.nan:.4g}) "
            f"by up to {error:.3g} relative, tolerance {tolerance:.0%}; set it with lifstab.stable_init_"]


def _check_iv(stats: LayerStatistics, tolerance: float, recommendation) -> list[str]:
    """Condition IV: the measured row second moment is 1, within ``tolerance`` of the part the surrogate
    supplies (1 - the leak's part), so that the leak alone (alpha^2 near 1) cannot pass."""
    if recommendation is not None and not recommendation.feasible["IV"]:
        return [f"Condition IV: no root ({recommendation.reasons.get('IV')}); the surrogate keeps a fallback shape"]
    supplied = 1.0 - stats.leak_row_second_moment
    error = _relative(stats.row_second_moment, 1.0, supplied if abs(supplied) > 1e-12 else 1e-12)
    if error <= tolerance:
        return []
    advice = ("raise the sharpness (or the tail q)" if stats.row_second_moment > 1
              else "lower the sharpness (or the tail q)")
    return [f"Condition IV: mean one-step Jacobian row second moment measured {stats.row_second_moment:.4g}, "
            f"expected 1; the leak alone gives {stats.leak_row_second_moment:.4g}, so the surrogate's part is off "
            f"by {error:.3g} of the {supplied:.4g} it should supply (tolerance {tolerance:.0%}); {advice}"]


def _check_edge(layer: RecurrentLIF, inputs: torch.Tensor, tolerance: float, recommendation) -> list[str]:
    """The edge route: rho measured on ``inputs`` against the rho the route chose (1 for the replay
    method at margin 1, measured on the probe inputs; the dmft prediction at its margin)."""
    edge = recommendation.edge
    if not edge.feasible:
        return [f"edge route: no edge of stability was found ({edge.reason})"]
    rho = growth_factor(layer, inputs)
    if _relative(rho, edge.rho) <= tolerance:
        return []
    source = "measured on the probe inputs" if edge.method == "replay" else f"predicted by {edge.method}"
    return [f"edge route: rho measured {rho:.4g} on these inputs, expected {edge.rho:.4g} ({source} at "
            f"margin {edge.margin:g} x beta_c) within {tolerance:.0%} (rho_tolerance, per step)"]


def assert_conditions_hold(layer: RecurrentLIF, inputs: torch.Tensor, tolerance: float = 0.25,
                           conditions: Sequence[str] | None = None, recommendation=None,
                           rho_tolerance: float = 0.02) -> LayerStatistics:
    """Assert that ``layer`` has, on ``inputs``, what the route of :func:`lifstab.stable_init_` that set it
    up aims at; ``recommendation`` is what ``stable_init_`` returned (None: the Condition IV route with
    the target rate 1/2). ``conditions`` (default :data:`ROUTE_CHECKS` of the route) picks from:

    - ``"I"`` (both routes, when ``stable_init_`` drew the weights, ``weights="conditions"``): the measured
      firing rate is the recommendation's target rate;
    - ``"II"`` (the same): Var(recurrent current) / Var(input current) measured is 1;
    - ``"III"`` (Condition IV route): the surrogate's dampening is Condition III's from the layer's own
      weights (a worst-case gain balance: the largest row sum measured on inputs is not what it bounds);
    - ``"IV"`` (Condition IV route): the measured Jacobian row second moment is 1, the tolerance taken
      relative to the part the surrogate supplies beyond the leak (so that the leak alone fails); fails
      where Condition IV had no root;
    - ``"edge"`` (edge route): rho measured on ``inputs`` (at least 16 steps) is the rho the route chose:
      1 for ``edge_method="replay"`` at margin 1 (a measured edge), dmft's predicted rho at its margin,
      within ``rho_tolerance`` relative (rho is per step: 2% compounds to a factor e^{+-1} over 50 steps,
      so ``tolerance`` would be far too loose for it).

    Returns the :class:`LayerStatistics`; raises ``AssertionError`` naming the route and each failure."""
    for name, value in (("tolerance", tolerance), ("rho_tolerance", rho_tolerance)):
        if isinstance(value, bool) or not (isinstance(value, (int, float)) and 0 < value < math.inf):
            raise ValueError(f"{name} must be a positive number, got {value!r}")
    route = "condition_iv" if recommendation is None else getattr(recommendation, "sharpness_method", None)
    if route not in ROUTE_CHECKS:
        raise ValueError(f"recommendation must be what lifstab.stable_init_ returned, got {recommendation!r}")
    kept = recommendation is not None and bool(getattr(recommendation, "reasons", {}).get("weights"))
    if conditions is None:  # weights kept (stable_init_'s default): I and II were reported, not applied
        conditions = tuple(c for c in ROUTE_CHECKS[route] if not (kept and c in ("I", "II")))
    conditions = tuple(conditions)
    unknown = [c for c in conditions if c not in CHECKS]
    if unknown or not conditions or ("edge" in conditions and route != "edge"):
        raise ValueError(f"conditions={list(conditions)!r}: choose from {list(CHECKS)} ('edge' needs a "
                         "recommendation from the edge route)")
    stats = layer_statistics(layer, inputs)
    target_rate = 0.5 if recommendation is None else recommendation.target_rate
    failures = _check_i_ii(stats, target_rate, tolerance, conditions)
    if "III" in conditions:
        failures += _check_iii(layer, tolerance)
    if "IV" in conditions:
        failures += _check_iv(stats, tolerance, recommendation)
    if "edge" in conditions:
        failures += _check_edge(layer, inputs, rho_tolerance, recommendation)
    if failures:
        raise AssertionError(f"stable_init_'s {route} route: " + "; ".join(failures))
    return stats
