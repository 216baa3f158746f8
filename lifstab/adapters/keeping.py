"""Keeping the edge of stability during training in a snntorch, norse or spikingjelly layer.

:class:`PeerEdgeKeeper` is :class:`lifstab.EdgeKeeper` for one peer layer: every ``every`` training
forward passes it rebuilds the lifstab description of the layer from the peer's current weights and
surrogate (the adapter's ``describe``, :func:`~lifstab.adapters.core.description_layer`, the peer's own
recurrent mask), runs :func:`lifstab.keep_edge_` on it with the layer's inputs and writes the sharpness
found back into the peer's surrogate (the adapter's ``write_surrogate``: the library's own surrogate where
:mod:`lifstab.interop` maps it exactly, else lifstab's in the library's callable protocol). Only the
surrogate changes, so the peer computes what it computed before.

It is stepped by a forward pre-hook on the module that receives the layer's input ``x``
(:meth:`PeerAdapter.entry`: the pair's ``Linear``, norse's recurrent module, spikingjelly's container).
A time-major sequence ``(T, B, n_in)`` is one forward pass. Called step by step (``(B, n_in)``, as the
libraries' tutorials call their ``Linear``), the steps are collected and a forward pass ends where the
layer's parameters change (an optimiser step; they are modified in place) or the batch shape does: the
keeper is then stepped with the collected sequence, so its sharpness holds from the next forward pass on.
"""

from __future__ import annotations

from collections import deque

import torch

from ..edge_keeping import (_PAUSED, KeptEdge, _KeepOnForward, check_sharpness_floor, check_target_rho,
                            detach_edge_keeper, keep_edge_, paused, value_of)
from .core import PeerAdapter, description_layer

#: the most steps collected from step-by-step calls (the latest are kept)
MAX_STEPS = 2000
#: keep_edge_'s shortest input
MIN_STEPS = 16
#: no keeper, lifstab's or a peer's, steps inside (lifstab's own measurements run the peer's forward pass)
keepers_paused = paused


class PeerEdgeKeeper:
    """Re-set the surrogate sharpness of one peer layer (an adapter, :func:`lifstab.adapters.adapt`) so
    that the measured rho of its lifstab description is ``target_rho``, every ``every`` training steps.
    ``history`` holds ``(step, [sharpness])`` for every re-set, as :class:`lifstab.EdgeKeeper`'s.

    ``sharpness_floor`` (None: none) makes the rule one-sided: the sharpness written is never below it,
    so the keeper narrows the surrogate (measured rho at most ``target_rho``) but never widens it past
    the floor (:func:`lifstab.adapters.stable_init_`'s ``never_wider`` sets it to the layer's own
    surrogate's sharpness)."""

    def __init__(self, adapter: PeerAdapter, target_rho: float = 1.0, every: int = 5, probe_batch: int = 16,
                 sharpness_floor: float | None = None) -> None:
        if not isinstance(adapter, PeerAdapter):
            raise ValueError(f"adapter must be a lifstab.adapters PeerAdapter, got {type(adapter).__name__}")
        self.adapter, self.target_rho = adapter, check_target_rho(target_rho)
        if not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be a positive integer, got {every!r}")
        if not isinstance(probe_batch, int) or probe_batch < 1:
            raise ValueError(f"probe_batch must be a positive integer, got {probe_batch!r}")
        self.every, self.probe_batch = every, probe_batch
        self.sharpness_floor = None if sharpness_floor is None else check_sharpness_floor(sharpness_floor)
        self.steps = 0
        self.history: list[tuple[int, list[float | None]]] = []

    def description(self):
        """The float64 lifstab layer that simulates the peer layer now (its own recurrent mask)."""
        surrogate = self.adapter.surrogate()
        if surrogate is None:
            raise ValueError(f"{self.adapter.library} {self.adapter.layer}: its surrogate has no lifstab "
                             f"equivalent any more (lifstab.interop), so its edge cannot be kept")
        return description_layer(self.adapter.describe(), surrogate)

    @torch.no_grad()
    def step(self, x: torch.Tensor) -> list[KeptEdge] | None:
        """Count one training step; on every ``every``-th (the first included) re-set the edge on ``x``
        (the layer's inputs, ``(T >= 16, B, n_in)``)."""
        kept = None
        if self.steps % self.every == 0:
            layer = self.description()
            near = [value_of(layer)] if self.history else None  # warm start, as EdgeKeeper
            kept = keep_edge_(layer, x[:, : self.probe_batch].detach().to(torch.float64), self.target_rho, near=near)
            value = kept[0].value
            if value is not None and self.sharpness_floor is not None and value < self.sharpness_floor:
                value = self.sharpness_floor
                kept = [kept[0]._replace(value=value, reason=f"{kept[0].reason}; raised to sharpness_floor={value:g}")]
                layer.surrogate = layer.surrogate.replace(sharpness=value)
            if value is not None:
                self.adapter.write_surrogate(layer.surrogate)
            self.history.append((self.steps, [value]))
        self.steps += 1
        return kept


class _KeepPeerOnForward(_KeepOnForward):
    """The forward pre-hook of :func:`attach_peer_edge_keeper` (module doc): a sequence steps the keeper,
    single steps are collected. Found and removed by :func:`lifstab.edge_keeper_of` /
    :func:`lifstab.detach_edge_keeper` on the hooked module."""

    def __init__(self, keeper: PeerEdgeKeeper, parameters) -> None:
        super().__init__(keeper)
        self.parameters = list(parameters)
        self.collected: deque = deque(maxlen=MAX_STEPS)
        self.version = None

    def _version(self) -> int:
        return sum(p._version for p in self.parameters)

    def _flush(self) -> None:
        if len(self.collected) >= MIN_STEPS:
            self.keeper.step(torch.stack(list(self.collected)))
        self.collected.clear()

    def __call__(self, module, args) -> None:
        if _PAUSED[0] or not (module.training and torch.is_grad_enabled() and args
                              and isinstance(args[0], torch.Tensor)):
            return
        x = args[0]
        with torch.no_grad():  # the keeper's own passes run on the lifstab description, not here
            if x.dim() == 3:
                if x.shape[0] >= MIN_STEPS:
                    self.keeper.step(x)
                return
            if x.dim() != 2:
                return
            changed = self.collected and (self._version() != self.version
                                          or self.collected[-1].shape != x[: self.keeper.probe_batch].shape)
            if changed:
                self._flush()
            if not self.collected:
                self.version = self._version()
            self.collected.append(x[: self.keeper.probe_batch].detach().clone())


def keeper_refusal(adapter: PeerAdapter) -> str:
    """"" when the edge of ``adapter``'s layer can be kept, else why not."""
    peer = adapter.describe()
    if peer.w_rec is None:
        return (f"keeping the edge needs a recurrent layer (as lifstab's EdgeKeeper does); {peer.layer} has "
                f"no recurrence")
    surrogate = adapter.surrogate()
    if surrogate is None:
        return "its surrogate has no lifstab equivalent (lifstab.interop), so its sharpness cannot be re-set"
    why = adapter.sharpness_settable(surrogate)
    return f"its surrogate cannot be re-set exactly: {why}" if why else ""


def _parameters(adapter: PeerAdapter):
    for name in ("linear", "neuron", "module", "container", "outer"):
        module = getattr(adapter, name, None)
        if isinstance(module, torch.nn.Module):
            yield from module.parameters()


def attach_peer_edge_keeper(layer, target_rho: float, every: int = 5, probe_batch: int = 16,
                            sharpness_floor: float | None = None) -> PeerEdgeKeeper:
    """Keep a peer layer's (or ``(Linear, neuron)`` pair's) measured rho at ``target_rho`` in any training
    loop: a :class:`PeerEdgeKeeper` stepped by a forward pre-hook on :meth:`PeerAdapter.entry` (module
    doc; ``sharpness_floor``: the keeper never widens past it). A keeper attached before is detached first; ``ValueError`` where the edge cannot be kept
    (:func:`keeper_refusal`). :func:`lifstab.attach_edge_keeper`, :func:`lifstab.edge_keeper_of` and
    :func:`lifstab.detach_edge_keeper` take peer layers and pairs and come here."""
    from . import adapt

    adapter = layer if isinstance(layer, PeerAdapter) else adapt(layer)
    why = keeper_refusal(adapter)
    if why:
        raise ValueError(f"layer: {adapter.library} {adapter.layer}: {why}")
    keeper = PeerEdgeKeeper(adapter, target_rho, every, probe_batch, sharpness_floor)
    module = adapter.entry()
    detach_edge_keeper(module)
    module.register_forward_pre_hook(_KeepPeerOnForward(keeper, _parameters(adapter)))
    return keeper


__all__ = ["PeerEdgeKeeper", "attach_peer_edge_keeper", "keeper_refusal", "keepers_paused"]
