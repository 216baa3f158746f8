"""``recommend``: Conditions I-IV for one layer, from the settings objects (:mod:`.settings`) or the
keywords they are built from."""

from __future__ import annotations

import math

import numpy as np

from .common import K
from .weights_i_ii import ConditionsIAndII, conditions_i_and_ii
from .dampening_iii import layer_dampening, layer_sums
from .shape_iv import layer_shape
from .edge import with_edge
from .recommendation import Recommendation
from .settings import ConditionOptions, InputStatistics, LayerSpec, RouteOptions, settings_from_keywords


def recommend(n_in: int | LayerSpec | None = None, n_rec: int | None = None, *, layer: LayerSpec | None = None,
              statistics: InputStatistics | None = None, options: ConditionOptions | None = None,
              route: RouteOptions | None = None, **keywords) -> Recommendation:
    """Conditions I-IV for a layer (docs/theory.md section 4), asked either with the settings objects,
    ``recommend(layer=LayerSpec(n_in, n_rec, decay, threshold, ...), statistics=InputStatistics(...),
    options=ConditionOptions(...), route=RouteOptions(...))`` (the last three optional; the layer may also
    come first, ``recommend(LayerSpec(...), ...)``), or with keywords, ``recommend(n_in, n_rec, tau=20,
    threshold=1.0, ...)``, which :func:`settings_from_keywords` turns into those objects: ``tau``/``decay``,
    ``threshold``, ``reset``, ``detach_reset``, ``family``, ``tail``, ``w_in``, ``w_rec`` (the layer);
    ``inputs`` or ``input_mean``/``input_var``, ``input_weight_variance`` (the input statistics);
    ``variant``, ``target_rate``, ``iv_dampening`` (the conditions); ``sharpness_method``,
    ``probe_inputs``, ``dampening_source``, ``edge_margin``, ``edge_method`` (the route).

    Inputs ``x`` have mean/variance ``input_mean``/``input_var`` (or measured from ``inputs``;
    spikes Bernoulli(1/2) by default). The input weights are zero-mean with variance
    ``input_weight_variance``: measured from ``w_in`` when given, else Glorot's 2/(n_in + n_rec).
    I and II come from those statistics (:func:`conditions_i_and_ii`: the exact variant solves I for
    the firing rate ``target_rate`` for multiplicative resets); III and IV are per neuron, from ``w_in`` (n_in x n_rec) and
    ``w_rec`` (n_rec x n_rec; current = x @ w_in + z @ w_rec) when given, else from the expected
    sums under the recommended Gaussian weights. IV is solved in sharpness (``tail`` fixed, for
    q_pseudo_spike) or, for q_pseudo_spike without ``tail``, in tail at sharpness 1, with the
    dampening of Condition III (or ``iv_dampening`` when given: E[SG^2] <= dampening^2, so a small
    dampening can leave IV without a root).

    Condition III cannot bind on a neuron without positive recurrent input (no positive feedback):
    such neurons are reported (``dampening_feasible``, ``reasons["III"]``) and get the layer's median
    feasible dampening (1 when no neuron is feasible).

    ``sharpness_method="edge"`` (:mod:`lifstab.conditions`) needs ``w_in``, ``w_rec`` and example inputs
    ``probe_inputs`` (``(T, B, n_in)``, ``T >= 16``; default ``inputs`` when it has that shape): the
    layer is rebuilt from them (no bias) and probed; Condition IV is still solved and reported.
    ``dampening_source`` is ``"unit"`` (default on the edge route) or ``"condition_iii"`` (the only
    choice on the Condition IV route).
    """
    if isinstance(n_in, LayerSpec) and layer is None:
        n_in, layer = None, n_in
    if layer is None:
        if statistics is not None or options is not None or route is not None:
            raise ValueError("statistics, options and route go with layer=LayerSpec(...); with n_in and n_rec "
                             "give keywords")
        return _recommend(*settings_from_keywords(n_in, n_rec, **keywords))
    if not isinstance(layer, LayerSpec):
        raise ValueError(f"layer must be a LayerSpec, got {type(layer).__name__}")
    if n_in is not None or n_rec is not None or keywords:
        raise ValueError(f"layer=LayerSpec(...) is given: put n_in, n_rec and the keywords {sorted(keywords)} "
                         f"in the settings objects")
    return _recommend(layer, statistics or InputStatistics(), options or ConditionOptions(), route or RouteOptions())


def _recommend(layer: LayerSpec, statistics: InputStatistics, options: ConditionOptions,
               route: RouteOptions) -> Recommendation:
    """Conditions I-IV in turn, then the edge route when asked."""
    probe = route.probe(layer) if route.sharpness_method == "edge" else None
    var_u = statistics.weight_variance_for(layer)
    first, std, residual_ii = _conditions_i_ii(layer, statistics, options, var_u)
    sums = layer_sums(layer.n_in, layer.n_rec, layer.w_in, layer.w_rec, first.recurrent_mean, std, var_u)
    third = layer_dampening(layer.decay, layer.threshold, sums, layer.reset)
    # IV at the dampening the surrogate gets on this route, unless iv_dampening is given
    damp_iv = third.dampening if options.iv_dampening is None else np.full(layer.n_rec, options.iv_dampening)
    fourth = layer_shape(layer.family, layer.reset, options.variant, layer.detach_reset, layer.decay,
                         layer.threshold, sums, damp_iv, layer.tail)
    var_w = first.recurrent_variance
    residuals = {"I": first.residual, "II": residual_ii, "III": third.residual, "IV": fourth.residual}
    feasible = {"I": first.feasible, "II": var_w >= 0, "III": bool(third.per_neuron.all()),
                "IV": bool(fourth.solution.feasible.all())}
    reason_ii = "" if var_w >= 0 else (f"the input current variance is too small for the recurrent mean "
                                       f"{first.recurrent_mean:.3g}: sigma_W^2 would be {var_w:.3g} < 0; std 0 "
                                       f"(closest) is reported")
    reasons = {key: reason for key, reason in zip(("I", "II", "III", "IV"),
                                                  (first.reason, reason_ii, third.reason, fourth.reason)) if reason}
    rec = Recommendation(
        n_in=layer.n_in, n_rec=layer.n_rec, decay=layer.decay, threshold=layer.threshold, reset=layer.reset,
        detach_reset=layer.detach_reset, family=layer.family, variant=options.variant, input_mean=statistics.mean,
        input_var=statistics.var, input_weight_variance=var_u, recurrent_mean=first.recurrent_mean,
        recurrent_std=std, dampening=third.dampening, sharpness=fourth.sharpness, tail=fourth.tail,
        tail_per_neuron=fourth.tail_per_neuron, voltage_min=fourth.voltage_min, voltage_max=fourth.voltage_max,
        residuals=residuals, feasible=feasible, reasons=reasons, from_weights=layer.w_rec is not None,
        iv_feasible=fourth.solution.feasible, dampening_feasible=third.per_neuron, target_rate=first.target_rate,
        condition_i_form=first.form,
    )
    if probe is None:
        return rec
    return with_edge(rec, layer.to_layer(), probe, route.dampening_source, route.edge_margin, route.edge_method)


def _conditions_i_ii(layer: LayerSpec, statistics: InputStatistics, options: ConditionOptions,
                     var_u: float) -> tuple[ConditionsIAndII, float, float]:
    """Conditions I and II, the recurrent weight std (0 where II cannot be met) and II's |residual|."""
    first = conditions_i_and_ii(layer.n_in, layer.n_rec, layer.decay, layer.threshold, layer.reset, options.variant,
                                statistics.mean, statistics.var, var_u, options.target_rate)
    mu = first.recurrent_mean
    std = math.sqrt(max(first.recurrent_variance, 0.0))
    second_x = statistics.var + statistics.mean**2
    residual = abs(float(K[f"variance_balance_{options.variant}"](layer.n_in, layer.n_rec, second_x, var_u, mu,
                                                                   std**2)))
    return first, std, residual
