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

import dataclasses
import importlib
import warnings
from dataclasses import dataclass

import torch

from ..recipe import BY_LAYER, RECIPE, lift_rate_, min_rate_for
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
    from ..conditions import stable_init_ as lifstab_stable_init_
    peer = adapter.describe()
    family = options.pop("family", None) or getattr(adapter, "default_family", "fast_sigmoid")
    keep_edge = options.pop("keep_edge", RECIPE.target_rho)
    min_rate = min_rate_for(options.pop("min_rate", BY_LAYER), peer=True)
    changes = []
    never_wider = options.pop("never_wider", None)
    never_wider = RECIPE.peer_never_wider if never_wider is None else never_wider
    floor = _own_sharpness(adapter, family, changes) if never_wider else None
    if min_rate is not None and not adapter.has_bias():
        changes.append(f"min_rate={min_rate:g} not applied: {peer.layer} has no bias to lift the rate with")
        min_rate = None
    one_to_one = peer.recurrence == "one_to_one"
    # a one-to-one recurrence is not a LIF matrix: Conditions I-IV see a feed-forward layer; the rate and
    # the edge are then measured on the layer with its own diagonal recurrence (V unchanged)
    layer = description_layer(PeerLIF(**{**peer.__dict__, "w_rec": None}) if one_to_one else peer,
                              surrogate=family, autapses=False)
    with warnings.catch_warnings():
        if one_to_one:  # Condition IV's surrogate is replaced by the edge's below
            warnings.simplefilter("ignore")
        rec = lifstab_stable_init_(layer, inputs=x, family=family, keep_edge=None,
                                   min_rate=None if one_to_one else min_rate, never_wider=False, **options)
    if one_to_one:
        rec = _one_to_one(rec, layer, peer, x, min_rate, options.get("sharpness_method"))
    w_rec = None if layer.w_rec is None else layer.recurrent_weight().detach()
    gain = peer.gain
    own = adapter.surrogate()  # read before the write below changes it; None where lifstab has no equivalent
    no_edge = own is not None and getattr(rec, "edge", None) is not None and not rec.edge.feasible
    # without an edge, a keeper is attached only where it writes the layer's own family (its rho may cross 1
    # in training); a keeper of another family would replace the layer's own surrogate
    keeper_fits = not no_edge or own.family == family
    surrogate = _surrogate_to_write(rec, rec.surrogate(layer.surrogate if one_to_one else None), own, floor,
                                    changes, no_edge)
    changes += adapter.write(layer.w_in.detach() / gain, layer.bias.detach() / gain,
                             None if w_rec is None else w_rec / gain, surrogate)
    changes += [f"{key}: {rec.reasons[key]}" for key in ("weights", "rate") if rec.reasons.get(key)]
    if peer.recurrence == "all_to_all":
        changes.append("recurrent diagonal set to 0 (lifstab's LIF has n-1 recurrent inputs per neuron)")
    if peer.recurrence == "none" and peer.detach_reset:
        changes.append("no recurrence and a detached reset: BPTT through this layer's voltage shrinks by "
                       "decay^2 per step whatever the surrogate")
    kept = (_keep_edge(adapter, keep_edge, floor) if keeper_fits else
            f"no edge keeper attached: the layer has no edge of stability at initialisation and its own surrogate "
            f"is not of family={family!r}")
    changes.append(kept)
    rec = dataclasses.replace(rec, reasons={**rec.reasons, "keep_edge": kept})
    return PeerRecommendation(peer.library, peer.layer, peer, rec, tuple(changes))


def _surrogate_to_write(rec, surrogate, own, floor: float | None, changes: list, no_edge: bool):
    """The surrogate written into the peer: the recommended one, except (a) where the layer has no edge of
    stability (``no_edge``) and lifstab reads its own surrogate ``own``, its own (the edge route's fallback, the end of the range nearest rho = 1, can be a surrogate
    60-80 times flatter than the layer's own: spikingjelly's recurrent network at tau 2,
    experiments/peer_training_results/README.md), and (b) ``never_wider``: its own where the recommended one
    is wider."""
    if no_edge:
        changes.append(f"no edge of stability ({rec.edge.reason}): the layer's own surrogate was kept, not the "
                       f"fallback sharpness {_sharpness(surrogate):.4g}")
        return own
    if floor is not None and _sharpness(surrogate) < floor:
        changes.append(f"never_wider: the recommended sharpness {_sharpness(surrogate):.4g} is wider than the "
                       f"layer's own {floor:.4g}, so its own surrogate was kept")
        return own
    return surrogate


def _one_to_one(rec, layer, peer: PeerLIF, x: torch.Tensor, min_rate, sharpness_method):
    """A one-to-one recurrence: lift the rate (``min_rate``) of the layer with its diagonal, and find the
    edge there unless Condition IV's route was asked for; the lift is copied into ``layer``."""
    from ..conditions import with_edge

    probe = description_layer(peer, surrogate=layer.surrogate)
    with torch.no_grad():
        probe.w_in.copy_(layer.w_in)
        probe.bias.copy_(layer.bias)
        lifted = None if min_rate is None else lift_rate_(probe, x, min_rate)
        layer.bias.copy_(probe.bias)
    if lifted is not None:
        rec = dataclasses.replace(rec, reasons={**rec.reasons, "rate": (
            f"the layer fired below min_rate={min_rate:g} on the inputs: its bias was raised by {lifted:.4g} "
            f"(shared by all neurons) to fire at that rate")})
    return rec if sharpness_method == "condition_iv" else with_edge(rec, probe, x)


def _own_sharpness(adapter: PeerAdapter, family: str, changes: list) -> float | None:
    """``never_wider``'s floor: the sharpness of the layer's own surrogate where it is of ``family``; None
    (and a note in ``changes``) where it is not, since sharpness values of two families are not comparable."""
    own = adapter.surrogate()
    if own is None or own.family != family:
        changes.append(f"never_wider not applied: the layer's own surrogate is "
                       f"{'not one lifstab.interop maps' if own is None else own.family}, not family={family!r}")
        return None
    return _sharpness(own)


def _sharpness(surrogate) -> float:
    return float(torch.as_tensor(surrogate.sharpness).double().mean())


def _keep_edge(adapter: PeerAdapter, target_rho, floor: float | None = None) -> str:
    """Attach a :class:`~lifstab.adapters.keeping.PeerEdgeKeeper` where the layer supports one (never
    below ``floor``'s sharpness); say what was done (a keeper attached before is removed either way)."""
    from ..edge_keeping import detach_edge_keeper
    from .keeping import attach_peer_edge_keeper, keeper_refusal

    detach_edge_keeper(adapter.entry())
    if target_rho is None:
        return "no edge keeper attached (keep_edge=None)"
    why = keeper_refusal(adapter)
    if why:
        return f"no edge keeper attached: {why}"
    keeper = attach_peer_edge_keeper(adapter, target_rho, every=RECIPE.keep_every, sharpness_floor=floor)
    rule = (f"is {keeper.target_rho:g}" if floor is None else
            f"is at most {keeper.target_rho:g}, never below the layer's own sharpness {floor:.4g} (never_wider)")
    return (f"edge keeper attached: a forward pre-hook on {type(adapter.entry()).__name__} re-sets the "
            f"surrogate's sharpness every {keeper.every} training forward passes so that the measured rho "
            f"{rule} (lifstab.edge_keeper_of / lifstab.detach_edge_keeper on the layer)")


def stable_init_(layer, inputs=None, seed=None, **options):
    """:func:`lifstab.stable_init_` for peer layers: ``inputs`` are those of the first layer's ``Linear``
    (time-major ``(T, B, n_in)``). Returns a :class:`PeerRecommendation` (a list for a list of layers).

    ``never_wider`` (default None: :data:`lifstab.recipe.RECIPE`'s ``peer_never_wider``, True): the surrogate
    rule is one-sided: a layer keeps its own surrogate where the recommended one is wider (lower sharpness,
    same family; for the edge route that is a layer whose own measured rho is already below 1), and its edge
    keeper never widens past that sharpness (``sharpness_floor``). A layer whose own surrogate is of another
    family than the recommended one gets the recommended one (the changes say so). False: the edge itself,
    rho 1 at initialisation (widening snntorch's tutorial surrogate to it lost training runs, :mod:`lifstab.recipe`)."""
    if options.get("never_wider") is not None and not isinstance(options["never_wider"], bool):
        raise ValueError(f"never_wider must be True or False, got {options['never_wider']!r}")
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

    from .keeping import keepers_paused

    adapter = adapt(layer)
    with keepers_paused():  # a measurement, not a training step
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
