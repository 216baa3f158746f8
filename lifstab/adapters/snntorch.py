"""snntorch (read from snntorch 1.0.0, ``snntorch/_neurons/leaky.py``, ``rleaky.py``, ``neurons.py``).

A ``(torch.nn.Linear, snntorch.Leaky)`` or ``(torch.nn.Linear, snntorch.RLeaky)`` pair runs, with
``c_t = Linear(x_t)``, ``beta = clamp(beta, 0, 1)`` and ``r_{t-1} = H(mem_{t-1} - threshold)`` always
detached (``mem_reset``)::

    Leaky  subtract: mem_t = beta mem_{t-1} + c_t - threshold r_{t-1}
    Leaky  zero:     mem_t = beta mem_{t-1} (1 - r_{t-1}) + c_t
    RLeaky subtract: mem_t = beta mem_{t-1} + c_t + R(spk_{t-1}) - threshold r_{t-1}
    RLeaky zero:     mem_t = (beta mem_{t-1} + c_t + R(spk_{t-1})) (1 - r_{t-1})
    spk_t = spike_grad(mem_t - threshold) * graded_spikes_factor   (forward: 1 where mem_t > threshold)

with ``R`` an ``nn.Linear(n, n)`` (``all_to_all``, diagonal and bias included) or ``V * spk``
(``all_to_all=False``). That is exactly lifstab's LIF with decay ``beta``, gain 1 and the reset
detached: ``subtract`` -> ``subtractive``, ``zero`` -> ``multiplicative_2`` (Leaky) or
``multiplicative_1`` (RLeaky), ``none`` -> ``none``, when ``0 < beta < 1``, ``threshold > 0``,
``graded_spikes_factor == 1``, ``reset_delay=True`` and without ``inhibition``, ``state_quant`` or
``surrogate_disable``, and (RLeaky) a linear recurrence; anything else raises ``ValueError``.
"""

from __future__ import annotations

import inspect
from typing import Sequence

import torch

from .. import interop
from ..surrogates import Surrogate
from .core import (PeerAdapter, PeerLIF, SurrogateSpike, check_decay, check_threshold, per_neuron,
                   read_surrogate, scalar_surrogate)

LIBRARY = "snntorch"
#: snntorch reset_mechanism_val -> lifstab reset, per neuron class
RESETS = {"Leaky": {0: "subtractive", 1: "multiplicative_2", 2: "none"},
          "RLeaky": {0: "subtractive", 1: "multiplicative_1", 2: "none"}}


def neuron_classes() -> tuple[type, ...]:
    import snntorch

    return snntorch.Leaky, snntorch.RLeaky


def write_surrogate(neuron, surrogate: Surrogate, float64_recurrent: bool = False) -> str:
    """``neuron.spike_grad``: snntorch's own surrogate where :mod:`lifstab.interop` maps it exactly, else a
    :class:`SurrogateSpike` (snntorch calls ``spike_grad(mem - threshold)``, forward ``u > 0`` as lifstab).
    snntorch's surrogates return float32 spikes, which a float64 RLeaky feeds to its float64 recurrent
    ``Linear`` and fails: there (``float64_recurrent``) the dtype-preserving callable is written."""
    surrogate = scalar_surrogate(surrogate)
    try:
        if float64_recurrent:
            raise ValueError("snntorch's surrogates return float32 spikes; this RLeaky runs in float64")
        function = interop.to_snntorch(surrogate)
        # a SurrogateSpike written before is a child module; torch refuses a plain function in its place
        neuron._modules.pop("spike_grad", None)
        neuron.spike_grad = function
        return f"spike_grad = snntorch.surrogate.{interop.mapping_for(surrogate, LIBRARY).describe(LIBRARY)}"
    except ValueError as why:
        neuron.spike_grad = SurrogateSpike(surrogate)
        return f"spike_grad = {neuron.spike_grad!r} (no exact snntorch surrogate: {why})"


class LinearNeuron(PeerAdapter):
    """``(torch.nn.Linear, snntorch.Leaky | snntorch.RLeaky)``."""

    library = LIBRARY

    def __init__(self, linear: torch.nn.Linear, neuron) -> None:
        self.linear, self.neuron = linear, neuron
        self.kind = type(neuron).__name__
        self.layer = f"(torch.nn.Linear, snntorch.{self.kind})"
        self.recurrent = self.kind == "RLeaky"

    def _check_options(self) -> None:
        nrn = self.neuron
        if nrn.inhibition:
            raise self.error("inhibition=True lets only the largest voltage spike; lifstab's LIF has no inhibition")
        if nrn.state_quant:
            raise self.error("state_quant quantises the voltage; lifstab's LIF does not")
        if nrn.surrogate_disable:
            raise self.error("surrogate_disable=True bypasses spike_grad, so no surrogate could be written")
        if not nrn.reset_delay:
            raise self.error("reset_delay=False resets in the step that spikes; lifstab resets in the next step")
        if not torch.all(torch.as_tensor(nrn.graded_spikes_factor) == 1):
            raise self.error("graded_spikes_factor != 1 scales the spikes; lifstab's spikes are 0 or 1")

    def _recurrence(self, n: int):
        nrn = self.neuron
        if not self.recurrent:
            return "none", None, torch.zeros(n, dtype=torch.float64)
        if nrn.all_to_all:
            if not isinstance(nrn.recurrent, torch.nn.Linear):
                raise self.error("a convolutional recurrence (conv2d_channels) is not a LIF layer's matrix")
            rec = nrn.recurrent
            bias = torch.zeros(n, dtype=torch.float64) if rec.bias is None else rec.bias.detach().double()
            return "all_to_all", rec.weight.detach().double().T.clone(), bias
        v = per_neuron(nrn.V, n, LIBRARY, self.layer, "V")
        return "one_to_one", torch.diag(v), torch.zeros(n, dtype=torch.float64)

    def describe(self) -> PeerLIF:
        self._check_options()
        n = self.linear.out_features
        nrn = self.neuron
        decay = check_decay(per_neuron(nrn.beta.detach().clamp(0, 1), n, LIBRARY, self.layer, "beta"),
                            LIBRARY, self.layer, "beta")
        threshold = check_threshold(per_neuron(nrn.threshold, n, LIBRARY, self.layer, "threshold"),
                                    LIBRARY, self.layer)
        recurrence, w_rec, rec_bias = self._recurrence(n)
        bias = torch.zeros(n, dtype=torch.float64) if self.linear.bias is None else self.linear.bias.detach().double()
        return PeerLIF(LIBRARY, self.layer, decay, threshold, RESETS[self.kind][int(nrn.reset_mechanism_val)],
                       detach_reset=True, recurrence=recurrence, gain=torch.ones(n, dtype=torch.float64),
                       w_in=self.linear.weight.detach().double().T.clone(), bias=bias + rec_bias, w_rec=w_rec)

    def _recurrent_linear(self):
        return self.neuron.recurrent if self.recurrent and self.neuron.all_to_all else None

    def write(self, w_in, bias, w_rec, surrogate: Surrogate) -> list[str]:
        changes = []
        rec = self._recurrent_linear()
        with torch.no_grad():
            self.linear.weight.copy_(w_in.T)
            changes.append("Linear.weight")
            if self.linear.bias is not None:
                self.linear.bias.copy_(bias)
                changes.append("Linear.bias")
            if rec is not None:
                rec.weight.copy_(w_rec.T)
                changes.append("RLeaky.recurrent.weight (diagonal 0)")
                if rec.bias is not None:  # the bias goes to the Linear's; to this one where the Linear has none
                    rec.bias.copy_(bias) if self.linear.bias is None else rec.bias.zero_()
                    changes.append("RLeaky.recurrent.bias" + ("" if self.linear.bias is None else " = 0"))
        changes.append(self.write_surrogate(surrogate))
        return changes

    def write_surrogate(self, surrogate: Surrogate) -> str:
        float64 = self.recurrent and self.linear.weight.dtype == torch.float64
        return write_surrogate(self.neuron, surrogate, float64)

    def entry(self) -> torch.nn.Module:
        return self.linear

    def has_bias(self) -> bool:
        rec = self._recurrent_linear()
        return self.linear.bias is not None or (rec is not None and rec.bias is not None)

    def surrogate(self) -> Surrogate | None:
        fn = self.neuron.spike_grad
        if isinstance(fn, SurrogateSpike):
            return fn.surrogate
        try:  # snntorch.surrogate.<name>(**arguments) returns a closure over its arguments
            arguments = inspect.getclosurevars(fn).nonlocals
        except TypeError:
            return None
        return read_surrogate(LIBRARY, getattr(fn, "__qualname__", "").split(".")[0], arguments)

    def run(self, x: torch.Tensor, perturbation: Sequence[torch.Tensor] | None = None):
        nrn = self.neuron
        currents = self.linear(x)
        spk = torch.zeros_like(currents[0])
        mem = torch.zeros_like(currents[0])
        if nrn.init_hidden:
            nrn.reset_mem()
        spikes = []
        for t, c in enumerate(currents):
            if perturbation is not None:
                c = c + perturbation[t]
            if nrn.init_hidden:
                out = nrn(c)
                spk, mem = (out[0], out[1]) if isinstance(out, tuple) else (out, nrn.mem)
            elif self.recurrent:
                spk, mem = nrn(c, spk, mem)
            else:
                spk, mem = nrn(c, mem)
            spikes.append(spk)
        return torch.stack(spikes), mem


def adapt(layer) -> PeerAdapter:
    """The adapter for a ``(Linear, Leaky | RLeaky)`` pair; ``ValueError`` for anything else."""
    if isinstance(layer, tuple) and len(layer) == 2 and isinstance(layer[1], neuron_classes()):
        linear, neuron = layer
        if not isinstance(linear, torch.nn.Linear):
            raise ValueError(f"snntorch {type(neuron).__name__}: lifstab needs it paired with the torch.nn.Linear "
                             f"that feeds it, got {type(linear).__name__}")
        return LinearNeuron(linear, neuron)
    name = type(layer[1] if isinstance(layer, tuple) and len(layer) == 2 else layer).__name__
    raise ValueError(f"snntorch {name}: only (torch.nn.Linear, snntorch.Leaky) and (torch.nn.Linear, "
                     f"snntorch.RLeaky) are supported (other neurons carry state lifstab's LIF has not)")
