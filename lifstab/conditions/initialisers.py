"""The initialisers: ``initialise_`` applies a :class:`Recommendation` to a layer, ``stable_init_``
recommends Conditions I-IV for a layer and applies them."""

from __future__ import annotations

import dataclasses
import math
import warnings

import torch

from ..edge_keeping import attach_edge_keeper, check_target_rho, detach_edge_keeper, keepable
from ..lif import RecurrentLIF
from ..recipe import BY_LAYER, RECIPE, lift_rate_, min_rate_for
from ..surrogates import FAMILIES, Surrogate
from .edge import DEFAULT_EDGE_METHOD, DEFAULT_EDGE_TAIL, SHARPNESS_METHODS, _probe_inputs, with_edge
from .recommendation import Recommendation
from .recommender import recommend


def _layer_decay(layer: RecurrentLIF) -> float:
    return float(layer.decay.detach().double().mean())


def _layer_threshold(layer: RecurrentLIF) -> float:
    return float(layer.threshold.detach().double().mean())


def initialise_(layer: RecurrentLIF, recommendation: Recommendation, seed: int | None = None) -> RecurrentLIF:
    """Apply ``recommendation`` to ``layer`` in place: recurrent weights N(mean, std^2) with zero
    diagonal, input weights N(0, input_weight_variance), zero bias, and the recommended surrogate
    (per-neuron dampening and sharpness, the tail). Reproducible: seeded by ``seed``, else by torch's global
    generator."""
    if not isinstance(layer, RecurrentLIF):
        raise ValueError(f"layer must be a lifstab.RecurrentLIF or RecurrentALIF, got {type(layer).__name__}")
    if not isinstance(recommendation, Recommendation):
        raise ValueError("recommendation must be a lifstab.conditions.Recommendation")
    if (layer.n_in, layer.n_rec) != (recommendation.n_in, recommendation.n_rec):
        raise ValueError(f"recommendation is for n_in={recommendation.n_in}, n_rec={recommendation.n_rec}; "
                         f"layer has n_in={layer.n_in}, n_rec={layer.n_rec}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise ValueError(f"seed must be a non-negative int or None, got {seed!r}")
    # seed=None draws from torch's global generator, so torch.manual_seed makes it reproducible
    gen = torch.Generator(device="cpu").manual_seed(seed) if seed is not None else None
    with torch.no_grad():
        w_in = torch.randn(layer.w_in.shape, generator=gen, dtype=torch.float64) * math.sqrt(
            recommendation.input_weight_variance)
        layer.w_in.copy_(w_in.to(layer.w_in.dtype))
        if layer.w_rec is not None:
            w_rec = recommendation.recurrent_mean + recommendation.recurrent_std * torch.randn(
                layer.w_rec.shape, generator=gen, dtype=torch.float64)
            layer.w_rec.copy_(w_rec.to(layer.w_rec.dtype) * layer.rec_mask)
        if layer.bias is not None:
            layer.bias.zero_()
    layer.surrogate = recommendation.surrogate(layer.surrogate, dtype=layer.w_in.dtype, device=layer.w_in.device)
    return layer


#: where :func:`stable_init_` takes the weights from: the layer as it is, or Conditions I-II
WEIGHT_SOURCES = ("keep", "conditions")
KEPT_WEIGHTS = ("the layer's own weights were kept (weights='keep'; Conditions I-II are reported, not applied: "
                "their weights saturated the layers in training, lifstab.recipe)")


def stable_init_(layer: RecurrentLIF, inputs=None, input_mean=None, input_var=None, family: str | None = None,
                 variant: str = "exact", seed: int | None = None, sharpness_method: str | None = None,
                 probe_inputs=None, dampening_source: str | None = None, edge_margin: float | None = None,
                 edge_method: str = DEFAULT_EDGE_METHOD, target_rate=None, weights: str = RECIPE.weights,
                 keep_edge: float | None = RECIPE.target_rho, min_rate: float | str | None = BY_LAYER,
                 never_wider: bool | None = None) -> Recommendation:
    """Recommend Conditions I-IV for ``layer`` (its decay, threshold, reset, family), set its surrogate
    and keep the edge of stability during training (:mod:`lifstab.recipe` gives the evidence).

    ``weights``: ``"keep"`` (default) keeps the layer's own weights (Conditions I-II are reported, not
    applied); ``"conditions"`` draws them from I and II (``target_rate``: Condition I's firing rate,
    :func:`conditions_i_and_ii`). ``min_rate``: a layer firing below it on the example inputs gets one bias
    offset that lifts its rate to it (:func:`lifstab.recipe.lift_rate_`, ``reasons["rate"]``; None: never;
    ``"recipe"``: 0.02 on lifstab's layers, None on a peer library's, :mod:`lifstab.recipe` has the evidence).
    III and IV are then solved per neuron on the layer's weights.

    ``sharpness_method``: ``"edge"`` (the package doc: the sharpness at ``edge_margin`` times the critical
    sharpness of the initialised layer on ``probe_inputs``, default ``inputs``, shaped ``(T >= 16, B, n_in)``;
    dampening 1 unless ``dampening_source="condition_iii"``) or ``"condition_iv"`` (the paper's route).
    ``None`` (default) takes the edge route when such example inputs are given and the layer is
    recurrent (LIF or ALIF, its reset detached or attached), else Condition IV, and says why in ``reasons["edge"]``.

    ``keep_edge``: the measured rho that an :class:`lifstab.EdgeKeeper` attached to the layer holds during
    training (a forward pre-hook, :func:`lifstab.attach_edge_keeper`; ``reasons["keep_edge"]``); None: none.
    ``never_wider``: True keeps the layer's own surrogate (same family) where the recommended one is wider,
    and the keeper never re-sets it wider (``reasons["never_wider"]``). None (default): False on lifstab's
    layers, True on a peer library's (``RECIPE.peer_never_wider``; :mod:`lifstab.recipe` has the evidence).

    ``layer`` may also be a snntorch, norse or spikingjelly layer, a ``(torch.nn.Linear, neuron)`` pair
    or a list of them, with ``inputs`` those of the first ``Linear`` (:mod:`lifstab.adapters`).
    """
    options = dict(locals())  # the arguments, passed on for a peer library's layer
    if not isinstance(layer, RecurrentLIF):
        from .. import adapters
        if adapters.is_peer(layer):
            return adapters.stable_init_(**options)
        raise ValueError(f"layer must be a lifstab.RecurrentLIF or RecurrentALIF, got {type(layer).__name__}")
    never_wider, min_rate = RECIPE.never_wider if never_wider is None else never_wider, min_rate_for(min_rate, False)
    _check_options(sharpness_method, weights, keep_edge, min_rate, never_wider)
    family = layer.surrogate.family if family is None else family
    previous = layer.surrogate if layer.surrogate.family == family else None
    floor = _mean_sharpness(previous) if never_wider and previous is not None else None
    common = dict(decay=_layer_decay(layer), threshold=_layer_threshold(layer), reset=layer.reset,
                  detach_reset=layer.detach_reset, inputs=inputs, input_mean=input_mean, input_var=input_var,
                  family=family, variant=variant, target_rate=target_rate)
    method, why_not, x = _route(layer, sharpness_method, probe_inputs, inputs)
    variance, notes = _weights_and_rate(layer, common, weights, seed, probe_inputs if probe_inputs is not None
                                        else inputs, min_rate)
    final = recommend(layer.n_in, layer.n_rec, **common, w_in=layer.w_in,
                      w_rec=layer.recurrent_weight(), input_weight_variance=variance)
    final = dataclasses.replace(final, reasons={**final.reasons, **notes})
    if method == "edge":
        _edge_search_surrogate(layer, previous, family)
        final = with_edge(final, layer, x, dampening_source or "unit", edge_margin, edge_method)
    elif dampening_source not in (None, "condition_iii"):
        raise ValueError("dampening_source='unit' needs the edge route")
    elif why_not:
        final = dataclasses.replace(final, reasons={**final.reasons, "edge": why_not})
    layer.surrogate = final.surrogate(previous, dtype=layer.w_in.dtype, device=layer.w_in.device)
    return _keep_edge(layer, _never_wider(layer, final, previous, floor), keep_edge, floor)


def _edge_search_surrogate(layer: RecurrentLIF, previous, family: str) -> None:
    """The surrogate the edge is searched with: the layer's own where it has a tail, else the family's."""
    if previous is not None and previous.info.has_tail:
        layer.surrogate = previous  # the edge is searched at the layer's tail
    elif previous is None:
        layer.surrogate = Surrogate(family, tail=DEFAULT_EDGE_TAIL if FAMILIES[family].has_tail else None)


def _mean_sharpness(surrogate) -> float:
    return float(torch.as_tensor(surrogate.sharpness).detach().double().mean())


def _never_wider(layer: RecurrentLIF, final: Recommendation, previous, floor: float | None) -> Recommendation:
    """Put the layer's own surrogate (``previous``) back where the recommended one is wider than ``floor``."""
    if floor is None or _mean_sharpness(layer.surrogate) >= floor:
        return final
    wider = _mean_sharpness(layer.surrogate)
    layer.surrogate = previous
    return dataclasses.replace(final, reasons={**final.reasons, "never_wider": (
        f"the recommended sharpness {wider:.4g} is wider than the layer's own {floor:.4g}: its own surrogate "
        f"was kept (never_wider=True)")})


def _check_options(sharpness_method, weights, keep_edge, min_rate, never_wider=True) -> None:
    if not isinstance(never_wider, bool):
        raise ValueError(f"never_wider must be True or False, got {never_wider!r}")
    if sharpness_method not in (None, *SHARPNESS_METHODS):
        raise ValueError(f"sharpness_method={sharpness_method!r} must be None or one of {list(SHARPNESS_METHODS)}")
    if weights not in WEIGHT_SOURCES:
        raise ValueError(f"weights={weights!r} must be one of {list(WEIGHT_SOURCES)}")
    if keep_edge is not None:
        try:
            check_target_rho(keep_edge)
        except ValueError as error:
            raise ValueError(f"keep_edge: {error}") from None
    if min_rate is not None and not (isinstance(min_rate, (int, float)) and 0 < min_rate < 1):
        raise ValueError(f"min_rate must lie in (0, 1) or be None, got {min_rate!r}")


def _route(layer: RecurrentLIF, sharpness_method, probe_inputs, inputs):
    """(the route, why the edge route was not taken, the edge route's probe inputs)."""
    if sharpness_method == "condition_iv":
        return "condition_iv", "", None
    try:  # the edge route's requirements, checked before anything changes
        if not keepable(layer):
            raise ValueError("layer: the edge route needs a recurrent layer (w_rec), RecurrentLIF or RecurrentALIF")
        return "edge", "", _probe_inputs(probe_inputs, inputs, layer.n_in)
    except ValueError as error:
        if sharpness_method == "edge":
            raise
        return "condition_iv", str(error), None


def _weights_and_rate(layer: RecurrentLIF, common: dict, weights: str, seed, rate_probe, min_rate):
    """Draw the weights from Conditions I-II (``weights="conditions"``) or keep them, then lift a silent
    layer to ``min_rate``. Returns (the input weights' variance for ``recommend``, notes for ``reasons``)."""
    variance, notes = None, {}
    if weights == "conditions":
        first = recommend(layer.n_in, layer.n_rec, **common)
        with warnings.catch_warnings():  # the surrogate is replaced by the caller, from the drawn weights
            warnings.simplefilter("ignore")
            initialise_(layer, first, seed=seed)  # weights from I and II
        variance = first.input_weight_variance
    else:
        notes["weights"] = KEPT_WEIGHTS
    rate_probe = _sequence_or_none(rate_probe)  # anything else is checked (and named) by recommend below
    if min_rate is not None and rate_probe is not None and layer.bias is None:
        notes["rate"] = f"min_rate={min_rate:g} not applied: the layer has no bias"
    elif min_rate is not None and rate_probe is not None:
        lifted = lift_rate_(layer, rate_probe.to(dtype=layer.w_in.dtype, device=layer.w_in.device), min_rate)
        if lifted is not None:
            notes["rate"] = (f"the layer fired below min_rate={min_rate:g} on the inputs: its bias was raised by "
                             f"{lifted:.4g} (shared by all neurons) to fire at that rate")
    return variance, notes


def _sequence_or_none(x) -> torch.Tensor | None:
    """``x`` as a finite time-major ``(T, B, n)`` tensor, else None."""
    try:
        x = torch.as_tensor(x)
    except (TypeError, ValueError, RuntimeError):
        return None
    if x.dim() != 3 or not x.is_floating_point() and x.dtype != torch.bool or not torch.isfinite(x.float()).all():
        return None
    return x


def _keep_edge(layer: RecurrentLIF, rec: Recommendation, target_rho: float | None,
               floor: float | None = None) -> Recommendation:
    """Attach an edge keeper at ``target_rho`` (never below the sharpness ``floor``) where the layer
    supports one; say what was done."""
    detach_edge_keeper(layer)
    if target_rho is None:
        reason = "no edge keeper attached (keep_edge=None)"
    elif not keepable(layer):
        reason = "no edge keeper attached: keeping the edge needs a recurrent layer (w_rec)"
    else:
        attach_edge_keeper(layer, target_rho, every=RECIPE.keep_every, sharpness_floor=floor)
        rule = (f"at {target_rho:g}" if floor is None else
                f"at most at {target_rho:g}, never below the layer's own sharpness {floor:.4g} (never_wider)")
        reason = (f"an EdgeKeeper holds the measured rho {rule} during training (every "
                  f"{RECIPE.keep_every} training forward passes; lifstab.detach_edge_keeper removes it)")
    return dataclasses.replace(rec, reasons={**rec.reasons, "keep_edge": reason})
