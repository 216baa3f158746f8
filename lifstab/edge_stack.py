"""The edge of stability of a stack of recurrent LIF layers, predicted layer by layer (docs/guide/edge.md).

Layer ``l + 1`` is driven by layer ``l``'s spikes; in the backward pass the only path from layer ``l + 1``
back to layer ``l`` is through the input weights *at the same step*, so the through-time Jacobian of the
stack is block triangular and its growth over many steps is that of its fastest-growing diagonal
block: ``rho_stack(beta) = max_l rho_l(beta)``. Every ``rho_l`` falls with the sharpness, so the stack is
stable beyond the largest of the layers' critical sharpness values: ``beta_c = max_l beta_c,l``.

Each layer is probed on the spikes the layers below it emit on the inputs (one forward pass of the
stack, no backward pass), with its current weights: a stack at initialisation or at any point of
training.
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

import torch

from .lif import RecurrentLIF
from .measure import record


class StackEdgePrediction(NamedTuple):
    """The stack's critical sharpness (None when some layer has none in range) and each layer's
    :class:`~lifstab.stability.EdgePrediction`; ``limiting`` is the index of the layer that sets it."""

    critical_sharpness: float | None
    method: str
    feasible: bool
    reason: str
    layers: tuple
    limiting: int | None


def stack_inputs(layers: Sequence[RecurrentLIF], x: torch.Tensor) -> list[torch.Tensor]:
    """The input of every layer of the stack on ``x``: ``x`` itself, then each layer's spikes (one
    forward pass, no graph)."""
    inputs = [x]
    for index, layer in enumerate(layers[:-1]):
        if not isinstance(layer, RecurrentLIF):
            raise ValueError(f"layers[{index}] must be a lifstab.RecurrentLIF, got {type(layer).__name__}")
        if layers[index + 1].n_in != layer.n_rec:
            raise ValueError(f"layers[{index + 1}] takes {layers[index + 1].n_in} inputs but layers[{index}] "
                             f"has {layer.n_rec} neurons")
        inputs.append(record(layer, inputs[-1]).spikes.to(layers[index + 1].w_in.dtype))
    return inputs


def stack_critical_sharpness(layers: Sequence[RecurrentLIF], x: torch.Tensor, method: str = "dmft",
                             **options) -> StackEdgePrediction:
    """Predict the critical sharpness of a stack of recurrent layers driven by ``x`` (module docstring):
    :func:`lifstab.stability.critical_sharpness` of each layer on its probed input, and their maximum."""
    from .stability import critical_sharpness

    layers = list(layers)
    if not layers:
        raise ValueError("layers must hold at least one RecurrentLIF")
    if not isinstance(layers[-1], RecurrentLIF):
        raise ValueError(f"layers[{len(layers) - 1}] must be a lifstab.RecurrentLIF, got {type(layers[-1]).__name__}")
    per_layer = tuple(critical_sharpness(layer, inputs, method=method, **options)
                      for layer, inputs in zip(layers, stack_inputs(layers, x)))
    # a layer stable over the whole range limits nothing; one unstable there (or without a root) blocks
    blocking = [i for i, p in enumerate(per_layer) if not p.feasible and not p.reason.startswith("stable")]
    rooted = [i for i, p in enumerate(per_layer) if p.feasible]
    if blocking or not rooted:
        reasons = "; ".join(f"layer {i}: {per_layer[i].reason}" for i in (blocking or range(len(layers))))
        return StackEdgePrediction(None, method, False, reasons, per_layer, None)
    limiting = max(rooted, key=lambda i: per_layer[i].critical_sharpness)
    return StackEdgePrediction(per_layer[limiting].critical_sharpness, method, True, "", per_layer, limiting)


__all__ = ["StackEdgePrediction", "stack_critical_sharpness", "stack_inputs"]
