"""The training recipe lifstab recommends, with the measurement behind each choice.

Stability at initialisation does not make a LIF network train at long horizons: the measured per-step
growth ``rho`` of the squared BPTT gradient leaves 1 within the first training steps (docs/long_horizon.md).
What trained, on latency digits at T 100 and T 250 (5 seeds each, 10 epochs, hidden 2 x 64, Adam 3.16e-3;
``python -m lifstab_experiments.training.long_horizon``; every row in experiments/long_horizon_results):

- ``weights="keep"``: the layer's own zero-mean weights. Conditions I-II's weights (near-uniform positive
  recurrent weights, a target rate of one spike in two) lost with or without the other parts of the recipe:
  at T 100 0.145 against the default's 0.149 alone, and 0.28-0.53 against 0.74-0.82 with the rest of the
  recipe (the ``conditions`` arms), their layers ending saturated.
- ``target_rho=0.95``: the measured edge kept during training (:class:`lifstab.EdgeKeeper`); the
  largest single gain (T 100 0.149 -> 0.581, linear readout). 0.92 and 0.95 tie; 1.0 is worse (0.475).
- ``readout="membrane"``: the logits read from a leaky, non-spiking output layer; with the kept edge
  0.581 -> 0.791 (T 100) and 0.322 -> 0.540 (T 250); alone it does nothing (0.157).
- ``recurrent_lr_scale=0.1``: the recurrent weights learn at a tenth of the learning rate (the long-horizon
  docs page gives the ablation).
- ``never_wider``: with True, a surrogate that is already on the stable side is kept (never made wider
  than the layer's own, same family), and the keeper holds rho at *most* ``target_rho``.
  - On lifstab's own layers it is off (``never_wider=False``): in the plain-loop study the rule binds at
    threshold 0.1 and loses the memory task on 2 of 6 seed pairs (1.000 -> 0.456 at D 100, 0.824 -> 0.524
    at D 200), where the layer's own sharpness 1 leaves the gradient vanishing over the delay.
  - On a peer library's layers it is on (``peer_never_wider=True``): there the surrogate is the user's
    (snntorch's tutorial ``fast_sigmoid(slope=25)`` already sits at rho 0.93), and widening it to the edge
    lost in every comparison on snntorch's tutorial network (5 seeds each; the default initialisation in
    brackets): digits T 100, 10 epochs 0.532 against 0.612 with the rule (0.605); 30 epochs 0.839 against
    0.847 (0.847); memory D 200 0.958 against 0.977 (0.996); memory D 300, 30 epochs, 0.786 against 0.983
    (0.989): widened, 2 seeds stayed at chance where the default solved them
    (experiments/peer_training_results, docs/long_horizon.md).

- A peer layer whose edge route finds no edge (rho on one side of 1 over the whole sharpness range) keeps its
  own surrogate, not the range's end nearest rho = 1 (sharpness 1000 on spikingjelly's recurrent network at
  tau 2, a surrogate 60-80 times flatter). Measured neutral there (digits T 100, 5 seeds: 0.225 against
  0.222); the loss on that network is the hidden layer's bias lift (without it 0.412 against the default's
  0.343, experiments/peer_training_results/README.md).

- ``min_rate=0.02`` on lifstab's layers (a silent layer's bias lifted to that rate: in the plain-loop study
  the default layer at threshold 1 on sparse inputs starts and often ends silent, docs/long_horizon.md); on
  a peer library's layers no lift (``peer_min_rate=None``; ``stable_init_``'s default ``min_rate="recipe"``
  picks by layer kind). The lift cost every peer network it was measured on (5 seeds each): spikingjelly's
  hidden layer (silent at tau 2, its Sigmoid surrogate still passing gradient) 0.221 lifted against 0.412
  not (digits T 100, 10 epochs; the default 0.343), 0.339 against 0.549 at 30 epochs (the default 0.519); snntorch's tutorial network, where it binds only on the
  output layer (2-3 of 5 seeds), 0.697 against 0.716 (digits T 250, 30 epochs; the default 0.613) and 0.958
  against 0.975 (memory D 300, 30 epochs; the default 0.954), better without it on 4 of the 5 seed-points
  where it binds.

A user's own training loop gets the kept edge from :func:`lifstab.stable_init_` (a forward pre-hook);
the readout and the learning rates are the user's, and :func:`param_groups` builds the latter.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class TrainingRecipe:
    """What lifstab recommends for training a spiking network of its LIF layers (module doc)."""

    weights: str = "keep"
    min_rate: float = 0.02
    target_rho: float = 0.95
    keep_every: int = 5
    recurrent_lr_scale: float = 0.1
    readout: str = "membrane"
    #: ``stable_init_``'s ``never_wider`` default on lifstab's layers: off (module doc)
    never_wider: bool = False
    #: ``stable_init_``'s ``never_wider`` default on snntorch, norse and spikingjelly layers: on (module doc)
    peer_never_wider: bool = True
    #: ``stable_init_``'s ``min_rate`` default on snntorch, norse and spikingjelly layers: no bias lift (module doc)
    peer_min_rate: float | None = None

    def summary(self) -> str:
        return (f"training recipe: keep the layer's zero-mean weights, keep the measured rho at "
                f"{self.target_rho:g} during training (lifstab.stable_init_ attaches a lifstab.EdgeKeeper that "
                f"re-sets the sharpness every {self.keep_every} steps), recurrent weights at "
                f"{self.recurrent_lr_scale:g} x the learning rate (lifstab.param_groups), read the output "
                f"from a leaky membrane")

    def run_fields(self) -> dict:
        """The fields of a ``lifstab train`` run (``RunConfig``) that make up the recipe."""
        return {"target_rho": self.target_rho, "keep_every": self.keep_every,
                "recurrent_lr_scale": self.recurrent_lr_scale, "readout": self.readout}


#: the recipe (module doc for the evidence)
RECIPE = TrainingRecipe()

#: ``stable_init_``'s default ``min_rate``: :data:`RECIPE`'s ``min_rate`` on lifstab's layers, its
#: ``peer_min_rate`` on a peer library's (None, the value that turns the lift off, is taken)
BY_LAYER = "recipe"


def min_rate_for(min_rate, peer: bool):
    """``min_rate`` as given, or, for :data:`BY_LAYER`, the recipe's value for a lifstab or a ``peer`` layer."""
    if isinstance(min_rate, str):
        if min_rate != BY_LAYER:
            raise ValueError(f"min_rate must lie in (0, 1), be None or {BY_LAYER!r}, got {min_rate!r}")
        return RECIPE.peer_min_rate if peer else RECIPE.min_rate
    return min_rate


#: bisection steps of :func:`lift_rate_` (the offset's bracket halves each step)
LIFT_STEPS = 40


@torch.no_grad()
def lift_rate_(layer, x: torch.Tensor, min_rate: float = RECIPE.min_rate) -> float | None:
    """Raise the bias of a layer that fires below ``min_rate`` on ``x`` (time-major ``(T, B, n_in)``) by the
    one offset, shared by every neuron, at which its mean firing rate is ``min_rate``; a layer at or above
    ``min_rate`` is left alone. Returns the offset added (None: none). Weights are not touched."""
    if not 0 < min_rate < 1:
        raise ValueError(f"min_rate must lie in (0, 1), got {min_rate!r}")
    if layer.bias is None:
        raise ValueError("layer: lifting the firing rate needs a layer with a bias")
    was_training = layer.training
    layer.eval()
    try:
        base = layer.bias.detach().clone()
        if float(layer(x).mean()) >= min_rate:
            return None
        scale = float(torch.as_tensor(layer.threshold).abs().max())
        low, high = 0.0, 10.0 * scale
        for _ in range(LIFT_STEPS):
            mid = (low + high) / 2
            layer.bias.copy_(base + mid)
            low, high = (mid, high) if float(layer(x).mean()) < min_rate else (low, mid)
        layer.bias.copy_(base + high)
        return high
    finally:
        layer.train(was_training)


def recurrent_weights(model: torch.nn.Module) -> list[torch.nn.Parameter]:
    """The recurrent weight matrices of every lifstab LIF/ALIF layer in ``model``."""
    from .lif import RecurrentLIF

    return [m.w_rec for m in model.modules() if isinstance(m, RecurrentLIF) and m.w_rec is not None]


def param_groups(model: torch.nn.Module, lr: float, recurrent_lr_scale: float = RECIPE.recurrent_lr_scale) -> list[dict]:
    """Optimiser parameter groups for ``model``: everything at ``lr``, the recurrent weights of its lifstab
    layers at ``lr * recurrent_lr_scale`` (frozen, ``requires_grad=False``, at 0).
    ``torch.optim.Adam(lifstab.param_groups(model, 1e-3))``."""
    if not (isinstance(lr, (int, float)) and lr > 0):
        raise ValueError(f"lr must be > 0, got {lr!r}")
    if not (isinstance(recurrent_lr_scale, (int, float)) and 0 <= recurrent_lr_scale < float("inf")):
        raise ValueError(f"recurrent_lr_scale must be finite and >= 0, got {recurrent_lr_scale!r}")
    recurrent = recurrent_weights(model)
    ids = {id(w) for w in recurrent}
    groups = [{"params": [p for p in model.parameters() if id(p) not in ids], "lr": lr}]
    if recurrent_lr_scale > 0:
        if recurrent:
            groups.append({"params": recurrent, "lr": lr * recurrent_lr_scale})
    else:
        for w in recurrent:
            w.requires_grad_(False)
    return [g for g in groups if g["params"]]


__all__ = ["TrainingRecipe", "RECIPE", "BY_LAYER", "min_rate_for", "param_groups", "recurrent_weights", "lift_rate_"]
