"""Initialisations of the spiking layers: the layers' own default, the theory's recommendation
(``lifstab.stable_init_``: weights from Conditions I and II, the sharpness from the edge of
stability at dampening 1, see ``lifstab.conditions``) and the condition ablation (subsets of I-IV
through ``lifstab.recommend``; IV there means the edge route's sharpness, at the dampening the layer
has: 1, or Condition III's in the arms with III).

This is the only module that touches the conditions API (``lifstab.conditions``, issue 4, written
against the derive branch at 1cd11e9):

- ``lifstab.stable_init_(layer, inputs=None, input_mean=None, input_var=None, family=None,
  variant="exact", seed=None) -> Recommendation`` applies Conditions I-IV in place;
- ``lifstab.recommend(n_in, n_rec, *, decay, threshold, reset, detach_reset, inputs, family, tail,
  w_in, w_rec, variant, input_weight_variance, iv_dampening) -> Recommendation`` with
  ``recurrent_mean, recurrent_std`` (I, II), per-neuron ``dampening`` (III) and ``sharpness`` or
  ``tail`` (IV), ``feasible`` keyed "I".."IV".
"""

from __future__ import annotations

import copy
import math

import torch

import lifstab

INITS = ("default", "recommended", "conditions", "fdi", "paper")
#: stable_init_'s arguments per init: "recommended" is its defaults (lifstab.recipe: the layer's weights, the
#: rate floor, the surrogate at the edge) with the edge kept by the training loop's own EdgeKeeper (so no hook);
#: "conditions" is its route before lifstab.recipe (weights from Conditions I-II, no floor, no keeper)
STABLE_INIT = {"recommended": {"keep_edge": None},
               "conditions": {"weights": "conditions", "keep_edge": None, "min_rate": None, "never_wider": False}}
#: the paper's recipe (docs/theory.md section 8): its neuron (decay e^-10, threshold 0.01, multiplicative_2
#: reset, detached), each frame shown twice, AdamW without weight decay, gradient clip-norm 1; the
#: learning rate 3.16e-4 is the run's (the long-horizon study sets it). Not reproduced: per-neuron
#: trainable tau and threshold, early stopping.
PAPER_NEURON = {"tau": 0.1, "threshold": 0.01, "reset": "multiplicative_2", "time_repeat": 2}
PAPER_CLIP_NORM = 1.0
#: fluctuation-driven initialisation (Rossbroich, Gygax and Zenke 2022): threshold = xi * sigma_U with
#: zero mean drive; the fraction of the voltage variance from feed-forward inputs (the rest from the
#: recurrent ones); the firing rate assumed for spiking inputs between layers (the paper's nu)
FDI_XI, FDI_FEEDFORWARD_FRACTION, FDI_HIDDEN_RATE = 1.0, 0.9, 0.05
#: keyword arguments of ``lifstab.stable_init_``'s edge route for init="recommended"/"conditions" (empty: its defaults;
#: experiments/training/edge_route.py varies them)
EDGE_ROUTE: dict = {}

#: ablation name -> the conditions applied
CONDITION_SETS: dict[str, tuple[str, ...]] = {
    "none": (),
    "I": ("I",),
    "II": ("II",),
    "III": ("III",),
    "IV": ("IV",),
    "I+II": ("I", "II"),
    "I+II+III": ("I", "II", "III"),
    "I+II+IV": ("I", "II", "IV"),  # what init="conditions" applies (IV at dampening 1)
    "all": ("I", "II", "III", "IV"),
}

def spiking_layers(model: torch.nn.Module) -> list[lifstab.RecurrentLIF]:
    """The model's LIF/ALIF layers in order (empty for models without them)."""
    return [m for m in getattr(model, "layers", []) if isinstance(m, lifstab.RecurrentLIF)]


def _layer_inputs(model: torch.nn.Module, sample: torch.Tensor):
    """(layer, input statistics source, the layer's actual inputs) in order: the first layer sees the
    data (``sample``, through the encoder); later layers get None as statistics source, the theory's
    Bernoulli(1/2) spikes (docs/theory.md section 4, Condition II). Measured spikes of a default-initialised
    first layer are far sparser than that (rates ~0.002 on digits with threshold 1) and leave
    Conditions II and III without a solution. The actual inputs (for the edge predictor's probe) are
    the previous layer's spikes, computed after the caller has initialised that layer."""
    with torch.no_grad():
        x = model.encoder(sample) if hasattr(model, "encoder") else sample
    for i, layer in enumerate(spiking_layers(model)):
        yield layer, x if i == 0 else None, x
        with torch.no_grad():
            x = layer(x)


def _set_recurrent_moments(layer: lifstab.RecurrentLIF, mean: float | None, std: float | None) -> None:
    """Shift (Condition I) and/or rescale (Condition II) the off-diagonal recurrent weights."""
    if mean is None and std is None:
        return
    with torch.no_grad():
        w, mask = layer.w_rec, layer.rec_mask.bool()
        values = w[mask]
        centred = values - values.mean()
        if std is not None:
            centred = centred / centred.std() * float(std)
        w[mask] = centred + (values.mean() if mean is None else float(mean))


def _recommend(layer: lifstab.RecurrentLIF, inputs: torch.Tensor, family: str, tail=None, **weights):
    return lifstab.recommend(
        layer.n_in, layer.n_rec, decay=float(layer.decay.detach().double().mean()),
        threshold=float(layer.threshold.detach().double().mean()), reset=layer.reset,
        detach_reset=layer.detach_reset, inputs=inputs, family=family, tail=tail, variant="exact", **weights)


def _per_neuron(values, like: torch.Tensor) -> torch.Tensor:
    return torch.as_tensor(values, dtype=like.dtype, device=like.device)


def apply_condition_set(layer: lifstab.RecurrentLIF, conditions: tuple[str, ...], inputs: torch.Tensor | None,
                        x: torch.Tensor) -> dict:
    """Apply a subset of Conditions I-IV to one layer in place; returns ``{"feasible": bool}``.

    I shifts the off-diagonal recurrent weights to the recommended mean and II rescales them to the
    recommended std, keeping the default (Glorot-uniform) shape otherwise (stable_init_ draws
    Gaussian weights instead). III is then computed per neuron on the weights in place and sets the
    dampening (neurons without positive feedback get the layer's median, as ``recommend`` reports).
    IV sets the sharpness by the edge route (``lifstab.conditions.edge_choice`` on ``x``, the layer's
    actual inputs) at the dampening the layer will have; where the predictor cannot run (fewer than
    16 steps) the sharpness is kept and IV reported infeasible.
    """
    family, surrogate = layer.surrogate.family, layer.surrogate
    rec = _recommend(layer, inputs, family, tail=surrogate.tail)
    _set_recurrent_moments(layer, rec.recurrent_mean if "I" in conditions else None,
                           rec.recurrent_std if "II" in conditions else None)
    if {"III", "IV"} & set(conditions):
        current = float(torch.as_tensor(surrogate.dampening).double().mean())
        rec = _recommend(layer, inputs, family, tail=surrogate.tail, w_in=layer.w_in, w_rec=layer.recurrent_weight(),
                         iv_dampening=None if "III" in conditions else current)
        changes = {}
        like = layer.w_in
        if "III" in conditions:
            damp = _per_neuron(rec.dampening, like)
            ok = torch.isfinite(damp) & (damp > 0)
            changes["dampening"] = torch.where(ok, damp, _per_neuron(surrogate.dampening, like).expand_as(damp))
        feasible = {c: bool(rec.feasible[c]) for c in conditions if c != "IV"}
        if "IV" in conditions:
            probe = copy.deepcopy(layer).double()
            probe.surrogate = surrogate.replace(**changes)
            try:
                choice = lifstab.conditions.edge_choice(
                    probe, x.double(), margin=EDGE_ROUTE.get("edge_margin"),
                    method=EDGE_ROUTE.get("edge_method", lifstab.conditions.DEFAULT_EDGE_METHOD))
                changes["sharpness"], feasible["IV"] = choice.sharpness, choice.feasible
            except ValueError:  # too few steps for the predictor's window: keep the sharpness
                feasible["IV"] = False
        layer.surrogate = surrogate.replace(**changes)
        return {"feasible": all(feasible.values())}
    return {"feasible": all(bool(rec.feasible[c]) for c in conditions)}


def route_feasible(rec) -> bool:
    """Every condition the recommendation applied holds: I-III, and Condition IV or, on the edge
    route, an edge inside the searched range."""
    if rec.sharpness_method == "edge":
        return all(rec.feasible[c] for c in ("I", "II", "III")) and rec.edge.feasible
    return all(rec.feasible.values())


def fdi_weight_std(n: int, rate: float, decay: float, threshold: float, fraction: float,
                   xi: float = FDI_XI) -> float:
    """Fluctuation-driven weight std (Rossbroich et al. 2022, eqs. for sigma_U by Campbell's theorem):
    inputs at ``rate`` per step through the kernel ``decay^k`` give ``sigma_U^2 = n rate sigma_w^2 eps_hat``
    with ``eps_hat = sum_k decay^(2k) = 1 / (1 - decay^2)``; ``fraction`` of ``sigma_U^2 = (threshold / xi)^2``
    comes from these ``n`` inputs, so ``sigma_w = sqrt(fraction (1 - decay^2) / (n rate)) threshold / xi``."""
    if not rate > 0:
        raise ValueError(f"rate must be > 0 (the inputs never spike), got {rate!r}")
    return math.sqrt(fraction * (1.0 - decay ** 2) / (n * rate)) * threshold / xi


def fdi_(layer: lifstab.RecurrentLIF, input_rate: float, seed: int) -> dict:
    """Draw ``layer``'s weights zero-mean Gaussian at the fluctuation-driven stds (biases zero)."""
    decay, threshold = float(layer.decay.double().mean()), float(layer.threshold.double().mean())
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        std_in = fdi_weight_std(layer.n_in, input_rate, decay, threshold, FDI_FEEDFORWARD_FRACTION)
        layer.w_in.copy_(torch.randn(layer.w_in.shape, generator=gen, dtype=torch.float64) * std_in)
        std_rec = None
        if layer.w_rec is not None:
            std_rec = fdi_weight_std(layer.n_rec, FDI_HIDDEN_RATE, decay, threshold, 1 - FDI_FEEDFORWARD_FRACTION)
            layer.w_rec.copy_(torch.randn(layer.w_rec.shape, generator=gen, dtype=torch.float64) * std_rec)
        if layer.bias is not None:
            layer.bias.zero_()
    return {"input_std": std_in, "recurrent_std": std_rec}


def paper_init_(layer: lifstab.RecurrentLIF, inputs: torch.Tensor | None) -> bool:
    """Conditions I-IV in the paper's variant, its way: I and II shift and rescale the recurrent weights,
    III sets the per-neuron dampening from the weights in place, IV the sharpness where it has a root
    (else sharpness 1, the paper's default). Returns whether all four hold."""
    common = dict(decay=float(layer.decay.detach().double().mean()), reset=layer.reset,
                  threshold=float(layer.threshold.detach().double().mean()), detach_reset=layer.detach_reset,
                  inputs=inputs, family=layer.surrogate.family, variant="paper")
    rec = lifstab.recommend(layer.n_in, layer.n_rec, **common)
    _set_recurrent_moments(layer, rec.recurrent_mean, rec.recurrent_std)
    rec = lifstab.recommend(layer.n_in, layer.n_rec, **common, w_in=layer.w_in, w_rec=layer.recurrent_weight())
    like = layer.w_in
    damp = _per_neuron(rec.dampening, like)
    damp = torch.where(torch.isfinite(damp) & (damp > 0), damp, torch.ones_like(damp))
    changes = {"dampening": damp}
    if rec.feasible["IV"]:
        changes["sharpness"] = _per_neuron(rec.sharpness, like)
    layer.surrogate = layer.surrogate.replace(**changes)
    return all(bool(v) for v in rec.feasible.values())


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
    if init == "paper":
        return {"feasible": all([paper_init_(layer, inputs) for layer, inputs, _ in _layer_inputs(model, sample)])}
    if init == "fdi":
        for i, (layer, _stats, x) in enumerate(_layer_inputs(model, sample)):
            fdi_(layer, float(x.double().mean()) if i == 0 else FDI_HIDDEN_RATE, seed + i)
        return {}
    if init in STABLE_INIT:
        feasible = [route_feasible(lifstab.stable_init_(layer, inputs=inputs, family=layer.surrogate.family,
                                                        variant="exact", seed=seed + i, probe_inputs=x,
                                                        **STABLE_INIT[init], **EDGE_ROUTE))
                    for i, (layer, inputs, x) in enumerate(_layer_inputs(model, sample))]
        return {"feasible": all(feasible)}
    feasible = [apply_condition_set(layer, CONDITION_SETS[conditions], inputs, x)["feasible"]
                for layer, inputs, x in _layer_inputs(model, sample)]
    return {"feasible": all(feasible)}


def recommend_first_layer(model: torch.nn.Module, sample: torch.Tensor, family: str, tail=None):
    """The conditions' Recommendation for the first spiking layer of ``model`` on ``sample``, from
    its weights in place (``tail=None`` for q-PseudoSpike solves IV in the tail)."""
    layer, inputs, _ = next(_layer_inputs(model, sample))
    return _recommend(layer, inputs, family, tail=tail, w_in=layer.w_in, w_rec=layer.recurrent_weight())
