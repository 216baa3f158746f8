"""Initialisations of the spiking layers: the layers' own default, the theory's recommendation
(Conditions I-IV through ``lifstab.stable_init_``) and the condition ablation (subsets of I-IV
through ``lifstab.recommend``).

This is the only module that touches the conditions API, so adapting to it happens here. Contract
assumed (``lifstab.conditions``):

- ``lifstab.stable_init_(layer, inputs=None, input_mean=None, input_var=None, family=None,
  variant="exact", seed=None)`` applies Conditions I-IV in place;
- ``lifstab.recommend(layer, inputs=..., family=..., variant=...)`` returns a Recommendation with
  ``recurrent_mean, recurrent_std, dampening, sharpness, tail, feasible``.
"""

from __future__ import annotations

import torch

import lifstab

INITS = ("default", "recommended")

#: ablation name -> the conditions applied
CONDITION_SETS: dict[str, tuple[str, ...]] = {
    "none": (),
    "I": ("I",),
    "II": ("II",),
    "III": ("III",),
    "IV": ("IV",),
    "I+II": ("I", "II"),
    "I+II+III": ("I", "II", "III"),
    "all": ("I", "II", "III", "IV"),
}

CONDITIONS_MISSING = "lifstab.conditions not merged yet"


def conditions_available() -> bool:
    return hasattr(lifstab, "stable_init_") and hasattr(lifstab, "recommend")


def _require_conditions(what: str) -> None:
    if not conditions_available():
        raise ValueError(f"{what} needs lifstab.stable_init_ and lifstab.recommend ({CONDITIONS_MISSING})")


def spiking_layers(model: torch.nn.Module) -> list[lifstab.RecurrentLIF]:
    """The model's LIF/ALIF layers in order (empty for models without them)."""
    return [m for m in getattr(model, "layers", []) if isinstance(m, lifstab.RecurrentLIF)]


def _layer_inputs(model: torch.nn.Module, sample: torch.Tensor):
    """Yield (layer, its input on ``sample``) in order, running each layer after it was initialised."""
    h = model.encoder(sample) if hasattr(model, "encoder") else sample
    for layer in spiking_layers(model):
        yield layer, h
        with torch.no_grad():
            h = layer(h)


def _set_recurrent_moments(layer: lifstab.RecurrentLIF, mean: float | None, std: float | None) -> None:
    """Shift (Condition I) and/or rescale (Condition II) the off-diagonal recurrent weights."""
    with torch.no_grad():
        w, mask = layer.w_rec, layer.rec_mask.bool()
        values = w[mask]
        centred = values - values.mean()
        if std is not None:
            centred = centred / centred.std() * float(std)
        w[mask] = centred + (values.mean() if mean is None else float(mean))


def _recommend(layer: lifstab.RecurrentLIF, inputs: torch.Tensor, family: str):
    return lifstab.recommend(layer, inputs=inputs, family=family, variant="exact")


def apply_condition_set(layer: lifstab.RecurrentLIF, conditions: tuple[str, ...], inputs: torch.Tensor) -> dict:
    """Apply a subset of Conditions I-IV to one layer in place; returns what was set.

    I and II (weights) go first; the recommendation is then recomputed, because III (dampening)
    and IV (sharpness or tail) depend on the weights in place.
    """
    family = layer.surrogate.family
    rec = _recommend(layer, inputs, family)
    _set_recurrent_moments(layer, rec.recurrent_mean if "I" in conditions else None,
                           rec.recurrent_std if "II" in conditions else None)
    applied = {"feasible": bool(rec.feasible)}
    if {"III", "IV"} & set(conditions):
        rec = _recommend(layer, inputs, family)
        changes = {}
        if "III" in conditions:
            changes["dampening"] = rec.dampening
        if "IV" in conditions and rec.feasible:
            changes["tail" if layer.surrogate.info.has_tail else "sharpness"] = (
                rec.tail if layer.surrogate.info.has_tail else rec.sharpness)
        layer.surrogate = layer.surrogate.replace(**changes)
        applied["feasible"] = bool(rec.feasible)
    return applied


def initialise(model: torch.nn.Module, init: str, conditions: str | None, sample: torch.Tensor, seed: int) -> dict:
    """Initialise ``model``'s spiking layers; ``sample`` is one training batch (time-major).

    Returns notes for the result row (feasibility of Condition IV: when it has no root, sharpness
    or tail is left as it was and ``feasible`` is False).
    """
    layers = spiking_layers(model)
    if init == "default" and conditions in (None, "none"):
        return {}
    if not layers:
        raise ValueError(f"init={init!r} / conditions={conditions!r} need a LIF or ALIF model")
    if init == "recommended":
        _require_conditions("init='recommended'")
        for i, (layer, inputs) in enumerate(_layer_inputs(model, sample)):
            lifstab.stable_init_(layer, inputs=inputs, family=layer.surrogate.family, variant="exact", seed=seed + i)
        return {}
    _require_conditions(f"conditions={conditions!r}")
    feasible = [apply_condition_set(layer, CONDITION_SETS[conditions], inputs)["feasible"]
                for layer, inputs in _layer_inputs(model, sample)]
    return {"feasible": all(feasible)}


def recommend_first_layer(model: torch.nn.Module, sample: torch.Tensor):
    """The conditions' Recommendation for the first spiking layer of ``model`` on ``sample``."""
    _require_conditions("predicted values")
    layer, inputs = next(_layer_inputs(model, sample))
    return _recommend(layer, inputs, layer.surrogate.family)
