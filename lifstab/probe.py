"""The forward probe of the edge-of-stability predictors (:mod:`lifstab.stability`): what they use from one
forward pass of a layer, with the step factors of its voltage update from the generated kernels (no
backward pass, no autograd)."""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np
import torch

from ._generated import lif_grad_torch
from .lif import RecurrentLIF, decay_from_tau
from .measure import AdaptationFactors, Trajectory, record, spike_thresholds


class Probe(NamedTuple):
    """What the predictors use from one forward pass (no backward pass).

    ``centred`` (``(T, N)``): ``v_t - theta`` of ``N`` neuron trajectories (neurons x batch, flattened);
    ``leak`` and ``gain`` (``(T, N)``): the voltage update's ``dv_t/dv_{t-1}`` (leak and detached reset)
    and ``dv_t/dI_t`` at every step, from the generated kernel; ``field_scale`` (``(N,)``):
    ``sum_i W_ji^2`` over the outgoing weights of each trajectory's neuron; ``neuron`` (``(N,)``): its
    index; ``decay`` (``(n,)``); ``rec_second_moment``: mean ``W_ji^2`` over off-diagonal entries;
    ``reset_slope`` (``(T, N)``, None when the reset gradient is detached): ``dv_t/dz_{t-1}`` through the
    reset term, which adds ``reset_slope * SG_{t-1}`` to the diagonal of the backward step.
    ``adaptation`` (ALIF layers; None for LIF): :class:`~lifstab.measure.AdaptationFactors` per
    trajectory, ``threshold_slope`` ``(T, N)`` (``dv_t/dA_t``), ``decay`` and ``strength`` ``(N,)``;
    ``centred`` is then ``v_t - A_t``, the adaptive threshold's distance.
    """

    centred: torch.Tensor
    leak: torch.Tensor
    gain: torch.Tensor
    field_scale: torch.Tensor
    neuron: torch.Tensor
    decay: torch.Tensor
    rec_second_moment: float
    reset_slope: torch.Tensor | None = None
    adaptation: AdaptationFactors | None = None


def pool_probes(probes: Sequence[Probe]) -> Probe:
    """Several probes of statistically identical networks (e.g. seeds of one config) as one: their
    trajectories side by side. Per-neuron quantities must agree in size."""
    probes = list(probes)
    if not probes:
        raise ValueError("probes must not be empty")
    if len({p.reset_slope is None for p in probes}) > 1:
        raise ValueError("probes must all have the reset detached or all attached")
    if len({p.adaptation is None for p in probes}) > 1:
        raise ValueError("probes must all be of LIF layers or all of ALIF layers (adaptation)")
    cat = lambda name: torch.cat([getattr(p, name) for p in probes], dim=-1)  # noqa: E731
    adaptation = None if probes[0].adaptation is None else AdaptationFactors(
        *(torch.cat([getattr(p.adaptation, f) for p in probes], dim=-1) for f in AdaptationFactors._fields))
    return Probe(cat("centred"), cat("leak"), cat("gain"), cat("field_scale"), cat("neuron"),
                 probes[0].decay, float(np.mean([p.rec_second_moment for p in probes])),
                 None if probes[0].reset_slope is None else cat("reset_slope"), adaptation)


@torch.no_grad()
def forward_probe(layer: RecurrentLIF, x: torch.Tensor, trajectory: Trajectory | None = None) -> Probe:
    """Run (or take) one forward pass of ``layer`` on ``x`` and extract the :class:`Probe`."""
    if not isinstance(layer, RecurrentLIF) or layer.w_rec is None:
        raise ValueError("layer must be a recurrent lifstab.RecurrentLIF")
    trajectory = record(layer, x) if trajectory is None else trajectory
    T, B, n = trajectory.voltages.shape
    dk_dv, dk_dI, dk_dz, dk_dA = _step_factors(layer, trajectory)
    w_rec = layer.recurrent_weight().detach()
    flat = lambda a: a.reshape(T, B * n)  # noqa: E731  # trajectory index = b * n + neuron
    neuron = torch.arange(n).repeat(B)
    off_diagonal = w_rec[~torch.eye(n, dtype=torch.bool)]
    adaptation = None
    if trajectory.adaptations is not None:
        adaptation = AdaptationFactors(flat(dk_dA), decay_from_tau(layer.adaptation_tau).detach()[neuron],
                                       layer.adaptation_strength.detach()[neuron])
    return Probe(
        centred=flat(trajectory.voltages - spike_thresholds(layer, trajectory)),
        leak=flat(dk_dv), gain=flat(dk_dI),
        field_scale=(w_rec ** 2).sum(1)[neuron],
        neuron=neuron, decay=layer.decay.detach(),
        rec_second_moment=float((off_diagonal ** 2).mean()),
        reset_slope=None if layer.detach_reset else flat(dk_dz),
        adaptation=adaptation,
    )


def _step_factors(layer: RecurrentLIF, trajectory: Trajectory) -> tuple[torch.Tensor, ...]:
    """``dv_t/dv_{t-1}`` (leak, reset detached), ``dv_t/dI_t``, ``dv_t/dz_{t-1}`` (the reset's slope) and
    ``dv_t/dA_t`` (the threshold's, for ALIF) at every step, ``(T, B, n)``, from the generated derivative
    kernels of the layer's voltage update (no autograd), at the threshold each step spikes at."""
    v_prev = torch.cat([torch.zeros_like(trajectory.voltages[:1]), trajectory.voltages[:-1]])
    z_prev = torch.cat([torch.zeros_like(trajectory.spikes[:1]), trajectory.spikes[:-1]])
    args = (v_prev, trajectory.currents, z_prev, layer.decay.detach(), spike_thresholds(layer, trajectory))
    return tuple(torch.as_tensor(lif_grad_torch.KERNELS[f"{layer.reset}_d_{name}"](*args), dtype=v_prev.dtype)
                 .expand_as(v_prev) for name in ("voltage", "current", "reset_spikes", "threshold"))


def _surrogate_values(layer: RecurrentLIF, centred: torch.Tensor, neuron: torch.Tensor,
                      sharpness: torch.Tensor) -> torch.Tensor:
    """SG of every probed value for every sharpness: ``(K, T, N)``. Per-neuron dampening is honoured."""
    sg = layer.surrogate
    damp = torch.as_tensor(sg.dampening, dtype=centred.dtype)
    if damp.ndim:
        damp = damp[neuron]
    return sg.replace(dampening=1.0, sharpness=sharpness.reshape(-1, 1, 1)).torch(centred) * damp


__all__ = ["Probe", "pool_probes", "forward_probe"]
