"""What every adapter shares: a peer layer's dynamics in lifstab's terms (:class:`PeerLIF`), the lifstab
layer that simulates them, the surrogate written back as a callable, and rho measured through the peer's
own forward pass.

Convention. A peer neuron receives a current ``c_t`` (the output of its ``Linear``, plus its recurrent
term); lifstab's current is ``I_t = gain * c_t`` where ``gain = dv_t / dc_t`` is fixed by the library
(1 in snntorch, ``dt * tau_mem_inv`` in norse, ``1 / tau`` in spikingjelly with ``decay_input``). So
lifstab's ``w_in = gain * W^T``, ``w_rec = gain * R^T``, ``bias = gain * (b + b_rec)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import torch

from ..lif import RecurrentLIF
from ..surrogates import Surrogate, spike

#: how a peer connects a layer to itself; each names the mask lifstab's simulation applies to ``w_rec``
RECURRENCES: dict[str, callable] = {
    "none": None,
    "all_to_all": lambda n: torch.ones(n, n, dtype=torch.float64),  # diagonal (autapses) included
    "no_autapses": lambda n: 1 - torch.eye(n, dtype=torch.float64),
    "one_to_one": lambda n: torch.eye(n, dtype=torch.float64),
}


def unsupported(library: str, layer: str, reason: str) -> ValueError:
    """The error every adapter raises for dynamics lifstab's LIF cannot express."""
    return ValueError(f"{library} {layer}: {reason}")


@dataclass(frozen=True, eq=False)
class PeerLIF:
    """A peer layer read as lifstab's LIF (docs/theory.md section 1), all tensors float64.

    ``w_in`` (n_in x n), ``bias`` (n,), ``w_rec`` (n x n, as the peer has it, diagonal included; None
    without recurrence) are in lifstab's orientation ``I_t = x_t @ w_in + z_{t-1} @ w_rec + bias`` with
    the gain folded in. ``spikes_at_threshold``: the peer spikes when ``v == threshold`` exactly
    (spikingjelly); lifstab does not, a difference on a set of inputs of measure zero.
    """

    library: str
    layer: str
    decay: torch.Tensor
    threshold: torch.Tensor
    reset: str
    detach_reset: bool
    recurrence: str
    gain: torch.Tensor
    w_in: torch.Tensor
    bias: torch.Tensor
    w_rec: torch.Tensor | None = None
    spikes_at_threshold: bool = False

    @property
    def n_in(self) -> int:
        return self.w_in.shape[0]

    @property
    def n(self) -> int:
        return self.w_in.shape[1]

    def summary(self) -> str:
        decay = self.decay.unique()
        return (f"{self.library} {self.layer}: decay {decay.item() if decay.numel() == 1 else 'per neuron'}, "
                f"threshold {self.threshold.mean().item():g}, reset {self.reset}"
                f"{' (detached)' if self.detach_reset else ' (gradient flows)'}, recurrence {self.recurrence}")


def per_neuron(value, n: int, library: str, layer: str, name: str) -> torch.Tensor:
    """A scalar or ``(n,)`` parameter as a float64 ``(n,)`` tensor; ``ValueError`` for other shapes."""
    t = torch.as_tensor(value.detach() if isinstance(value, torch.Tensor) else value).to(torch.float64)
    if t.numel() == 1:
        return t.reshape(()).expand(n).clone()
    if t.shape != (n,):
        raise unsupported(library, layer, f"{name} has shape {tuple(t.shape)}; lifstab takes one value per "
                                          f"neuron, shape () or ({n},)")
    return t.clone()


def check_decay(decay: torch.Tensor, library: str, layer: str, how: str) -> torch.Tensor:
    if not torch.all((decay > 0) & (decay < 1)):
        raise unsupported(library, layer, f"the voltage decay {how} must lie in (0, 1) for lifstab's LIF "
                                          f"(decay = exp(-1/tau), 0 < tau < inf); got {decay.min().item():g}.."
                                          f"{decay.max().item():g}")
    return decay


def check_threshold(threshold: torch.Tensor, library: str, layer: str) -> torch.Tensor:
    if not torch.all(threshold > 0):
        raise unsupported(library, layer, f"threshold must be > 0 for lifstab's LIF, got {threshold.min().item():g}")
    return threshold


def description_layer(peer: PeerLIF, surrogate: Surrogate | str = "fast_sigmoid", autapses: bool = True) -> RecurrentLIF:
    """The float64 lifstab layer with ``peer``'s dynamics and weights. With ``autapses`` the recurrent
    mask is the peer's own (its diagonal included); without, lifstab's zero diagonal (what
    :func:`lifstab.stable_init_` initialises)."""
    recurrent = peer.w_rec is not None
    layer = RecurrentLIF(peer.n_in, peer.n, tau=-1.0 / torch.log(peer.decay), threshold=peer.threshold,
                         reset=peer.reset, detach_reset=peer.detach_reset, surrogate=surrogate,
                         recurrent=recurrent, bias=True, dtype=torch.float64, seed=0, implementation="reference")
    if recurrent and autapses:
        layer.rec_mask = RECURRENCES[peer.recurrence](peer.n)
    with torch.no_grad():
        layer.w_in.copy_(peer.w_in)
        layer.bias.copy_(peer.bias)
        if recurrent:
            layer.w_rec.copy_(peer.w_rec)
    return layer


def simulate(peer: PeerLIF, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """lifstab's simulation of ``peer`` on ``x`` (``(T, B, n_in)``, float64): ``(spikes, voltages)``."""
    layer = description_layer(peer)
    with torch.no_grad():
        return layer(x.to(torch.float64), return_voltages=True)


class SurrogateSpike(torch.nn.Module):
    """A lifstab surrogate in a peer's spike-function protocol: called on ``u = v - threshold`` it
    returns ``H(u)`` with gradient ``SG(u)``. ``at_threshold``: spike where ``u == 0`` too (spikingjelly's
    Heaviside), so the peer's forward pass is unchanged. A module, so that it can replace a peer's
    surrogate submodule."""

    def __init__(self, surrogate: Surrogate, at_threshold: bool = False):
        super().__init__()
        self.surrogate = surrogate
        self.at_threshold = at_threshold

    def forward(self, u: torch.Tensor) -> torch.Tensor:
        sg = self.surrogate.replace(**{k: getattr(self.surrogate, k).to(u) for k in ("dampening", "sharpness")
                                       if isinstance(getattr(self.surrogate, k), torch.Tensor)})
        z = spike(u, sg)
        # a constant added: the u == 0 spikes, without touching the gradient
        return z + (u == 0).to(u.dtype) if self.at_threshold else z

    def extra_repr(self) -> str:
        return repr(self.surrogate)


def scalar_surrogate(surrogate: Surrogate) -> Surrogate:
    """``surrogate`` with per-neuron dampening/sharpness made scalars when all neurons share them (peer
    libraries take one shape per layer); unchanged otherwise."""
    changes = {}
    for name in ("dampening", "sharpness"):
        value = getattr(surrogate, name)
        if isinstance(value, torch.Tensor) and value.numel() > 1 and torch.all(value == value.reshape(-1)[0]):
            changes[name] = float(value.reshape(-1)[0])
    return surrogate.replace(**changes) if changes else surrogate


def perturbed_gradient_norms(run, gain: torch.Tensor, x: torch.Tensor, seed: int = 0,
                             readout_weights: torch.Tensor | None = None) -> torch.Tensor:
    """``g_t = ||dL/dv_t||`` through the peer's own forward pass ``run(x, perturbation)``, which adds
    ``perturbation[t]`` (zeros, so the forward pass is unchanged) to the current the neurons receive at
    step ``t`` and returns ``(spikes, v_T)``; ``dL/dv_t = (dL/dperturbation_t) / gain``. ``L = sum(v_T * r)``
    with ``v_T`` the voltage the library keeps as its state (after the reset in norse and spikingjelly)."""
    from ..measure import readout

    T, B = x.shape[:2]
    n = gain.numel()
    eps = [torch.zeros(B, n, dtype=x.dtype, requires_grad=True) for _ in range(T)]
    with torch.enable_grad():
        _, v_last = run(x, eps)
        r = readout(v_last.shape, seed, v_last.dtype, v_last.device) if readout_weights is None else readout_weights
        grads = torch.autograd.grad((v_last * r).sum(), eps, allow_unused=True)
    gain = gain.to(x.dtype)
    return torch.stack([torch.zeros((), dtype=x.dtype) if g is None else (g / gain).norm() for g in grads])


def read_surrogate(library: str, target: str, arguments: dict) -> Surrogate | None:
    """The lifstab surrogate equal to the peer surrogate ``target(**arguments)``: :data:`lifstab.interop.
    EQUIVALENTS` read backwards (a constrained field takes its constraint); None where none matches."""
    from .. import interop

    for family, libraries in interop.EQUIVALENTS.items():
        for option in libraries[library]:
            if option.target != target or set(option.arguments) != set(arguments):
                continue
            shape = {field: float(arguments[name]) / factor for name, (factor, field) in option.arguments.items()}
            sharpness = option.sharpness if option.sharpness is not None else shape.get("sharpness", 1.0)
            dampening = shape.get("dampening", sharpness if option.dampening == "sharpness" else option.dampening)
            return Surrogate(family, dampening, sharpness, tail=shape.get("tail"))
    return None


class PeerAdapter:
    """One peer layer: reads its dynamics (:meth:`describe`), writes weights and a surrogate back
    (:meth:`write`) and runs the library's own forward pass (:meth:`run`)."""

    library: str = ""
    layer: str = ""

    def describe(self) -> PeerLIF:
        raise NotImplementedError

    def write(self, w_in: torch.Tensor, bias: torch.Tensor, w_rec: torch.Tensor | None,
              surrogate: Surrogate) -> list[str]:
        """Write lifstab-orientation weights (gain folded in) and ``surrogate``; returns what changed."""
        raise NotImplementedError

    def run(self, x: torch.Tensor, perturbation: Sequence[torch.Tensor] | None = None):
        """The library's own forward pass over ``x`` (``(T, B, n_in)``): ``(spikes (T, B, n), v_T)``."""
        raise NotImplementedError

    def surrogate(self) -> Surrogate | None:
        """The peer's current surrogate as a lifstab one (None where lifstab has no equivalent)."""
        raise NotImplementedError

    def write_surrogate(self, surrogate: Surrogate) -> str:
        """Write ``surrogate`` alone into the peer (weights untouched); returns what changed."""
        raise NotImplementedError

    def sharpness_settable(self, surrogate: Surrogate) -> str:
        """"" when ``surrogate`` with another sharpness can be written into the peer exactly (what
        :func:`lifstab.keep_edge_` changes), else why not. Peers that take a callable always can."""
        return ""

    def entry(self) -> torch.nn.Module:
        """The peer module whose forward input is the layer's input ``x`` (the edge keeper's hook)."""
        raise NotImplementedError

    def has_bias(self) -> bool:
        """Whether :meth:`write` can write a bias (the one that lifts a silent layer's rate)."""
        raise NotImplementedError

    def error(self, reason: str) -> ValueError:
        return unsupported(self.library, self.layer, reason)


__all__ = ["PeerLIF", "RECURRENCES", "unsupported", "per_neuron", "check_decay", "check_threshold",
           "description_layer", "simulate", "SurrogateSpike", "scalar_surrogate", "perturbed_gradient_norms",
           "PeerAdapter", "read_surrogate"]
