"""norse (read from norse 1.1.0, ``norse/torch/functional/lif.py`` and ``module/lif.py``, ``snn.py``).

One step of ``lif_step`` (``LIFRecurrentCell``, ``LIFRecurrent``) and ``lif_feed_forward_step``
(``LIFCell``, ``LIF``; their input ``c_t`` comes from the preceding ``Linear``), with ``a = dt * tau_mem_inv``
and ``k = dt * tau_syn_inv``::

    i_jump = i_{t-1} + W x_t + R z_{t-1}          (feed-forward: i_{t-1} + c_t)
    v_dec  = v_{t-1} + a ((v_leak - v_{t-1}) + i_jump)
    z_t    = threshold(v_dec - v_th, method, alpha)          (forward: 1 where v_dec > v_th)
    v_t    = (1 - z_t) v_dec + z_t v_reset                   (z_t detached in lif_step only)
    i_t    = i_jump - k i_jump

With ``k == 1`` exactly as norse computes it, the synaptic current is empty at every step and, for
``v_leak == v_reset == 0`` and ``0 < a < 1``, ``v_dec`` is lifstab's voltage of a
``multiplicative_2`` LIF (``v_t = alpha v_{t-1} (1 - z_{t-1}) + I_t``) with decay ``1 - a``, gain ``a``
and the reset detached in the recurrent modules, not in the feed-forward ones. norse's default
``tau_syn_inv * dt = 0.2`` keeps a synaptic current (a second state lifstab's LIF has not): set
``tau_syn_inv = 1 / dt``. Any other setting, ``method="adjoint"`` and a surrogate norse has no exact
equivalent of (:mod:`lifstab.interop`; the edge route's unit dampening leaves ``"sigmoid"`` ->
``tanh``, the default family here) raise ``ValueError``.

The recurrent modules have no bias, so ``stable_init_`` cannot lift a silent ``LIFRecurrent(Cell)``'s rate
(its ``changes`` say so). ``p.v_leak`` would be the one constant current, but norse also starts every state
at ``v = v_leak`` (``initial_state``, a ``torch.full`` that takes a number), an initial voltage lifstab's
description has not, so it stays refused. A ``(Linear, LIFCell)`` pair has the ``Linear``'s bias.
"""

from __future__ import annotations

from typing import Sequence

import torch

from .. import interop
from ..surrogates import Surrogate
from .core import PeerAdapter, PeerLIF, check_decay, check_threshold, per_neuron, read_surrogate, scalar_surrogate

LIBRARY = "norse"


def _classes():
    import norse.torch as nt

    return {"recurrent": (nt.LIFRecurrentCell, nt.LIFRecurrent), "feed_forward": (nt.LIFCell, nt.LIF)}


class _Norse(PeerAdapter):
    library = LIBRARY
    default_family = "sigmoid"

    def _dynamics(self, n: int):
        """decay, gain, threshold from the module's ``p`` and ``dt``; ``ValueError`` when not a LIF."""
        p, dt = self.module.p, self.module.dt
        if p.method == "adjoint":
            raise self.error("method='adjoint' runs norse's adjoint solver, not the step lifstab reads")
        for name in ("v_leak", "v_reset"):
            if not torch.all(torch.as_tensor(getattr(p, name)) == 0):
                raise self.error(f"p.{name} = {getattr(p, name)} must be 0: lifstab's LIF leaks and resets to 0")
        if not torch.all(-dt * torch.as_tensor(p.tau_syn_inv) == -1):
            raise self.error(f"dt * tau_syn_inv = {dt * torch.as_tensor(p.tau_syn_inv)} keeps a synaptic current "
                             "across steps (a second state lifstab's LIF has not); it maps only when "
                             "tau_syn_inv = 1 / dt exactly")
        gain = per_neuron(dt * torch.as_tensor(p.tau_mem_inv), n, LIBRARY, self.layer, "dt * tau_mem_inv")
        decay = check_decay(1 - gain, LIBRARY, self.layer, "1 - dt * tau_mem_inv")
        threshold = check_threshold(per_neuron(p.v_th, n, LIBRARY, self.layer, "v_th"), LIBRARY, self.layer)
        return decay, gain, threshold

    def _surrogate(self, surrogate: Surrogate):
        try:
            return interop.to_norse(scalar_surrogate(surrogate))
        except ValueError as why:
            raise self.error(f"its surrogate is a method name with no callable protocol, and {why}") from None

    def surrogate(self) -> Surrogate | None:
        return read_surrogate(LIBRARY, self.module.p.method, {"alpha": float(self.module.p.alpha)})

    def _write_surrogate(self, spec) -> str:
        self.module.p = self.module.p._replace(method=spec.method, alpha=torch.as_tensor(spec.alpha))
        return f"p.method = {spec.method!r}, p.alpha = {spec.alpha:.6g}"

    def write_surrogate(self, surrogate: Surrogate) -> str:
        return self._write_surrogate(self._surrogate(surrogate))

    def sharpness_settable(self, surrogate: Surrogate) -> str:
        try:
            mapping = interop.mapping_for(scalar_surrogate(surrogate), LIBRARY)
        except ValueError as why:
            return str(why)
        if mapping.sharpness is not None or mapping.dampening == "sharpness":
            return (f"norse's {mapping.target!r} fixes the sharpness ({mapping.constraint()}), so no other "
                    f"sharpness can be written exactly")
        return ""

    @staticmethod
    def _state(kind, batch: int, n: int, x: torch.Tensor):
        from norse.torch.functional.lif import LIFFeedForwardState, LIFState

        zeros = lambda: torch.zeros(batch, n, dtype=x.dtype, device=x.device)  # noqa: E731
        return LIFState(zeros(), zeros(), zeros()) if kind == "recurrent" else LIFFeedForwardState(zeros(), zeros())


class Recurrent(_Norse):
    """``norse.torch.LIFRecurrentCell`` or ``LIFRecurrent`` (input weights inside the module)."""

    def __init__(self, module) -> None:
        self.module = module
        self.sequence = not type(module).__name__.endswith("Cell")
        self.layer = f"norse.torch.{type(module).__name__}"

    def describe(self) -> PeerLIF:
        m = self.module
        n = m.hidden_size
        decay, gain, threshold = self._dynamics(n)
        column = gain.reshape(1, -1)
        return PeerLIF(LIBRARY, self.layer, decay, threshold, "multiplicative_2", True,
                       "all_to_all" if m.autapses else "no_autapses", gain,
                       w_in=m.input_weights.detach().double().T * column, bias=torch.zeros(n, dtype=torch.float64),
                       w_rec=m.recurrent_weights.detach().double().T * column)

    def write(self, w_in, bias, w_rec, surrogate) -> list[str]:
        spec = self._surrogate(surrogate)  # first: nothing changes when the surrogate cannot be written
        with torch.no_grad():
            self.module.input_weights.copy_(w_in.T)
            self.module.recurrent_weights.copy_(w_rec.T)
        return ["input_weights", "recurrent_weights (diagonal 0)", self._write_surrogate(spec)]

    def entry(self) -> torch.nn.Module:
        return self.module

    def has_bias(self) -> bool:
        return False

    def run(self, x: torch.Tensor, perturbation: Sequence[torch.Tensor] | None = None):
        m = self.module
        if perturbation is None and self.sequence:
            spikes, state = m(x)
            return spikes, state.v
        state = self._state("recurrent", x.shape[1], m.hidden_size, x)
        spikes = []
        for t in range(x.shape[0]):
            if perturbation is not None:  # enters i_jump, so v_dec, with gain a
                state = state._replace(i=state.i + perturbation[t])
            z, state = m(x[t:t + 1], state) if self.sequence else m(x[t], state)
            spikes.append(z[0] if self.sequence else z)
        return torch.stack(spikes), state.v


class LinearLIF(_Norse):
    """``(torch.nn.Linear, norse.torch.LIF | LIFCell)``."""

    def __init__(self, linear: torch.nn.Linear, module) -> None:
        self.linear, self.module = linear, module
        self.sequence = type(module).__name__ == "LIF"
        self.layer = f"(torch.nn.Linear, norse.torch.{type(module).__name__})"

    def describe(self) -> PeerLIF:
        n = self.linear.out_features
        decay, gain, threshold = self._dynamics(n)
        bias = torch.zeros(n, dtype=torch.float64) if self.linear.bias is None else self.linear.bias.detach().double()
        return PeerLIF(LIBRARY, self.layer, decay, threshold, "multiplicative_2", False, "none", gain,
                       w_in=self.linear.weight.detach().double().T * gain.reshape(1, -1), bias=bias * gain)

    def write(self, w_in, bias, w_rec, surrogate) -> list[str]:
        try:
            surrogate_change = self._write_surrogate(self._surrogate(surrogate))
        except ValueError as why:  # feed-forward: Condition IV's per-neuron shape; the weights still apply
            surrogate_change = f"surrogate unchanged ({why})"
        changes = ["Linear.weight"]
        with torch.no_grad():
            self.linear.weight.copy_(w_in.T)
            if self.linear.bias is not None:
                self.linear.bias.copy_(bias)
                changes.append("Linear.bias")
        return changes + [surrogate_change]

    def entry(self) -> torch.nn.Module:
        return self.linear

    def has_bias(self) -> bool:
        return self.linear.bias is not None

    def run(self, x: torch.Tensor, perturbation: Sequence[torch.Tensor] | None = None):
        m = self.module
        currents = self.linear(x)
        if perturbation is not None:
            currents = currents + torch.stack(list(perturbation))
        if self.sequence:
            spikes, state = m(currents)
            return spikes, state.v
        state = self._state("feed_forward", x.shape[1], currents.shape[-1], x)
        spikes = []
        for c in currents:
            z, state = m(c, state)
            spikes.append(z)
        return torch.stack(spikes), state.v


def adapt(layer) -> PeerAdapter:
    classes = _classes()
    if isinstance(layer, classes["recurrent"]):
        return Recurrent(layer)
    if isinstance(layer, tuple) and len(layer) == 2 and isinstance(layer[1], classes["feed_forward"]):
        if not isinstance(layer[0], torch.nn.Linear):
            raise ValueError(f"norse {type(layer[1]).__name__}: lifstab needs it paired with the torch.nn.Linear "
                             f"that feeds it, got {type(layer[0]).__name__}")
        return LinearLIF(*layer)
    name = type(layer[-1] if isinstance(layer, tuple) and layer else layer).__name__
    raise ValueError(f"norse {name}: only LIFRecurrent, LIFRecurrentCell and (torch.nn.Linear, LIF | LIFCell) "
                     f"are supported (other norse neurons carry state lifstab's LIF has not)")
