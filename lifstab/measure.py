"""Measurements on real torch LIF layers: firing rate, the BPTT gradient-norm curve, the growth factor
rho, one-step Jacobian statistics (docs/theory.md sections 3 and 7).

Conventions (docs/theory.md section 7): time is 1-indexed in the protocol, ``g_t = ||dL/dv_t||`` for
``t = 1..T`` with ``L = sum(v_T * r)``; arrays here are 0-indexed, so ``g[t - 1]`` holds ``g_t``.
The growth factor of the squared gradient norm per step is
``rho = (g_{T/3} / g_{T-10}) ** (2 / (T - 10 - T/3))`` with ``T/3`` the integer ``T // 3``.

Two ways to get ``g_t``, equal up to rounding (a test checks):

* :func:`gradient_norms` runs the layer step by step and asks autograd for ``dL/dv_t`` (any reset,
  detached or not, any surrogate); :func:`gradient_norms_from_voltages` does the same for voltages
  exposed by any module.
* :func:`gradient_norms_over_sharpness` replays the backward pass of a recorded forward pass for many
  sharpness values at once. The forward pass does not depend on the sharpness, so it is run once; the
  per-step factors come from autograd through the generated voltage-update kernel, so no Jacobian
  formula is typed here.

ALIF layers (:class:`~lifstab.RecurrentALIF`) are recorded and replayed too: the backward signal has a
second component, the adaptation's adjoint (:func:`backward_norms` with ``adaptation``); ``g_t`` stays
``||dL/dv_t||``, the protocol's quantity.
"""

from __future__ import annotations

import math
from typing import Callable, NamedTuple, Sequence

import torch

from ._generated import lif_grad_torch, lif_torch
from .lif import ALIFState, LIFState, RecurrentALIF, RecurrentLIF, decay_from_tau, lif_step
from .surrogates import spike


class Trajectory(NamedTuple):
    """A recorded forward pass of a :class:`~lifstab.RecurrentLIF`, all ``(T, B, n_rec)``.

    ``voltages[t]`` is ``v_{t+1}``, ``spikes[t]`` is ``z_{t+1}``, ``currents[t]`` is the total current
    ``I_{t+1}`` (input, recurrent and bias parts). The state before step 1 is zero.
    ``adaptations[t]`` is ``a_{t+1}`` for an ALIF layer (None for LIF).
    """

    voltages: torch.Tensor
    spikes: torch.Tensor
    currents: torch.Tensor
    adaptations: torch.Tensor | None = None


class AdaptationFactors(NamedTuple):
    """What the ALIF backward step adds to the LIF one: ``threshold_slope`` ``dv_t/dA_t`` through the
    reset term (``-z_{t-1}`` subtractive, 0 multiplicative), shaped like the other step factors; the
    adaptation's ``decay`` (rho_a) and ``strength`` (b), broadcasting against the neuron axis."""

    threshold_slope: torch.Tensor
    decay: torch.Tensor
    strength: torch.Tensor


def _check_layer(layer, alif: bool = True) -> RecurrentLIF:
    if not isinstance(layer, RecurrentLIF):
        raise ValueError(f"layer must be a lifstab.RecurrentLIF, got {type(layer).__name__}")
    if not alif and isinstance(layer, RecurrentALIF):
        raise ValueError("layer: RecurrentALIF is not supported by this measurement (LIF only)")
    return layer


def firing_rate(spikes: torch.Tensor) -> float:
    """Mean number of spikes per neuron and step (spikes of any shape, values 0/1)."""
    if not isinstance(spikes, torch.Tensor) or spikes.numel() == 0 or spikes.device.type == "meta":
        raise ValueError("spikes must be a non-empty torch.Tensor with data")
    rate = float(spikes.detach().double().mean())
    if not math.isfinite(rate):
        raise ValueError("spikes contains NaN or inf")
    return rate


def _run(layer: RecurrentLIF, x: torch.Tensor, track: bool = False):
    """Step the layer over ``x``; returns (voltages, spikes, currents, adaptations) lists (adaptations
    empty for LIF). With ``track`` the initial voltage requires grad, so every ``v_t`` is in a graph
    even when the weights are frozen."""
    layer._check_input(x)
    params = layer.params()
    w_rec = layer.recurrent_weight()
    state = layer.initial_state(x.shape[1])
    if track:
        state = state._replace(v=state.v.clone().requires_grad_(True))
    step = layer._step if isinstance(state, ALIFState) else lif_step
    voltages, spikes, currents, adaptations = [], [], [], []
    for current in layer._input_currents(x):
        if w_rec is not None:
            current = current + state.z @ w_rec
        z, state = step(current, state, params)
        voltages.append(state.v)
        spikes.append(z)
        currents.append(current)
        if isinstance(state, ALIFState):
            adaptations.append(state.a)
    return voltages, spikes, currents, adaptations


def run_steps(layer: RecurrentLIF, x: torch.Tensor, track: bool = False):
    """Step ``layer`` over ``x`` (``(T, B, n_in)``) one ``lif_step`` at a time, keeping the graph: lists
    ``(voltages, spikes, currents)`` of ``T`` tensors ``(B, n_rec)``, so that autograd can give
    ``dL/dv_t`` of any loss. ``track``: the initial voltage requires grad (every ``v_t`` is in a graph
    even when the weights are frozen). An ALIF layer is stepped by its own ``alif_step``."""
    _check_layer(layer)
    return _run(layer, x, track)[:3]


@torch.no_grad()
def record(layer: RecurrentLIF, x: torch.Tensor) -> Trajectory:
    """Run ``layer`` over ``x`` (``(T, B, n_in)``) without a graph and return the :class:`Trajectory`."""
    _check_layer(layer)
    voltages, spikes, currents, adaptations = _run(layer, x)
    return Trajectory(torch.stack(voltages), torch.stack(spikes), torch.stack(currents),
                      torch.stack(adaptations) if adaptations else None)


def readout(shape: Sequence[int], seed: int = 0, dtype=torch.float64, device=None) -> torch.Tensor:
    """The protocol's random readout ``r``: standard normal, seeded."""
    gen = torch.Generator(device="cpu").manual_seed(seed)
    return torch.randn(tuple(shape), generator=gen, dtype=dtype).to(device)


def gradient_norms_from_voltages(voltages: Sequence[torch.Tensor], readout_weights: torch.Tensor) -> torch.Tensor:
    """``g_t = ||dL/dv_t||`` for ``L = sum(v_T * r)``, by autograd.

    ``voltages`` are the ``T`` voltage tensors ``v_1..v_T`` of any module, still attached to the graph
    that produced them (each of shape ``(B, n)``); ``readout_weights`` is ``r`` with the shape of ``v_T``.
    Returns a tensor of shape ``(T,)`` (``g[t - 1] = g_t``). A ``v_t`` that ``L`` does not depend on has
    ``g_t = 0``.
    """
    voltages = list(voltages)
    if not voltages:
        raise ValueError("voltages must hold at least one tensor")
    if readout_weights.shape != voltages[-1].shape:
        raise ValueError(f"readout_weights has shape {tuple(readout_weights.shape)}; "
                         f"v_T has shape {tuple(voltages[-1].shape)}")
    if not voltages[-1].requires_grad:
        raise ValueError("voltages must be attached to an autograd graph (v_T does not require grad)")
    loss = (voltages[-1] * readout_weights).sum()
    grads = torch.autograd.grad(loss, voltages, allow_unused=True)
    return torch.stack([
        torch.zeros((), dtype=loss.dtype) if g is None else g.detach().norm() for g in grads
    ])


def gradient_norms(layer: RecurrentLIF, x: torch.Tensor, readout_weights: torch.Tensor | None = None,
                   seed: int = 0) -> torch.Tensor:
    """The BPTT gradient-norm curve ``g_t`` of ``layer`` on input ``x`` (docs/theory.md section 7), by autograd.

    ``readout_weights`` (``(B, n_rec)``) defaults to :func:`readout` with ``seed``. Returns ``(T,)``.
    A snntorch, norse or spikingjelly layer (or ``(Linear, neuron)`` pair) is run by its own library's
    forward pass under autograd (:func:`lifstab.adapters.gradient_norms`).
    """
    if not isinstance(layer, RecurrentLIF):
        from . import adapters
        if adapters.is_peer(layer):
            return adapters.gradient_norms(layer, x, seed, readout_weights)
    _check_layer(layer)
    if isinstance(x, torch.Tensor) and x.device != layer.w_in.device:
        raise ValueError(f"x is on {x.device}, the layer on {layer.w_in.device}")
    if isinstance(x, torch.Tensor) and x.is_floating_point() and not bool(torch.isfinite(x).all()):
        raise ValueError("x contains NaN or inf")
    with torch.enable_grad():
        voltages = _run(layer, x, track=True)[0]
    if readout_weights is None:
        readout_weights = readout(voltages[-1].shape, seed, voltages[-1].dtype, voltages[-1].device)
    return gradient_norms_from_voltages(voltages, readout_weights)


def growth_window(T: int) -> tuple[int, int]:
    """The protocol's 1-indexed steps ``(T // 3, T - 10)`` between which rho is measured."""
    if not isinstance(T, int) or T < 16:
        raise ValueError(f"T must be an integer >= 16 for the growth window (T // 3, T - 10), got {T!r}")
    return T // 3, T - 10


def growth_factor(g: torch.Tensor) -> torch.Tensor:
    """Per-step growth factor of the squared gradient norm, ``(g_{T/3} / g_{T-10}) ** (2 / (T-10-T/3))``.

    ``g`` has shape ``(..., T)`` (the last axis is time, ``g[..., t-1] = g_t``); returns ``(...)``.
    A curve that vanished to 0 at ``T/3`` gives 0; one that is 0 at ``T-10`` gives inf.
    """
    g = torch.as_tensor(g)
    first, last = growth_window(g.shape[-1])
    return (g[..., first - 1] / g[..., last - 1]) ** (2.0 / (last - first))


def log_growth_factor(g: torch.Tensor) -> torch.Tensor:
    """``ln rho`` computed from ``ln g`` (no overflow for curves spanning many decades)."""
    g = torch.as_tensor(g)
    first, last = growth_window(g.shape[-1])
    return 2.0 * (torch.log(g[..., first - 1]) - torch.log(g[..., last - 1])) / (last - first)


def spike_thresholds(layer: RecurrentLIF, trajectory: Trajectory) -> torch.Tensor:
    """The threshold each step spikes at (and the subtractive reset subtracts): ``theta`` (LIF, ``(n,)``)
    or ``A_t = theta + b a_t`` (ALIF, ``(T, B, n)``)."""
    threshold = layer.threshold.detach()
    if trajectory.adaptations is None:
        return threshold
    return threshold + layer.adaptation_strength * trajectory.adaptations


def step_factors(layer: RecurrentLIF, trajectory: Trajectory) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Elementwise partial derivatives of the voltage update at every step, from the generated kernel.

    For step ``t`` (``t = 1..T``): ``dk_dv[t-1] = dv_t/dv_{t-1}`` through the leak/reset term at fixed
    current, ``dk_dI[t-1] = dv_t/dI_t``, ``dk_dz[t-1] = dv_t/dz_{t-1}`` through the reset term (used only
    when the reset is not detached). Shapes ``(T, B, n_rec)``; the state before step 1 is zero. For
    ALIF the kernel takes the adaptive threshold ``A_t``.
    """
    v_prev = torch.cat([torch.zeros_like(trajectory.voltages[:1]), trajectory.voltages[:-1]])
    z_prev = torch.cat([torch.zeros_like(trajectory.spikes[:1]), trajectory.spikes[:-1]])
    inputs = [t.detach().clone().requires_grad_(True) for t in (v_prev, trajectory.currents, z_prev)]
    with torch.enable_grad():
        out = lif_torch.KERNELS[layer.reset](*inputs, layer.decay.detach(), spike_thresholds(layer, trajectory))
        grads = torch.autograd.grad(out.sum(), inputs, allow_unused=True)
    return tuple(torch.zeros_like(v_prev) if g is None else g for g in grads)


def adaptation_factors(layer: RecurrentALIF, trajectory: Trajectory) -> AdaptationFactors:
    """The ALIF step's :class:`AdaptationFactors`, ``dv_t/dA_t`` from the generated derivative kernel of
    the voltage update."""
    v_prev = torch.cat([torch.zeros_like(trajectory.voltages[:1]), trajectory.voltages[:-1]])
    z_prev = torch.cat([torch.zeros_like(trajectory.spikes[:1]), trajectory.spikes[:-1]])
    slope = lif_grad_torch.KERNELS[f"{layer.reset}_d_threshold"](
        v_prev, trajectory.currents, z_prev, layer.decay.detach(), spike_thresholds(layer, trajectory))
    return AdaptationFactors(torch.as_tensor(slope, dtype=v_prev.dtype).expand_as(v_prev),
                             decay_from_tau(layer.adaptation_tau), layer.adaptation_strength)


@torch.no_grad()
def gradient_norms_over_sharpness(
    layer: RecurrentLIF,
    trajectory: Trajectory,
    sharpness: Sequence[float] | torch.Tensor,
    readout_weights: torch.Tensor,
    on_step: Callable[[int, torch.Tensor], None] | None = None,
) -> torch.Tensor:
    """``g_t`` for every sharpness in ``sharpness`` (the layer's surrogate family, dampening and tail),
    from one recorded forward pass: the backward recursion

    ``dL/dv_{t-1} = dk_dv * dL/dv_t + SG(v_{t-1} - theta) * ((dk_dI * dL/dv_t) @ w_rec^T)``

    (plus ``dk_dz * SG`` on the diagonal when the reset is not detached; the adaptation's adjoint for
    ALIF, :func:`backward_norms`) run for all sharpness values stacked along a leading axis. Returns
    ``(K, T)``; equals :func:`gradient_norms` (a test checks). ``on_step(t, grad)``, if given, sees each
    ``dL/dv_t`` (``(K, B, n)``, 0-indexed ``t``) as the recursion reaches it (to look inside, not to change).
    """
    _check_layer(layer)
    beta = torch.as_tensor(sharpness, dtype=trajectory.voltages.dtype).reshape(-1)
    if beta.numel() == 0 or not torch.all(torch.isfinite(beta)) or not torch.all(beta > 0):
        raise ValueError(f"sharpness must be a non-empty sequence of finite values > 0, got {sharpness!r}")
    T = trajectory.voltages.shape[0]
    if readout_weights.shape != trajectory.voltages.shape[1:]:
        raise ValueError(f"readout_weights must have shape {tuple(trajectory.voltages.shape[1:])}")
    dk_dv, dk_dI, dk_dz = step_factors(layer, trajectory)
    sg = layer.surrogate.replace(sharpness=beta.reshape(-1, 1, 1))
    centred = trajectory.voltages - spike_thresholds(layer, trajectory)
    w_rec = layer.recurrent_weight()
    grad = readout_weights.expand(beta.numel(), *readout_weights.shape)
    adaptation = None if trajectory.adaptations is None else adaptation_factors(layer, trajectory)
    return backward_norms(grad, dk_dv, dk_dI, lambda t: sg.torch(centred[t]),
                          None if w_rec is None else w_rec.detach(), None if layer.detach_reset else dk_dz,
                          adaptation, on_step)


def backward_norms(grad: torch.Tensor, dk_dv: torch.Tensor, dk_dI: torch.Tensor,
                   surrogate_grad: Callable[[int], torch.Tensor], w_rec: torch.Tensor | None,
                   dk_dz: torch.Tensor | None = None, adaptation: AdaptationFactors | None = None,
                   on_step: Callable[[int, torch.Tensor], None] | None = None) -> torch.Tensor:
    """``g_t`` of the BPTT recursion ``dL/dv_{t-1} = dk_dv * dL/dv_t + SG_{t-1} * ((dk_dI * dL/dv_t) @
    w_rec^T)`` (plus ``dk_dz * SG_{t-1}`` on the diagonal when ``dk_dz`` is given: the reset not detached),
    from ``grad = dL/dv_T`` of shape ``(K, B, n)``. ``dk_dv``, ``dk_dI``, ``dk_dz``: ``(T, B, n)``
    (:func:`step_factors`); ``surrogate_grad(t)``: SG of the 0-indexed voltage ``t``, ``(K, B, n)``.
    With ``adaptation`` (ALIF) the recursion of :func:`_adaptive_step` carries the adaptation's adjoint
    as well; ``g_t`` is still the norm of ``dL/dv_t``. Returns ``(K, T)``. ``on_step(t, dL/dv_t)``: as
    :func:`gradient_norms_over_sharpness`."""
    T = dk_dv.shape[0]
    w_rec_t = None if w_rec is None else w_rec.T
    norms = torch.empty(grad.shape[0], T, dtype=grad.dtype)
    norms[:, T - 1] = grad.flatten(1).norm(dim=1)
    adjoint = None if adaptation is None else torch.zeros_like(grad)  # dL/da_T: a_T reaches no loss
    for t in range(T - 1, 0, -1):  # grad holds dL/dv_{t+1} (0-indexed t): step back to dL/dv_t
        sg = surrogate_grad(t - 1)
        field = None if w_rec_t is None else (dk_dI[t] * grad) @ w_rec_t
        if adaptation is not None:
            grad, adjoint = _adaptive_step(grad, adjoint, sg, field, dk_dv[t], None if dk_dz is None else dk_dz[t],
                                           adaptation, t)
        else:
            diagonal = dk_dv[t] if dk_dz is None else dk_dv[t] + dk_dz[t] * sg
            grad = diagonal * grad if field is None else diagonal * grad + sg * field
        norms[:, t - 1] = grad.flatten(1).norm(dim=1)
        if on_step is not None:
            on_step(t - 1, grad)
    return norms


def _adaptive_step(delta, adjoint, sg, field, dk_dv, dk_dz, adaptation: AdaptationFactors, t: int):
    """One ALIF backward step (docs/theory.md, "ALIF"): from ``delta = dL/dv_t`` and ``adjoint = eps_t``
    (``dL/da_t`` through everything but ``v_t``) to the same at ``t - 1``:
    ``a~ = eps + dv_t/dA_t b delta`` (the whole ``dL/da_t``), ``dz = field [+ dk_dz delta] + (1 - rho_a) a~``
    (``dL/dz_{t-1}``), ``delta' = dk_dv delta + SG dz``, ``eps' = rho_a a~ - b SG dz``."""
    rho, strength = adaptation.decay, adaptation.strength
    total = adjoint + adaptation.threshold_slope[t] * strength * delta
    dz = (1 - rho) * total
    if field is not None:
        dz = dz + field
    if dk_dz is not None:
        dz = dz + dk_dz * delta
    return dk_dv * delta + sg * dz, rho * total - strength * sg * dz


class JacobianStats(NamedTuple):
    """Statistics of the one-step Jacobian ``M_ij = dv_t,i / dv_{t-1},j`` over the sampled steps.

    ``row_second_moment``: mean over rows of ``sum_j M_ij^2`` (the quantity Condition IV sets to 1);
    ``max_row_sum``: largest ``sum_j |M_ij|`` (the transition gain of Condition III);
    ``mean_diagonal``: mean of ``M_ii``.
    """

    row_second_moment: float
    max_row_sum: float
    mean_diagonal: float


def jacobian_stats(layer: RecurrentLIF, trajectory: Trajectory, steps: Sequence[int] | None = None,
                   batch_index: int = 0) -> JacobianStats:
    """One-step Jacobian statistics by autograd (``torch.autograd.functional.jacobian`` of one real
    :func:`lifstab.lif_step`), averaged over the 1-indexed ``steps`` (default: 10 steps spread over the
    second half) of batch element ``batch_index`` (LIF layers)."""
    _check_layer(layer, alif=False)
    T, B = trajectory.voltages.shape[:2]
    if not 0 <= batch_index < B:
        raise ValueError(f"batch_index must be in [0, {B}), got {batch_index}")
    steps = list(steps) if steps is not None else sorted({int(s) for s in torch.linspace(T // 2, T, 10)})
    if not steps or any(not 2 <= s <= T for s in steps):
        raise ValueError(f"steps must be 1-indexed steps in [2, {T}], got {steps}")
    params = layer.params()
    w_rec = layer.recurrent_weight().detach()
    threshold = layer.threshold.detach()
    second, row_sum, diag = [], [], []
    for s in steps:
        v_prev = trajectory.voltages[s - 2, batch_index]
        external = trajectory.currents[s - 1, batch_index] - trajectory.spikes[s - 2, batch_index] @ w_rec

        def step(v):
            z = spike(v - threshold, params.surrogate)
            return lif_step(external + z @ w_rec, LIFState(v, z), params)[1].v

        M = torch.autograd.functional.jacobian(step, v_prev.detach())
        second.append((M ** 2).sum(1).mean())
        row_sum.append(M.abs().sum(1).max())
        diag.append(M.diagonal().mean())
    mean = lambda xs: float(torch.stack(xs).mean())  # noqa: E731
    return JacobianStats(mean(second), float(torch.stack(row_sum).max()), mean(diag))


__all__ = [
    "Trajectory", "JacobianStats", "firing_rate", "record", "readout", "gradient_norms",
    "gradient_norms_from_voltages", "gradient_norms_over_sharpness", "growth_window", "growth_factor",
    "log_growth_factor", "step_factors", "jacobian_stats", "AdaptationFactors", "adaptation_factors",
    "spike_thresholds",
]
