"""The edge route to the sharpness: a margin times the critical sharpness of
:func:`lifstab.stability.critical_sharpness` on example inputs, measured by replay or predicted by dmft
(the route and its measured margins are described in :mod:`lifstab.conditions`)."""

from __future__ import annotations

import copy
import dataclasses
import math
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import torch

from ..lif import RecurrentLIF
from ..surrogates import FAMILIES, Surrogate
from .common import _check_float

if TYPE_CHECKING:
    from .recommendation import Recommendation

#: routes to the sharpness (:mod:`lifstab.conditions`)
SHARPNESS_METHODS = ("edge", "condition_iv")
DAMPENING_SOURCES = ("unit", "condition_iii")
#: how the edge route finds the edge (a :data:`lifstab.stability.METHODS` name): "replay" measures it on
#: the example inputs (the layer's own backward recursion replayed for every sharpness on one forward pass);
#: "dmft" predicts it (:mod:`lifstab.conditions`)
DEFAULT_EDGE_METHOD = "replay"
#: edge methods that measure (run the layer's backward recursion) rather than predict
MEASURED_EDGE_METHODS = ("replay",)
#: the edge route's sharpness is this many times the critical sharpness, per method when not given:
#: replay's edge is measured, so 1 (rho = 1 on the inputs, whatever their length); dmft underestimated the
#: edge of the quick digits networks' first layer about twofold (:mod:`lifstab.conditions`), so 2
EDGE_MARGINS = {"replay": 1.0, "dmft": 2.0}
#: the margin of the default method
EDGE_MARGIN = EDGE_MARGINS[DEFAULT_EDGE_METHOD]


def edge_margin_for(method: str, margin: float | None = None) -> float:
    """``margin`` (validated), or the method's default (:data:`EDGE_MARGINS`, else 1)."""
    if margin is None:
        return EDGE_MARGINS.get(method, 1.0)
    return _check_float("edge_margin", margin, 0.0)


#: the tail of q_pseudo_spike on the edge route when none is given
DEFAULT_EDGE_TAIL = 2.0


class EdgeChoice(NamedTuple):
    """The edge route's sharpness: ``margin`` times the critical sharpness, or, where rho does not
    cross 1 in the searched range (``feasible`` False, ``reason`` says which side), the end of the range
    closest to rho = 1 (the smallest sharpness when rho < 1 everywhere). ``critical_sharpness`` and
    ``rho`` are *measured* when ``method`` runs the layer's backward recursion (``"replay"``, see
    :data:`MEASURED_EDGE_METHODS`) and *predicted* otherwise (``"dmft"``): :attr:`kind` says which."""

    sharpness: float
    critical_sharpness: float | None
    margin: float
    rho: float  # rho at ``sharpness``, measured or predicted (``kind``)
    feasible: bool
    reason: str
    method: str
    tail: float | None = None  # q_pseudo_spike: the fixed tail the sharpness was chosen at

    @property
    def kind(self) -> str:
        """"measured" (the method ran a backward pass on the inputs) or "predicted"."""
        return "measured" if self.method in MEASURED_EDGE_METHODS else "predicted"

    @property
    def predicted_rho(self) -> float:
        """``rho`` under its former name, kept for older callers (measured, not predicted, for replay)."""
        return self.rho

    def to_json(self) -> dict:
        """The fields, ``kind``, and ``predicted_rho`` (the former key of ``rho``, kept for older readers)."""
        return {**self._asdict(), "kind": self.kind, "predicted_rho": self.rho}



def _probe_inputs(probe_inputs, inputs, n_in: int) -> torch.Tensor:
    """The edge route's example inputs ``(T, B, n_in)``: ``probe_inputs``, else ``inputs`` if shaped so."""
    x = inputs if probe_inputs is None else probe_inputs
    name = "inputs" if probe_inputs is None else "probe_inputs"
    if x is None:
        raise ValueError("sharpness_method='edge' needs example inputs: probe_inputs (T, B, n_in)")
    x = torch.as_tensor(x.detach() if isinstance(x, torch.Tensor) else np.asarray(x, float))
    if x.ndim != 3 or x.shape[-1] != n_in or x.shape[0] < 16:  # 16: the predictor's growth window
        raise ValueError(f"{name} must have shape (T >= 16, B, n_in={n_in}) for the edge route, got {tuple(x.shape)}")
    if not torch.all(torch.isfinite(x)):
        raise ValueError(f"{name} contains NaN or inf")
    return x


#: how many sharpness values (log-spaced over the range) are tried where rho does not cross 1
NO_EDGE_GRID = 25


def _nearest_edge(layer, x, method, probe, low: float, high: float, reason: str) -> float:
    """Where rho does not cross 1 in the range: the sharpness of a log-spaced grid whose rho is nearest 1.
    With a detached reset that is an end of the range (rho falls with the sharpness); with the reset
    attached the reset's term grows with the surrogate's width and can cancel the leak, so rho need not be
    monotone and the widest surrogate can be the farthest from the edge."""
    from ..stability import predicted_log_growth

    grid = np.geomspace(low, high, NO_EDGE_GRID)
    log_rho = np.abs(predicted_log_growth(layer, x, grid, method=method, probe=probe))
    if not np.any(np.isfinite(log_rho)):  # nothing measurable: the end the reason points to
        return low if reason.startswith("stable") else high
    return float(grid[np.nanargmin(np.where(np.isfinite(log_rho), log_rho, np.nan))])


def edge_choice(layer: RecurrentLIF, x: torch.Tensor, margin: float | None = None,
                method: str = DEFAULT_EDGE_METHOD) -> EdgeChoice:
    """The edge route's sharpness for ``layer`` (its family, dampening and tail) driven by ``x``:
    ``margin`` (default :func:`edge_margin_for` the method) times the critical sharpness."""
    from ..stability import SHARPNESS_RANGE, critical_sharpness, forward_probe, predicted_log_growth

    margin = edge_margin_for(method, margin)
    probe = forward_probe(layer, x)
    prediction = critical_sharpness(layer, x, method=method, probe=probe)
    low, high = SHARPNESS_RANGE
    if prediction.feasible:
        value = float(np.clip(margin * prediction.critical_sharpness, low, high))
    else:
        value = _nearest_edge(layer, x, method, probe, low, high, prediction.reason)
    log_rho = float(predicted_log_growth(layer, x, [value], method=method, probe=probe)[0])
    tail = layer.surrogate.tail if layer.surrogate.info.has_tail else None
    return EdgeChoice(value, prediction.critical_sharpness, float(margin), math.exp(log_rho), prediction.feasible,
                      prediction.reason, method, tail)


def with_edge(rec: Recommendation, layer: RecurrentLIF, x: torch.Tensor, dampening_source: str = "unit",
              margin: float | None = None, method: str = DEFAULT_EDGE_METHOD) -> Recommendation:
    """``rec`` on the edge route: ``layer`` (a copy is probed, with the dampening of
    ``dampening_source``) and inputs ``x`` set the sharpness (:mod:`lifstab.conditions`)."""
    if dampening_source not in DAMPENING_SOURCES:
        raise ValueError(f"dampening_source={dampening_source!r} must be one of {list(DAMPENING_SOURCES)}")
    probe_layer = copy.deepcopy(layer).double()
    applied = np.ones(rec.n_rec) if dampening_source == "unit" else None
    damp = rec.dampening if applied is None else applied
    surrogate = probe_layer.surrogate
    if surrogate.family != rec.family:
        surrogate = Surrogate(rec.family, tail=DEFAULT_EDGE_TAIL if FAMILIES[rec.family].has_tail else None)
    probe_layer.surrogate = surrogate.replace(dampening=torch.as_tensor(damp, dtype=torch.float64))
    choice = edge_choice(probe_layer, torch.as_tensor(x, dtype=torch.float64), margin, method)
    reasons = dict(rec.reasons)
    if not choice.feasible:
        reasons["edge"] = f"no edge of stability in the searched sharpness range: {choice.reason}"
    return dataclasses.replace(rec, sharpness_method="edge", edge=choice, applied_dampening=applied, reasons=reasons)
