"""What :func:`lifstab.conditions.recommend` is asked, as small frozen objects: the layer
(:class:`LayerSpec`), the statistics of its inputs (:class:`InputStatistics`), how Conditions I-IV are
solved (:class:`ConditionOptions`) and the route to the sharpness (:class:`RouteOptions`). Each checks
its fields when made (``ValueError`` naming the field); :func:`settings_from_keywords` builds them from
``recommend``'s keywords."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import torch

from ..lif import RecurrentLIF
from ..surrogates import Surrogate, family_info
from .common import (MAX_MAGNITUDE, _check_float, _check_int, _check_reset, _check_variant, _to_numpy,
                     input_statistics, resolve_decay)
from .edge import (DAMPENING_SOURCES, DEFAULT_EDGE_METHOD, DEFAULT_EDGE_TAIL, SHARPNESS_METHODS, _probe_inputs,
                   edge_margin_for)


def _set(obj, **fields) -> None:
    """Store checked values in a frozen dataclass (its ``__post_init__``)."""
    for name, value in fields.items():
        object.__setattr__(obj, name, value)


@dataclass(frozen=True, eq=False)
class LayerSpec:
    """The layer: ``n_in`` inputs, ``n_rec`` recurrent LIF neurons with decay alpha in (0, 1)
    (from a time constant: :func:`lifstab.conditions.resolve_decay`), threshold, reset, surrogate family
    (and the tail of q_pseudo_spike, when fixed), and its weights when given: ``w_in`` (n_in x n_rec) and
    ``w_rec`` (n_rec x n_rec; current = x @ w_in + z @ w_rec; the diagonal never acts and is zeroed)."""

    n_in: int
    n_rec: int
    decay: float
    threshold: float
    reset: str = "subtractive"
    detach_reset: bool = True
    family: str = "exponential"
    tail: float | None = None
    w_in: np.ndarray | None = None
    w_rec: np.ndarray | None = None

    def __post_init__(self):
        n_in, n_rec = _check_int("n_in", self.n_in, 1), _check_int("n_rec", self.n_rec, 2)
        _set(self, n_in=n_in, n_rec=n_rec, decay=_check_float("decay", self.decay, 0.0, 1.0),
             threshold=_check_float("threshold", self.threshold, 0.0, MAX_MAGNITUDE, high_open=False),
             reset=_check_reset(self.reset), detach_reset=bool(self.detach_reset))
        if self.tail is not None:
            if not family_info(self.family).has_tail:
                raise ValueError(f"tail={self.tail!r} given, but family={self.family!r} has no tail")
            _set(self, tail=_check_float("tail", self.tail, 1.0))
        family_info(self.family)
        if self.w_in is not None:
            _set(self, w_in=_to_numpy(self.w_in, "w_in", (n_in, n_rec)))
        if self.w_rec is not None:
            _set(self, w_rec=_to_numpy(self.w_rec, "w_rec", (n_rec, n_rec)) * (1 - np.eye(n_rec)))

    def to_layer(self) -> RecurrentLIF:
        """A float64 :class:`lifstab.RecurrentLIF` (no bias) with these weights (both must be given), for
        the edge route to probe; q_pseudo_spike gets ``tail`` or :data:`DEFAULT_EDGE_TAIL`."""
        edge_tail = (self.tail if self.tail is not None else DEFAULT_EDGE_TAIL) if family_info(
            self.family).has_tail else None
        layer = RecurrentLIF(self.n_in, self.n_rec, tau=-1.0 / math.log(self.decay), threshold=self.threshold,
                             reset=self.reset, detach_reset=self.detach_reset,
                             surrogate=Surrogate(self.family, tail=edge_tail), bias=False, dtype=torch.float64)
        with torch.no_grad():
            layer.w_in.copy_(torch.as_tensor(self.w_in))
            layer.w_rec.copy_(torch.as_tensor(self.w_rec) * layer.rec_mask)
        return layer


@dataclass(frozen=True)
class InputStatistics:
    """The inputs x: mean and variance (default: spikes Bernoulli(1/2); measured from example inputs
    by :meth:`from_inputs`), and the variance of the zero-mean input weights (None: measured from
    ``LayerSpec.w_in`` when given, else Glorot's 2/(n_in + n_rec))."""

    mean: float = 0.5
    var: float = 0.25
    weight_variance: float | None = None

    def __post_init__(self):
        _set(self, mean=_check_float("input_mean", self.mean, -MAX_MAGNITUDE, MAX_MAGNITUDE, False, False),
             var=_check_float("input_var", self.var, 0.0, low_open=False))
        if self.weight_variance is not None:
            _set(self, weight_variance=_check_float("input_weight_variance", self.weight_variance, 0.0,
                                                    low_open=False))

    @classmethod
    def from_inputs(cls, inputs, weight_variance: float | None = None) -> InputStatistics:
        """Mean and variance of example ``inputs`` (a tensor or array)."""
        return cls(*input_statistics(inputs), weight_variance)

    def weight_variance_for(self, layer: LayerSpec) -> float:
        """The input weight variance: given, else that of ``layer.w_in``, else Glorot's."""
        if self.weight_variance is not None:
            return self.weight_variance
        return float(layer.w_in.var()) if layer.w_in is not None else 2.0 / (layer.n_in + layer.n_rec)


@dataclass(frozen=True)
class ConditionOptions:
    """How the conditions are solved: the ``variant`` ("exact" or the "paper"'s), Condition I's firing
    rate ``target_rate`` (None: :func:`lifstab.conditions.default_target_rate`; exact variant only) and the
    dampening Condition IV is solved at (``iv_dampening``; None: Condition III's; E[SG^2] <= dampening^2,
    so a small dampening can leave IV without a root)."""

    variant: str = "exact"
    target_rate: float | None = None
    iv_dampening: float | None = None

    def __post_init__(self):
        _check_variant(self.variant)
        if self.iv_dampening is not None:
            _set(self, iv_dampening=_check_float("iv_dampening", self.iv_dampening, 0.0))


@dataclass(frozen=True, eq=False)
class RouteOptions:
    """The route to the sharpness (:mod:`lifstab.conditions`): ``"condition_iv"`` (the paper's) or
    ``"edge"``, which needs the layer's weights and example inputs ``probe_inputs`` ``(T >= 16, B, n_in)``
    and takes ``edge_margin`` (None: :func:`lifstab.conditions.edge_margin_for` the method) times the
    critical sharpness of ``edge_method``. ``dampening_source``: ``"unit"`` (the edge route's default) or
    ``"condition_iii"`` (the only choice on the Condition IV route)."""

    sharpness_method: str = "condition_iv"
    dampening_source: str | None = None
    probe_inputs: object = None
    edge_margin: float | None = None
    edge_method: str = DEFAULT_EDGE_METHOD

    def __post_init__(self):
        edge = self.sharpness_method == "edge"
        if self.sharpness_method not in SHARPNESS_METHODS:
            raise ValueError(f"sharpness_method={self.sharpness_method!r} must be one of {list(SHARPNESS_METHODS)}")
        if self.dampening_source is None:
            _set(self, dampening_source="unit" if edge else "condition_iii")
        if self.dampening_source not in DAMPENING_SOURCES:
            raise ValueError(f"dampening_source={self.dampening_source!r} must be one of {list(DAMPENING_SOURCES)}")
        if not edge and self.dampening_source != "condition_iii":
            raise ValueError("dampening_source='unit' needs sharpness_method='edge' (Condition IV is solved at "
                             "Condition III's dampening, or iv_dampening)")
        if edge:
            _set(self, edge_margin=edge_margin_for(self.edge_method, self.edge_margin))

    def probe(self, layer: LayerSpec, inputs=None) -> torch.Tensor:
        """The edge route's example inputs for ``layer`` (``probe_inputs``, else ``inputs`` if shaped so),
        checked; the layer's weights must be given."""
        if layer.w_in is None or layer.w_rec is None:
            raise ValueError("sharpness_method='edge' needs w_in and w_rec (the layer to probe)")
        return _probe_inputs(self.probe_inputs, inputs, layer.n_in)


class Settings(NamedTuple):
    """Everything :func:`lifstab.conditions.recommend` is asked."""

    layer: LayerSpec
    statistics: InputStatistics
    options: ConditionOptions
    route: RouteOptions


def settings_from_keywords(n_in: int, n_rec: int, *, tau=None, decay=None, threshold, reset: str = "subtractive",
                           detach_reset: bool = True, input_mean=None, input_var=None, inputs=None,
                           family: str = "exponential", tail=None, w_in=None, w_rec=None, variant: str = "exact",
                           input_weight_variance=None, iv_dampening=None, sharpness_method: str = "condition_iv",
                           probe_inputs=None, dampening_source: str | None = None, edge_margin: float | None = None,
                           edge_method: str = DEFAULT_EDGE_METHOD, target_rate=None) -> Settings:
    """The settings objects from :func:`lifstab.conditions.recommend`'s keywords: exactly one of ``tau``
    or ``decay``; ``inputs`` (example inputs) or ``input_mean``/``input_var``; on the edge route,
    ``probe_inputs`` default to ``inputs`` when shaped ``(T >= 16, B, n_in)``."""
    n_in, n_rec = _check_int("n_in", n_in, 1), _check_int("n_rec", n_rec, 2)
    layer = LayerSpec(n_in, n_rec, resolve_decay(tau, decay), threshold, reset, detach_reset, family, tail,
                      w_in, w_rec)
    options = ConditionOptions(variant, target_rate, iv_dampening)
    route = RouteOptions(sharpness_method, dampening_source, probe_inputs, edge_margin, edge_method)
    if route.sharpness_method == "edge":
        route = RouteOptions(sharpness_method, route.dampening_source, route.probe(layer, inputs), route.edge_margin,
                             edge_method)
    statistics = InputStatistics(*input_statistics(inputs, input_mean, input_var), input_weight_variance)
    return Settings(layer, statistics, options, route)
