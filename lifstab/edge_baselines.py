"""The predictors the edge study compares against (:mod:`lifstab.stability`'s methods ``"lagged"``,
``"paper"`` and ``"exact"``): the first prototype of docs/theory.md section 7, which over-counts, and
Condition IV with its worst-case uniform voltage."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch

from ._generated import edge_torch
from .lif import RecurrentLIF
from .measure import growth_window
from .probe import Probe, _surrogate_values


# ----------------------------------------------------------------------------------------------------
# method "lagged": docs/theory.md section 7's first prototype (kept to show the over-count)


def sg_autocorrelation(sg: torch.Tensor, max_lag: int) -> torch.Tensor:
    """``A(k) = E[SG_t SG_{t-k}]`` for ``k = 0..max_lag`` from values ``(K, T, N)`` (mean over ``t`` and
    trajectories), by FFT along time."""
    K, T, N = sg.shape
    size = 1 << (2 * T - 1).bit_length()
    spectrum = torch.fft.rfft(sg, n=size, dim=1)
    corr = torch.fft.irfft(spectrum * spectrum.conj(), n=size, dim=1)[:, : max_lag + 1]  # (K, L, N)
    counts = torch.arange(T, T - max_lag - 1, -1, dtype=sg.dtype)
    return corr.mean(-1) / counts


@torch.no_grad()
def lagged_log_growth(layer: RecurrentLIF, probe: Probe, sharpness: Sequence[float] | torch.Tensor,
                      samples: int = 2048, seed: int = 0) -> torch.Tensor:
    """``ln rho`` of the prototype ``abar^2 + (n-1) E[W^2] (A(0) + 2 sum_k abar^k A(k))``, shape ``(K,)``;
    statistics over the protocol's growth window and ``samples`` random trajectories. Detached reset only
    (the prototype has no reset term)."""
    if probe.reset_slope is not None:
        raise ValueError("layer: method 'lagged' needs detach_reset=True (the prototype has no reset term); "
                         "use method 'dmft'")
    beta = torch.as_tensor(sharpness, dtype=torch.float64).reshape(-1)
    T, N = probe.centred.shape
    first, last = growth_window(T)
    window = slice(first - 1, last)
    gen = torch.Generator().manual_seed(seed)
    pick = torch.randperm(N, generator=gen)[:samples] if samples < N else torch.arange(N)
    sg = _surrogate_values(layer, probe.centred[window][:, pick], probe.neuron[pick], beta)
    lags = sg.shape[1] - 1
    A = sg_autocorrelation(sg, lags)
    abar = float(probe.decay.mean())
    weights = abar ** torch.arange(lags + 1, dtype=torch.float64)
    weights[1:] *= 2
    n = probe.decay.numel()
    rho = edge_torch.lagged_growth(abar, (n - 1) * probe.rec_second_moment, (A * weights).sum(-1))
    return torch.log(rho)


# ----------------------------------------------------------------------------------------------------
# methods "paper" and "exact": Condition IV (docs/theory.md section 4) with the worst-case uniform voltage


def condition_iv_log_growth(layer: RecurrentLIF, sharpness: Sequence[float] | torch.Tensor,
                            variant: str = "paper") -> torch.Tensor:
    """``ln`` of Condition IV's Jacobian-row second moment (``1 + residual``; Condition IV sets it to 1),
    per sharpness, shape ``(K,)``.

    Per neuron ``i``: the worst-case uniform voltage range ``[y_min,i, y_max,i]`` from the incoming
    weights' positive and negative sums (generated ``voltage_min/max_<reset>``), ``E[SG]`` and
    ``E[SG^2]`` under that uniform voltage (:mod:`lifstab.expectations`), ``recurrent_square_sum =
    sum_j W_ji^2``; the generated residual ``condition_iv_<reset>_<variant>`` is averaged over neurons.
    ``variant`` is ``"paper"`` (the authors' statement) or ``"exact"`` (the clean derivation for the
    layer's reset, detached or not).
    The probe's voltages are not used: this is the paper's simulation-free prediction.
    """
    from ._generated import conditions_numpy
    from .expectations import uniform_moment, voltage_moments

    kernel_variant = {"paper": "paper", "exact": "exact_detached" if layer.detach_reset else "exact_attached"}[variant]
    name = f"condition_iv_{layer.reset}_{kernel_variant}"
    if name not in conditions_numpy.KERNELS:
        raise ValueError(f"layer.reset={layer.reset!r}: no generated Condition IV kernel {name!r}")
    beta = np.asarray(torch.as_tensor(sharpness, dtype=torch.float64).reshape(-1, 1).numpy())
    w_in = layer.w_in.detach().double().numpy()
    w_rec = layer.recurrent_weight().detach().double().numpy()
    decay = layer.decay.detach().double().numpy()
    threshold = layer.threshold.detach().double().numpy()
    sums = (np.clip(w_rec, 0, None).sum(0), np.clip(w_rec, None, 0).sum(0),
            np.clip(w_in, 0, None).sum(0), np.clip(w_in, None, 0).sum(0))
    y_min = conditions_numpy.KERNELS[f"voltage_min_{layer.reset}"](decay, threshold, *sums)
    y_max = conditions_numpy.KERNELS[f"voltage_max_{layer.reset}"](decay, threshold, *sums)
    sg = layer.surrogate
    tail = sg.tail if sg.info.has_tail else None
    damp = np.asarray(sg.dampening.detach().numpy() if isinstance(sg.dampening, torch.Tensor) else sg.dampening)
    moments = [uniform_moment(sg.family, m, y_min, y_max, threshold, damp, beta, tail) for m in (1, 2)]
    voltage_mean, voltage_square_mean = voltage_moments(y_min, y_max)
    residual = conditions_numpy.KERNELS[name](
        decay, threshold, (w_rec ** 2).sum(0), moments[0], moments[1], voltage_mean, voltage_square_mean)
    second_moment = 1.0 + np.mean(residual, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):  # a non-positive value has no log: NaN, no root there
        return torch.as_tensor(np.where(second_moment > 0, np.log(np.abs(second_moment)), np.nan))


__all__ = ["sg_autocorrelation", "lagged_log_growth", "condition_iv_log_growth"]
