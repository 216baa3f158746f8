"""LIF and ALIF neurons: a functional step and thin ``nn.Module`` wrappers (norse-style split).

The voltage update of each reset variant is generated from ``derivations/lif.py``.
"""

from __future__ import annotations

import math
from typing import NamedTuple, Union

import torch
from torch import nn

from ._generated import lif_torch
from .lif_sequence import Adaptation, lif_sequence
from .sparse_projection import input_projection
from .surrogates import Surrogate, as_surrogate, spike

RESETS: tuple[str, ...] = tuple(lif_torch.KERNELS)
#: "fast": the whole sequence as one autograd function (lifstab/lif_sequence.py);
#: "reference": ``lif_step`` in a Python loop under autograd. Both give the same numbers.
IMPLEMENTATIONS: tuple[str, ...] = ("fast", "reference")
TensorLike = Union[float, torch.Tensor]


class LIFParams(NamedTuple):
    """Parameters of one LIF step. ``decay`` (alpha = exp(-1/tau)) and ``threshold`` broadcast
    against the neuron axis (scalars or per-neuron tensors)."""

    decay: TensorLike
    threshold: TensorLike
    surrogate: Surrogate
    reset: str = "subtractive"
    detach_reset: bool = True


class LIFState(NamedTuple):
    """Voltage and spikes of the previous step."""

    v: torch.Tensor
    z: torch.Tensor


class ALIFState(NamedTuple):
    """LIF state plus the adaptation variable ``a``."""

    v: torch.Tensor
    z: torch.Tensor
    a: torch.Tensor


def check_reset(reset: str) -> str:
    if reset not in RESETS:
        raise ValueError(f"reset={reset!r} is unknown; choose one of {list(RESETS)}")
    return reset


def decay_from_tau(tau: TensorLike) -> TensorLike:
    """alpha = exp(-1/tau) for a membrane time constant tau in steps (finite and > 0)."""
    if isinstance(tau, torch.Tensor):
        if not tau.is_floating_point() or not bool(torch.all(torch.isfinite(tau) & (tau > 0))):
            raise ValueError("tau must be a floating-point tensor of finite values > 0")
        return torch.exp(-1.0 / tau)
    if isinstance(tau, bool) or not isinstance(tau, (int, float)) or not (0 < tau < math.inf):
        raise ValueError(f"tau must be a finite number > 0 (steps), got {tau!r}")
    return math.exp(-1.0 / tau)


def _voltage(input_current, v, z, params: LIFParams, reset_threshold) -> torch.Tensor:
    z_reset = z.detach() if params.detach_reset else z
    return lif_torch.KERNELS[params.reset](v, input_current, z_reset, params.decay, reset_threshold)


def lif_step(input_current: torch.Tensor, state: LIFState, params: LIFParams) -> tuple[torch.Tensor, LIFState]:
    """One LIF step: ``v_t`` from the reset variant's update, ``z_t = H(v_t - theta)``.

    ``input_current`` is the total current ``I_t`` (input and recurrent parts, bias included).
    """
    v = _voltage(input_current, state.v, state.z, params, params.threshold)
    z = spike(v - params.threshold, params.surrogate)
    return z, LIFState(v, z)


def alif_step(
    input_current: torch.Tensor,
    state: ALIFState,
    params: LIFParams,
    adaptation_decay: TensorLike,
    adaptation_strength: TensorLike,
) -> tuple[torch.Tensor, ALIFState]:
    """One ALIF step: ``a_t = rho a_{t-1} + (1 - rho) z_{t-1}``, threshold ``A_t = theta + b_a a_t``
    used both to spike and (subtractive reset) as the amount subtracted."""
    a = adaptation_decay * state.a + (1 - adaptation_decay) * state.z
    adaptive_threshold = params.threshold + adaptation_strength * a
    v = _voltage(input_current, state.v, state.z, params, adaptive_threshold)
    z = spike(v - adaptive_threshold, params.surrogate)
    return z, ALIFState(v, z, a)


def _positive_vector(name: str, value: TensorLike, n: int, dtype: torch.dtype | None = None) -> torch.Tensor:
    # built in the layer's dtype: a float64 layer must not see its constants rounded through float32
    try:
        t = torch.as_tensor(value, dtype=dtype or torch.get_default_dtype()).clone()
    except (TypeError, ValueError, RuntimeError):
        raise ValueError(f"{name} must be a number or a tensor of numbers, got {value!r}") from None
    if t.ndim == 0:
        t = t.expand(n).clone()
    if t.shape != (n,):
        raise ValueError(f"{name} must be a scalar or have shape ({n},), got {tuple(t.shape)}")
    if not torch.all(torch.isfinite(t)) or not torch.all(t > 0):
        raise ValueError(f"{name} must be finite and > 0, got {value!r}")
    return t


class RecurrentLIF(nn.Module):
    """A layer of LIF neurons over a time-major sequence.

    Current: ``I_t = x_t @ w_in + z_{t-1} @ w_rec + bias`` with ``w_in`` (n_in x n_rec) and ``w_rec``
    (n_rec x n_rec, diagonal held at zero). ``tau`` (steps) and ``threshold`` are per neuron,
    trainable when ``train_tau`` / ``train_threshold``. ``recurrent=False`` gives a feed-forward layer.
    ``forward(x)`` takes ``(T, B, n_in)`` and returns spikes ``(T, B, n_rec)``, and voltages when
    ``return_voltages=True``. ``implementation`` is ``"fast"`` (default; whole-sequence autograd
    function) or ``"reference"`` (the step loop); both give the same values and gradients.
    """

    def __init__(
        self,
        n_in: int,
        n_rec: int,
        tau: TensorLike = 20.0,
        threshold: TensorLike = 1.0,
        reset: str = "subtractive",
        detach_reset: bool = True,
        surrogate: Surrogate | str = "fast_sigmoid",
        recurrent: bool = True,
        bias: bool = True,
        train_tau: bool = False,
        train_threshold: bool = False,
        dtype: torch.dtype | None = None,
        device: torch.device | str | None = None,
        seed: int | None = None,
        implementation: str = "fast",
    ) -> None:
        super().__init__()
        if implementation not in IMPLEMENTATIONS:
            raise ValueError(f"implementation={implementation!r} is unknown; choose one of {list(IMPLEMENTATIONS)}")
        self.implementation = implementation
        for name, n in (("n_in", n_in), ("n_rec", n_rec)):
            if not isinstance(n, int) or isinstance(n, bool) or n < 1:
                raise ValueError(f"{name} must be a positive integer, got {n!r}")
        self.n_in, self.n_rec = n_in, n_rec
        self.reset = check_reset(reset)
        self.detach_reset = bool(detach_reset)
        self.surrogate = as_surrogate(surrogate)
        self.recurrent = recurrent
        factory = {"dtype": dtype or torch.get_default_dtype(), "device": device}
        self.tau = nn.Parameter(_positive_vector("tau", tau, n_rec, factory["dtype"]).to(**factory), requires_grad=train_tau)
        self.threshold = nn.Parameter(
            _positive_vector("threshold", threshold, n_rec, factory["dtype"]).to(**factory), requires_grad=train_threshold
        )
        self.w_in = nn.Parameter(torch.empty(n_in, n_rec, **factory))
        self.w_rec = nn.Parameter(torch.empty(n_rec, n_rec, **factory)) if recurrent else None
        self.bias = nn.Parameter(torch.zeros(n_rec, **factory)) if bias else None
        self.register_buffer("rec_mask", 1 - torch.eye(n_rec, **factory), persistent=False)
        self.reset_parameters(seed)

    def reset_parameters(self, seed: int | None = None) -> None:
        """Glorot-uniform weights (recurrent diagonal zero), zero bias. Drawn from a generator seeded with
        ``seed`` when it is given, else from torch's global generator (so ``torch.manual_seed`` makes them
        reproducible, as for ``torch.nn.Linear``)."""
        gen = torch.Generator(device="cpu").manual_seed(seed) if seed is not None else None
        with torch.no_grad():
            for w in (self.w_in, self.w_rec):
                if w is None:
                    continue
                limit = math.sqrt(6.0 / (w.shape[0] + w.shape[1]))
                w.copy_(torch.rand(w.shape, generator=gen, dtype=w.dtype) * 2 * limit - limit)
            if self.w_rec is not None:
                self.w_rec.mul_(self.rec_mask)
            if self.bias is not None:
                self.bias.zero_()

    @property
    def decay(self) -> torch.Tensor:
        """alpha = exp(-1/tau), per neuron."""
        return decay_from_tau(self.tau)

    def params(self) -> LIFParams:
        return LIFParams(self.decay, self.threshold, self.surrogate, self.reset, self.detach_reset)

    def recurrent_weight(self) -> torch.Tensor | None:
        """``w_rec`` with its diagonal forced to zero (what the dynamics use)."""
        return None if self.w_rec is None else self.w_rec * self.rec_mask

    def initial_state(self, batch: int) -> LIFState:
        zeros = torch.zeros(batch, self.n_rec, dtype=self.w_in.dtype, device=self.w_in.device)
        return LIFState(zeros, zeros.clone())

    def _check_input(self, x: torch.Tensor) -> None:
        if not isinstance(x, torch.Tensor):
            raise ValueError(f"x must be a torch.Tensor of shape (T, B, {self.n_in}), got {type(x).__name__}")
        if x.ndim != 3 or x.shape[-1] != self.n_in or x.shape[0] < 1:
            raise ValueError(f"x must have shape (T >= 1, B, n_in={self.n_in}), got {tuple(x.shape)}")
        if x.dtype != self.w_in.dtype:
            raise ValueError(f"x has dtype {x.dtype}; the layer's weights are {self.w_in.dtype}")
        for name, w in (("w_in", self.w_in), ("w_rec", self.w_rec), ("bias", self.bias)):
            if w is not None and not torch.isfinite(w).all():
                raise ValueError(f"{name} contains NaN or inf")

    def _input_currents(self, x: torch.Tensor) -> torch.Tensor:
        # one matrix product for every step: (T*B, n_in) @ (n_in, n_rec), the bias added in the same kernel
        if self.bias is None:
            return x @ self.w_in
        return torch.addmm(self.bias, x.reshape(-1, self.n_in), self.w_in).view(*x.shape[:-1], self.n_rec)

    def _step(self, current: torch.Tensor, state: LIFState, params: LIFParams):
        return lif_step(current, state, params)

    def _run_sequence(self, currents: torch.Tensor, state: LIFState):
        """Fast path: spikes, voltages and the last state from one ``lif_sequence`` call."""
        spikes, voltages = lif_sequence(currents, self.recurrent_weight(), self.decay, self.threshold,
                                        state.v, state.z, self.surrogate, self.reset, self.detach_reset)
        return spikes, voltages, LIFState(voltages[-1], spikes[-1])

    def uses_fast_path(self) -> bool:
        """True when ``forward`` runs the whole-sequence function: ``implementation="fast"`` and the
        class's ``_step`` comes with its own ``_run_sequence`` (a subclass that changes only ``_step``
        runs the reference loop, so its dynamics are not silently replaced)."""
        def owner(name: str) -> type:
            return next(k for k in type(self).__mro__ if name in vars(k))

        return self.implementation == "fast" and owner("_step") is owner("_run_sequence")

    def __getstate__(self) -> dict:
        """For ``copy.deepcopy`` and pickling: ``last_state`` (kept on the autograd graph for the caller)
        is copied detached, since torch cannot copy a tensor that is not a graph leaf."""
        state = self.__dict__.copy()
        last = state.get("last_state")
        if last is not None:
            state["last_state"] = type(last)(*(t.detach() for t in last))
        return state

    def forward(self, x: torch.Tensor, state: LIFState | None = None, return_voltages: bool = False):
        self._check_input(x)
        state = self.initial_state(x.shape[1]) if state is None else state
        if self.uses_fast_path():
            # sparse spike inputs: a sparse product where it was measured faster (lifstab/sparse_projection.py)
            currents = input_projection(x, self.w_in, self.bias)
            spikes, voltages, self.last_state = self._run_sequence(currents, state)
            return (spikes, voltages) if return_voltages else spikes
        params = self.params()
        w_rec = self.recurrent_weight()
        spikes, voltages = [], []
        for current in self._input_currents(x):
            if w_rec is not None:
                current = current + state.z @ w_rec
            z, state = self._step(current, state, params)
            spikes.append(z)
            if return_voltages:
                voltages.append(state.v)
        spikes = torch.stack(spikes)
        self.last_state = state
        return (spikes, torch.stack(voltages)) if return_voltages else spikes


class LIF(RecurrentLIF):
    """Feed-forward LIF layer (no recurrent weights)."""

    def __init__(self, n_in: int, n: int, **kwargs) -> None:
        super().__init__(n_in, n, recurrent=False, **kwargs)


class RecurrentALIF(RecurrentLIF):
    """Recurrent adaptive LIF: threshold ``theta + adaptation_strength * a_t`` with
    ``a_t = rho a_{t-1} + (1 - rho) z_{t-1}``, ``rho = exp(-1/adaptation_tau)``."""

    def __init__(self, n_in: int, n_rec: int, adaptation_tau: TensorLike = 200.0,
                 adaptation_strength: TensorLike = 1.8, **kwargs) -> None:
        super().__init__(n_in, n_rec, **kwargs)
        factory = {"dtype": self.w_in.dtype, "device": self.w_in.device}
        self.register_buffer("adaptation_tau", _positive_vector("adaptation_tau", adaptation_tau, n_rec, factory["dtype"]).to(**factory))
        strength = torch.as_tensor(adaptation_strength, **factory).expand(n_rec).clone()
        if not torch.all(torch.isfinite(strength)) or torch.any(strength < 0):
            raise ValueError(f"adaptation_strength must be finite and >= 0, got {adaptation_strength!r}")
        self.register_buffer("adaptation_strength", strength)

    def initial_state(self, batch: int) -> ALIFState:
        v, z = super().initial_state(batch)
        return ALIFState(v, z, torch.zeros_like(v))

    def _run_sequence(self, currents: torch.Tensor, state: ALIFState):
        adaptation = Adaptation(decay_from_tau(self.adaptation_tau), self.adaptation_strength)
        spikes, voltages, a = lif_sequence(currents, self.recurrent_weight(), self.decay, self.threshold,
                                           state.v, state.z, self.surrogate, self.reset, self.detach_reset,
                                           a0=state.a, adaptation=adaptation)
        return spikes, voltages, ALIFState(voltages[-1], spikes[-1], a[-1])

    def _step(self, current: torch.Tensor, state: ALIFState, params: LIFParams):
        rho = decay_from_tau(self.adaptation_tau)
        return alif_step(current, state, params, rho, self.adaptation_strength)
