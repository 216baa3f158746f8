"""Networks trained by the experiments: 2-layer recurrent LIF / ALIF (lifstab's layers), a spiking
LSTM with binary gates through lifstab's ``spike``, and a non-spiking GRU baseline.

Every model maps a time-major input to per-step logits ``(T, B, n_out)`` plus the mean firing rate
of each spiking layer (empty for the GRU); the training loop decides how steps are pooled.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
from torch import nn

from lifstab import RecurrentALIF, RecurrentLIF, Surrogate, spike


class ModelOutput(NamedTuple):
    logits: torch.Tensor          # (T, B, n_out)
    layer_rates: list[torch.Tensor]  # one scalar per spiking layer, differentiable

    @property
    def firing_rate(self) -> torch.Tensor | None:
        return torch.stack(self.layer_rates).mean() if self.layer_rates else None


class _Encoder(nn.Module):
    """Token ids -> embeddings for language tasks; identity for spike/current inputs. ``time_repeat``
    shows every frame that many times in a row (the paper's recipe shows each twice)."""

    def __init__(self, n_in: int, n_hidden: int, vocabulary: bool, time_repeat: int = 1) -> None:
        super().__init__()
        self.embedding = nn.Embedding(n_in, n_hidden) if vocabulary else None
        self.n_out = n_hidden if vocabulary else n_in
        self.time_repeat = time_repeat

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x if self.embedding is None else self.embedding(x)
        return x if self.time_repeat == 1 else x.repeat_interleave(self.time_repeat, dim=0)


class _SpikingStack(nn.Module):
    """Encoder, spiking layers (``self.layers``) and a readout; subclasses build the layers."""

    def forward(self, x: torch.Tensor) -> ModelOutput:
        h, rates = self.encoder(x), []
        for layer in self.layers:
            h = layer(h)
            rates.append(h.mean())
        return ModelOutput(self.readout(h), rates)


class LeakyReadout(nn.Module):
    """A non-spiking leaky output layer: ``v_t = decay v_{t-1} + W z_t + b``; the logits are ``v_t`` (the
    membrane-potential readout of snntorch's tutorials)."""

    def __init__(self, n_in: int, n_out: int, tau: float = 20.0) -> None:
        super().__init__()
        self.linear = nn.Linear(n_in, n_out)
        self.decay = math.exp(-1.0 / tau)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        current, v, out = self.linear(z), 0.0, []
        for c in current:
            v = self.decay * v + c
            out.append(v)
        return torch.stack(out)


#: how the last layer's spikes become logits: a linear map per step, or a leaky membrane
READOUTS = ("linear", "membrane")


class SpikingNet(_SpikingStack):
    """Stacked recurrent LIF or ALIF layers (``cell``) and a readout of the last layer's spikes
    (``readout``: :data:`READOUTS`; the membrane's time constant is the layers' ``tau``)."""

    def __init__(self, n_in: int, n_hidden: int, n_out: int, cell: str = "lif", layers: int = 2,
                 surrogate: Surrogate | str = "fast_sigmoid", tau: float = 20.0, threshold: float = 1.0,
                 vocabulary: bool = False, seed: int = 0, reset: str = "subtractive", time_repeat: int = 1,
                 readout: str = "linear") -> None:
        super().__init__()
        layer_class = {"lif": RecurrentLIF, "alif": RecurrentALIF}[cell]
        self.encoder = _Encoder(n_in, n_hidden, vocabulary, time_repeat)
        sizes = [self.encoder.n_out] + [n_hidden] * layers
        self.layers = nn.ModuleList(
            layer_class(a, b, tau=tau, threshold=threshold, surrogate=surrogate, seed=seed + i, reset=reset)
            for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]))
        )
        if readout not in READOUTS:
            raise ValueError(f"readout={readout!r} is unknown; choose one of {list(READOUTS)}")
        self.readout = nn.Linear(n_hidden, n_out) if readout == "linear" else LeakyReadout(n_hidden, n_out, tau)


class SpikingLSTMLayer(nn.Module):
    """LSTM whose input, forget and output gates are binary, ``H(pre)`` forward and the SG backward;
    the cell emits spikes ``h_t = o_t H(c_t - threshold)``."""

    def __init__(self, n_in: int, n_hidden: int, surrogate: Surrogate, threshold: float = 0.5) -> None:
        super().__init__()
        self.n_hidden, self.surrogate, self.threshold = n_hidden, surrogate, threshold
        self.gates = nn.Linear(n_in + n_hidden, 4 * n_hidden)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x.new_zeros(x.shape[1], self.n_hidden)
        c = torch.zeros_like(h)
        out = []
        for x_t in x:
            i, f, o, g = self.gates(torch.cat([x_t, h], -1)).chunk(4, -1)
            i, f, o = (spike(p, self.surrogate) for p in (i, f, o))
            c = f * c + i * torch.tanh(g)
            h = o * spike(c - self.threshold, self.surrogate)
            out.append(h)
        return torch.stack(out)


class SpikingLSTM(_SpikingStack):
    def __init__(self, n_in: int, n_hidden: int, n_out: int, layers: int = 2,
                 surrogate: Surrogate | str = "fast_sigmoid", vocabulary: bool = False, **_) -> None:
        super().__init__()
        from lifstab.surrogates import as_surrogate

        self.encoder = _Encoder(n_in, n_hidden, vocabulary)
        sizes = [self.encoder.n_out] + [n_hidden] * layers
        self.layers = nn.ModuleList(SpikingLSTMLayer(a, b, as_surrogate(surrogate)) for a, b in zip(sizes[:-1], sizes[1:]))
        self.readout = nn.Linear(n_hidden, n_out)



class GRUBaseline(nn.Module):
    """Non-spiking reference: ``torch.nn.GRU`` (or ``cell=nn.LSTM``) with the same readout."""

    def __init__(self, n_in: int, n_hidden: int, n_out: int, layers: int = 2, vocabulary: bool = False,
                 cell: type[nn.Module] = nn.GRU, **_) -> None:
        super().__init__()
        self.encoder = _Encoder(n_in, n_hidden, vocabulary)
        self.gru = cell(self.encoder.n_out, n_hidden, num_layers=layers)
        self.readout = nn.Linear(n_hidden, n_out)

    def forward(self, x: torch.Tensor) -> ModelOutput:
        h, _ = self.gru(self.encoder(x))
        return ModelOutput(self.readout(h), [])


#: model name -> (constructor, is spiking)
MODELS = {
    "lif": lambda **kw: SpikingNet(cell="lif", **kw),
    "alif": lambda **kw: SpikingNet(cell="alif", **kw),
    "lstm": SpikingLSTM,
    "gru": GRUBaseline,
    "nn_lstm": lambda **kw: GRUBaseline(cell=nn.LSTM, **kw),
}
#: the non-spiking baselines
ANN_MODELS = ("gru", "nn_lstm")


def build_model(name: str, n_in: int, n_hidden: int, n_out: int, **options) -> nn.Module:
    """A model by name; ``options`` go to its constructor (surrogate, tau, threshold, layers, ...)."""
    if name not in MODELS:
        raise ValueError(f"model={name!r} is unknown; choose one of {sorted(MODELS)}")
    with torch.random.fork_rng():
        torch.manual_seed(options.get("seed", 0))  # readout and GRU weights come from torch's generator
        return MODELS[name](n_in=n_in, n_hidden=n_hidden, n_out=n_out, **options)
