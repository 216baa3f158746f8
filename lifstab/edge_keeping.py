"""Keeping the edge of stability during training.

Stability at initialisation is lost within the first training steps: as the layers start firing, the
surrogate gradient is evaluated nearer the threshold and the measured per-step growth ``rho`` of the
squared BPTT gradient climbs from 1 to 1.5-1.9 (docs/long_horizon.md). The forward pass does
not depend on the surrogate's sharpness, so the sharpness can be re-set at any time without changing
what the network computes: :func:`keep_edge_` measures, on a batch of the current inputs, the sharpness
at which each layer's ``rho`` equals ``target_rho`` and writes it into the layer. ``rho`` is measured,
not predicted: the layer's own backward recursion is replayed on one forward pass
(:func:`lifstab.stability.replay_log_growth`).

:class:`EdgeKeeper` calls it every ``every`` optimiser steps and keeps the history.
"""

from __future__ import annotations

import contextlib
import math
from typing import NamedTuple, Sequence

import numpy as np
import torch

from .lif import RecurrentLIF
from .stability import SHARPNESS_RANGE, find_log_root, forward_probe, replay_log_growth


#: what :func:`keep_edge_` re-sets: the surrogate's width (``sharpness``) or its height (``dampening``)
KNOBS = ("sharpness", "dampening")
#: the range of dampening factors searched by the ``dampening`` knob
DAMPENING_FACTORS = (1e-4, 1e2)


class KeptEdge(NamedTuple):
    """One layer after :func:`keep_edge_`: the value written to ``knob`` (None: left as it was) and why."""

    value: float | None
    target_rho: float
    reason: str
    knob: str = "sharpness"


def keepable(layer) -> bool:
    """Whether an :class:`EdgeKeeper` can measure ``layer``'s edge: a recurrent lifstab LIF or ALIF layer,
    its reset detached or attached (the replay runs each layer's own backward recursion)."""
    return isinstance(layer, RecurrentLIF) and layer.w_rec is not None


def _check_layers(layers) -> list[RecurrentLIF]:
    single = isinstance(layers, torch.nn.Module) and not isinstance(layers, (torch.nn.Sequential, torch.nn.ModuleList))
    layers = [layers] if single else list(layers)
    if not layers:
        raise ValueError("layers must hold at least one lifstab.RecurrentLIF")
    for i, layer in enumerate(layers):
        if not keepable(layer):
            raise ValueError(f"layers[{i}] must be a recurrent lifstab.RecurrentLIF or RecurrentALIF, got "
                             f"{type(layer).__name__}{' without recurrence' if isinstance(layer, RecurrentLIF) else ''}")
    return layers


def check_knob(knob: str) -> str:
    """``knob`` must be one of :data:`KNOBS`."""
    if knob not in KNOBS:
        raise ValueError(f"knob={knob!r} is unknown; choose one of {list(KNOBS)}")
    return knob


def _positive(name: str, value) -> float:
    """``value`` as a float that is finite and > 0; a ValueError naming ``name`` otherwise."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(number) or number <= 0:
        raise ValueError(f"{name} must be finite and > 0, got {value!r}")
    return number


def check_target_rho(target_rho: float) -> float:
    """``target_rho`` must be finite and > 0 (1 is the edge; below 1 a finite gradient horizon)."""
    return _positive("target_rho", target_rho)


def check_sharpness_floor(value) -> float:
    """A keeper's ``sharpness_floor``: a finite number > 0."""
    return _positive("sharpness_floor", value)


#: a warm start first measures rho at ``near / NEAR_FACTOR`` and ``near * NEAR_FACTOR``
NEAR_FACTOR = 1.25
#: ... then at ``root / CHECK_FACTOR`` and ``root * CHECK_FACTOR`` around the root interpolated from them
CHECK_FACTOR = 1.03
#: the farthest (as a factor of ``near``) the first pair's line may be followed outside the pair
NEAR_REACH = 4.0


def _crossing(betas: np.ndarray, values: np.ndarray) -> float | None:
    """The sharpness where the line through two (ln beta, ln rho - ln target) points is 0; None unless
    it falls (ln rho decreasing in beta) and the values are finite."""
    (b0, b1), (f0, f1) = np.log(betas), values
    if not (np.isfinite(f0) and np.isfinite(f1)) or f1 >= f0:
        return None
    return float(np.exp(b0 + (b1 - b0) * f0 / (f0 - f1)))


def _warm_root(log_growth, near: float, low: float, high: float, passes: int = 4) -> float | None:
    """The crossing near the last one, by measured pairs (a secant in ln beta): a pair a factor
    :data:`NEAR_FACTOR` either side of ``near`` gives a first root along its line; then pairs a factor
    :data:`CHECK_FACTOR` either side of the latest root, until one brackets the crossing (rho above the
    target below it, at or under above it) and the root is interpolated inside it. None when no pair of
    the first ``passes`` brackets it or a line leaves reach (the caller searches the whole range)."""
    estimate, width = near, NEAR_FACTOR
    for _ in range(passes):
        pair = np.array([estimate / width, estimate * width])
        values = np.asarray(log_growth(pair), dtype=float)
        root = _crossing(pair, values)
        if width == CHECK_FACTOR and values[0] > 0 >= values[1]:
            return root
        if root is None or not (near / NEAR_REACH < root < near * NEAR_REACH and low < root < high):
            return None
        estimate, width = root, CHECK_FACTOR
    return None


@torch.no_grad()
def _root(layer: RecurrentLIF, probe, target: float, knob: str, sharpness_range, readouts: int,
          near: float | None = None):
    """(value for ``knob`` with measured rho = ``target``, or None; reason). With ``near`` (the last value
    found) the sharpness is first searched in a narrow bracket around it; the whole range is searched when
    rho does not cross the target there."""
    if knob == "sharpness":
        def log_growth(b):
            return replay_log_growth(layer, probe, torch.as_tensor(b), readouts=readouts).numpy() - math.log(target)

        low, high = sharpness_range
        root = None if near is None else _warm_root(log_growth, near, low, high)
        if root is not None:
            return root, ""
        root, reason, _ = find_log_root(log_growth, low, high)
        return root, reason
    beta = float(torch.as_tensor(layer.surrogate.sharpness).double().mean())
    # ln rho grows with the dampening: search its inverse, where it falls through the target
    root, reason, _ = find_log_root(
        lambda inverse: replay_log_growth(layer, probe, torch.full((len(inverse),), beta), readouts=readouts,
                                          dampening_scale=1.0 / torch.as_tensor(inverse)).numpy() - math.log(target),
        1.0 / DAMPENING_FACTORS[1], 1.0 / DAMPENING_FACTORS[0])
    if root is None:
        return None, reason
    return float(torch.as_tensor(layer.surrogate.dampening).double().mean()) / root, reason


def keep_edge_(layers: RecurrentLIF | Sequence[RecurrentLIF], x: torch.Tensor, target_rho: float = 1.0,
               sharpness_range: tuple[float, float] = SHARPNESS_RANGE, readouts: int = 4,
               knob: str = "sharpness", near: Sequence[float | None] | None = None) -> list[KeptEdge]:
    """Set each layer's surrogate sharpness (or, with ``knob="dampening"``, its dampening) so that its
    measured ``rho`` on ``x`` is ``target_rho``.

    ``layers`` is a stack (layer ``k`` is driven by the spikes of layer ``k - 1``; the first by ``x``,
    time-major ``(T >= 16, B, n_in)``). A layer whose ``rho`` does not cross ``target_rho`` inside
    the searched range keeps its surrogate (the reason says which side it is on). Only the surrogate
    changes; weights and the forward pass do not. A per-neuron dampening or sharpness becomes one value.
    ``near`` (one value or None per layer: the sharpness found last time) starts the sharpness search from
    it: pairs of measured values (:func:`_warm_root`; 4 values in two passes when rho moved little) instead of
    25 in three; the whole range is searched where that does not bracket the crossing.
    """
    layers, target, knob = _check_layers(layers), check_target_rho(target_rho), check_knob(knob)
    if not isinstance(x, torch.Tensor) or x.dim() != 3 or x.shape[0] < 16 or x.shape[-1] != layers[0].n_in:
        raise ValueError(f"x must be a (T >= 16, B, {layers[0].n_in}) tensor, got "
                         f"{tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__}")
    near = [None] * len(layers) if near is None else list(near)
    if len(near) != len(layers):
        raise ValueError(f"near must hold one value (or None) per layer ({len(layers)}), got {len(near)}")
    kept = []
    for i, layer in enumerate(layers):
        value, reason = _root(layer, forward_probe(layer, x), target, knob, sharpness_range, readouts, near[i])
        if value is not None:
            layer.surrogate = layer.surrogate.replace(**{knob: float(value)})
        kept.append(KeptEdge(value, target, reason, knob))
        if i + 1 < len(layers):  # the next layer's inputs
            x = layer(x)
    return kept


def value_of(layer: RecurrentLIF, knob: str = "sharpness") -> float:
    """The layer's surrogate sharpness or dampening (its mean over neurons when per-neuron)."""
    return float(torch.as_tensor(getattr(layer.surrogate, knob)).detach().double().mean())


class EdgeKeeper:
    """Re-set the sharpness (or dampening: ``knob``) of ``layers`` to the measured edge every ``every``
    training steps.

    Call :meth:`step` once per optimiser step with a batch of the first layer's inputs; ``history``
    holds ``(step, [value per layer])`` for every re-set.
    """

    def __init__(self, layers: Sequence[RecurrentLIF], target_rho: float = 1.0, every: int = 5,
                 probe_batch: int = 16, knob: str = "sharpness", sharpness_floor: float | None = None) -> None:
        self.layers, self.knob = _check_layers(layers), check_knob(knob)
        self.target_rho = check_target_rho(target_rho)
        if sharpness_floor is not None and knob != "sharpness":
            raise ValueError(f"sharpness_floor needs knob='sharpness', got knob={knob!r}")
        #: never re-set the sharpness below this (``never_wider``: rho held at *most* ``target_rho``)
        self.sharpness_floor = None if sharpness_floor is None else check_sharpness_floor(sharpness_floor)
        if not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be a positive integer, got {every!r}")
        if not isinstance(probe_batch, int) or probe_batch < 1:
            raise ValueError(f"probe_batch must be a positive integer, got {probe_batch!r}")
        self.every, self.probe_batch = every, probe_batch
        self.steps = self.skipped = 0
        self.history: list[tuple[int, list[float | None]]] = []

    def step(self, x: torch.Tensor) -> list[KeptEdge] | None:
        """Count one training step; on every ``every``-th (the first included) re-set the edge on ``x``.
        Sequences shorter than the 16 steps a measurement needs leave the edge as it is (``skipped`` counts
        them)."""
        kept = None
        if self.steps % self.every == 0 and isinstance(x, torch.Tensor) and x.dim() == 3 and x.shape[0] < 16:
            self.skipped += 1
        elif self.steps % self.every == 0:
            kept = keep_edge_(self.layers, x[:, : self.probe_batch].detach(), self.target_rho, knob=self.knob,
                              near=self._near())
            if self.sharpness_floor is not None:
                kept = [self._floored(layer, k) for layer, k in zip(self.layers, kept)]
            self.history.append((self.steps, [value_of(layer, self.knob) for layer in self.layers]))
        self.steps += 1
        return kept

    def _floored(self, layer: RecurrentLIF, kept: KeptEdge) -> KeptEdge:
        """``kept`` with the sharpness raised to :attr:`sharpness_floor` where it fell below it."""
        if kept.value is None or kept.value >= self.sharpness_floor:
            return kept
        layer.surrogate = layer.surrogate.replace(sharpness=float(self.sharpness_floor))
        return kept._replace(value=float(self.sharpness_floor),
                             reason=f"{kept.reason}; raised to sharpness_floor={self.sharpness_floor:g}".lstrip("; "))

    def _near(self) -> list[float | None] | None:
        """Warm start from the second re-set on: each layer's current sharpness (where the last re-set put it,
        or left it when rho did not cross the target)."""
        if self.knob != "sharpness" or not self.history:
            return None
        return [value_of(layer) for layer in self.layers]


#: how many :func:`paused` blocks are open (attached keepers do nothing while it is > 0)
_PAUSED = [0]


@contextlib.contextmanager
def paused():
    """Attached edge keepers do not step inside this block: for measurements that run a layer forward in
    training mode with autograd (``lifstab.measure``, ``lifstab.testing``) and must not change it."""
    _PAUSED[0] += 1
    try:
        yield
    finally:
        _PAUSED[0] -= 1


class _KeepOnForward:
    """A forward pre-hook: one :meth:`EdgeKeeper.step` per training-mode forward pass with autograd on,
    outside :func:`paused`. Inputs shorter than the 16 steps a measurement needs are passed over."""

    def __init__(self, keeper: EdgeKeeper) -> None:
        self.keeper = keeper

    def __call__(self, module, args) -> None:
        if _PAUSED[0] or not (module.training and torch.is_grad_enabled() and args
                              and isinstance(args[0], torch.Tensor)):
            return
        if args[0].dim() == 3 and args[0].shape[0] >= 16:
            with torch.no_grad():  # the keeper's own forward passes do not step it again
                self.keeper.step(args[0])


def attach_edge_keeper(layer: RecurrentLIF, target_rho: float, every: int = 5, probe_batch: int = 16,
                       knob: str = "sharpness", sharpness_floor: float | None = None) -> EdgeKeeper:
    """Keep ``layer``'s measured rho at ``target_rho`` in any training loop: an :class:`EdgeKeeper` of the
    layer alone, stepped by a forward pre-hook on each training-mode forward pass with autograd on (its
    inputs are the probe). A keeper attached before is detached first. :func:`detach_edge_keeper` removes
    it; :func:`edge_keeper_of` finds it. A snntorch, norse or spikingjelly layer or ``(Linear, neuron)``
    pair gets a :class:`lifstab.adapters.keeping.PeerEdgeKeeper` (sharpness only). ``sharpness_floor``: the
    keeper never re-sets the sharpness below it (rho is then held at most at ``target_rho``)."""
    if _is_peer(layer):
        from .adapters.keeping import attach_peer_edge_keeper
        if check_knob(knob) != "sharpness":
            raise ValueError(f"knob={knob!r}: a peer layer's keeper re-sets the sharpness only")
        return attach_peer_edge_keeper(layer, target_rho, every, probe_batch, sharpness_floor=sharpness_floor)
    keeper = EdgeKeeper([layer], target_rho, every, probe_batch, knob, sharpness_floor)
    detach_edge_keeper(layer)
    layer.register_forward_pre_hook(_KeepOnForward(keeper))
    return keeper


def _is_peer(layer) -> bool:
    if isinstance(layer, RecurrentLIF):
        return False
    from .adapters import library_of
    return library_of(layer) is not None


def _module(layer) -> torch.nn.Module:
    """The module a keeper of ``layer`` hooks (a peer layer's entry module, :mod:`lifstab.adapters.keeping`)."""
    if _is_peer(layer):
        from .adapters import adapt
        return adapt(layer).entry()
    return layer


def _hooks(layer: torch.nn.Module) -> dict:
    return {key: hook for key, hook in layer._forward_pre_hooks.items() if isinstance(hook, _KeepOnForward)}


def edge_keeper_of(layer: torch.nn.Module) -> EdgeKeeper | None:
    """The :class:`EdgeKeeper` attached to ``layer`` (by :func:`attach_edge_keeper` or
    :func:`lifstab.stable_init_`), or None."""
    hooks = list(_hooks(_module(layer)).values())
    return hooks[0].keeper if hooks else None


def detach_edge_keeper(layer: torch.nn.Module) -> EdgeKeeper | None:
    """Remove the edge keeper attached to ``layer``; returns it (None when there was none)."""
    layer = _module(layer)
    keeper = edge_keeper_of(layer)
    for key in _hooks(layer):
        del layer._forward_pre_hooks[key]
    return keeper


__all__ = ["KNOBS", "KeptEdge", "keep_edge_", "EdgeKeeper", "check_knob", "check_target_rho", "check_sharpness_floor",
           "value_of", "attach_edge_keeper", "edge_keeper_of", "detach_edge_keeper", "paused"]
