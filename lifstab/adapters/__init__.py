"""Stabilise layers built in snntorch, norse and spikingjelly without rewriting them.

An adapter reads a peer layer's dynamics exactly as its library runs them into lifstab's LIF
(:class:`~lifstab.adapters.core.PeerLIF`; each library's module says which settings map exactly and
raises ``ValueError`` naming the library, the layer and the reason for the others), and writes weights
and the surrogate back into the peer's own objects. Accepted layers:

- snntorch: ``(torch.nn.Linear, snntorch.Leaky)``, ``(torch.nn.Linear, snntorch.RLeaky)``;
- norse: ``norse.torch.LIFRecurrent``, ``LIFRecurrentCell``; ``(torch.nn.Linear, norse.torch.LIF)``,
  ``(torch.nn.Linear, LIFCell)``;
- spikingjelly: ``(torch.nn.Linear, LIFNode)``, ``(torch.nn.Linear, LinearRecurrentContainer(LIFNode))``,
  ``LinearRecurrentContainer(Sequential(Linear, LIFNode))``;
- a list of those (a stack, initialised in order, each layer's inputs from the peer's forward pass).

The peers are imported only when an adapter runs (``pip install 'lifstab[interop]'``).
"""

from __future__ import annotations

import importlib
import warnings
from dataclasses import dataclass

import torch

from .core import PeerAdapter, PeerLIF, description_layer, simulate

#: library -> adapter module (imported on first use)
MODULES = {"snntorch": "lifstab.adapters.snntorch", "norse": "lifstab.adapters.norse",
           "spikingjelly": "lifstab.adapters.spikingjelly"}


def library_of(layer) -> str | None:
    """The peer library a layer (or a ``(Linear, neuron)`` pair) comes from; None for anything else."""
    obj = layer[-1] if isinstance(layer, tuple) and layer else layer
    root = type(obj).__module__.split(".")[0]
    return root if root in MODULES else None


def is_peer(layers) -> bool:
    """True for a peer layer, a ``(Linear, peer neuron)`` pair, or a list of them."""
    if isinstance(layers, list):
        return bool(layers) and all(library_of(layer) for layer in layers)
    return library_of(layers) is not None


def adapt(layer) -> PeerAdapter:
    """The adapter of one peer layer or pair; ``ValueError`` naming the library and layer when unsupported."""
    library = library_of(layer)
    if library is None:
        raise ValueError(f"layer: {type(layer).__name__} is not a snntorch, norse or spikingjelly layer "
                         f"or a (torch.nn.Linear, neuron) pair of one")
    return importlib.import_module(MODULES[library]).adapt(layer)


@dataclass(frozen=True, eq=False)
class PeerRecommendation:
    """What :func:`stable_init_` did to one peer layer: the lifstab recommendation for the layer's
    dynamics (``before``: as read) and the list of ``changes`` written into the peer's objects."""

    library: str
    layer: str
    before: PeerLIF
    recommendation: object
    changes: tuple[str, ...]

    def summary(self) -> str:
        return "\n".join([f"{self.before.summary()}", "  changed: " + "; ".join(self.changes),
                          self.recommendation.summary()])


def _one(adapter: PeerAdapter, x: torch.Tensor, options: dict) -> PeerRecommendation:
    from ..conditions import stable_init_ as lifstab_stable_init_, with_edge
    peer = adapter.describe()
    family = options.pop("family", None) or getattr(adapter, "default_family", "fast_sigmoid")
    one_to_one = peer.recurrence == "one_to_one"
    # a one-to-one recurrence is not a LIF matrix: Conditions I-IV see a feed-forward layer; the edge is
    # then measured on the layer with its own diagonal recurrence (V unchanged)
    layer = description_layer(PeerLIF(**{**peer.__dict__, "w_rec": None}) if one_to_one else peer,
                              surrogate=family, autapses=False)
    with warnings.catch_warnings():
        if one_to_one:  # Condition IV's surrogate is replaced by the edge's below
            warnings.simplefilter("ignore")
        rec = lifstab_stable_init_(layer, inputs=x, family=family, **options)
    if one_to_one and options.get("sharpness_method") != "condition_iv":
        probe = description_layer(peer, surrogate=layer.surrogate)
        with torch.no_grad():
            probe.w_in.copy_(layer.w_in)
            probe.bias.zero_()
        rec = with_edge(rec, probe, x)
    w_rec = None if layer.w_rec is None else layer.recurrent_weight().detach()
    gain = peer.gain
    changes = adapter.write(layer.w_in.detach() / gain, layer.bias.detach() / gain,
                            None if w_rec is None else w_rec / gain,
                            rec.surrogate(layer.surrogate if one_to_one else None))
    if peer.recurrence == "all_to_all":
        changes.append("recurrent diagonal set to 0 (lifstab's LIF has n-1 recurrent inputs per neuron)")
    if peer.recurrence == "none" and peer.detach_reset:
        changes.append("no recurrence and a detached reset: BPTT through this layer's voltage shrinks by "
                       "decay^2 per step whatever the surrogate")
    return PeerRecommendation(peer.library, peer.layer, peer, rec, tuple(changes))


def stable_init_(layer, inputs=None, seed=None, **options):
    """:func:`lifstab.stable_init_` for peer layers: ``inputs`` are those of the first layer's ``Linear``
    (time-major ``(T, B, n_in)``). Returns a :class:`PeerRecommendation` (a list for a list of layers)."""
    if inputs is None:
        raise ValueError("inputs: stable_init_ on a peer layer needs example inputs (T, B, n_in)")
    x = torch.as_tensor(inputs)
    if x.ndim != 3:
        raise ValueError(f"inputs must be time-major (T, B, n_in), got shape {tuple(x.shape)}")
    layers = layer if isinstance(layer, list) else [layer]
    results = []
    for i, item in enumerate(layers):
        adapter = adapt(item)
        results.append(_one(adapter, x.detach().to(torch.float64), {**options, "seed": None if seed is None else seed + i}))
        if i + 1 < len(layers):
            with torch.no_grad():
                x = adapter.run(x.to(_dtype(adapter)))[0]
    return results if isinstance(layer, list) else results[0]


def _dtype(adapter: PeerAdapter) -> torch.dtype:
    return next(p for p in _parameters(adapter)).dtype


def _parameters(adapter: PeerAdapter):
    for name in ("linear", "module", "container"):
        module = getattr(adapter, name, None)
        if module is not None:
            yield from module.parameters()


def gradient_norms(layer, x: torch.Tensor, seed: int = 0, readout_weights: torch.Tensor | None = None) -> torch.Tensor:
    """``g_t`` (docs/theory.md section 7) of one peer layer, by autograd through the library's own forward
    pass (:func:`lifstab.adapters.core.perturbed_gradient_norms`). Returns ``(T,)``."""
    from .core import perturbed_gradient_norms

    adapter = adapt(layer)
    return perturbed_gradient_norms(adapter.run, adapter.describe().gain, x, seed, readout_weights)


def lifstab_layer(layer, surrogate=None):
    """The float64 :class:`~lifstab.RecurrentLIF` that simulates ``layer`` exactly (its own recurrent
    mask), with the peer's surrogate read back (:meth:`PeerAdapter.surrogate`) or ``surrogate``."""
    adapter = adapt(layer)
    peer = adapter.describe()
    surrogate = adapter.surrogate() if surrogate is None else surrogate
    if surrogate is None:
        raise ValueError(f"surrogate: {peer.library} {peer.layer}'s surrogate has no lifstab equivalent "
                         f"(lifstab.interop); pass surrogate=lifstab.Surrogate(...)")
    return description_layer(peer, surrogate)


__all__ = ["adapt", "is_peer", "lifstab_layer", "library_of", "stable_init_", "gradient_norms", "PeerRecommendation",
           "PeerLIF", "description_layer", "simulate"]
