"""Condition III: the per-neuron dampening that balances the recurrent gain, from the positive and
negative parts of each neuron's recurrent weight sums; and the paper's worst-case voltage range that
Condition IV averages over (docs/theory.md section 4)."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .common import K, _check_reset


def condition_iii(decay, threshold: float, positive_sum, negative_sum, reset: str = "subtractive") -> np.ndarray:
    """Condition III: per-neuron dampening from P_i = sum_j max(W_ji, 0), N_i = sum_j min(W_ji, 0)
    (NaN or inf where P_i = 0: no dampening makes the gain 1)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(K[f"condition_iii_{_check_reset(reset)}"](
            np.asarray(decay, float), float(threshold), np.asarray(positive_sum, float),
            np.asarray(negative_sum, float)), dtype=float)


def voltage_bounds(decay, threshold, positive_sum, negative_sum, input_positive_sum, input_negative_sum,
                   reset: str = "subtractive") -> tuple[np.ndarray, np.ndarray]:
    """The paper's worst-case voltage range (y_min, y_max) per neuron."""
    args = [np.asarray(a, float) for a in (decay, threshold, positive_sum, negative_sum,
                                           input_positive_sum, input_negative_sum)]
    return K[f"voltage_min_{_check_reset(reset)}"](*args), K[f"voltage_max_{reset}"](*args)



class LayerSums(NamedTuple):
    """Per-neuron sums over the incoming weights: recurrent positive and negative parts and squares,
    input positive and negative parts."""

    positive: np.ndarray
    negative: np.ndarray
    square: np.ndarray
    input_positive: np.ndarray
    input_negative: np.ndarray


def layer_sums(n_in: int, n_rec: int, w_in, w_rec, recurrent_mean: float, recurrent_std: float,
               input_weight_variance: float) -> LayerSums:
    """The sums of the given weights (``w_rec`` with a zero diagonal), or their expectations under
    Gaussian weights N(recurrent_mean, recurrent_std^2) and N(0, input_weight_variance) where a weight
    matrix is None."""
    mu, std, var_u = recurrent_mean, recurrent_std, input_weight_variance
    if w_rec is not None:
        pos = np.maximum(w_rec, 0).sum(0)
        neg = np.minimum(w_rec, 0).sum(0)
        square_sum = (w_rec**2).sum(0)
    else:
        with np.errstate(all="ignore"):  # std = 0 takes the limit branch
            pos = np.full(n_rec, (n_rec - 1) * float(K["gaussian_positive_part"](np.float64(mu), np.float64(std))))
            neg = np.full(n_rec, (n_rec - 1) * float(K["gaussian_negative_part"](np.float64(mu), np.float64(std))))
        square_sum = np.full(n_rec, (n_rec - 1) * (std**2 + mu**2))
    if w_in is not None:
        in_pos, in_neg = np.maximum(w_in, 0).sum(0), np.minimum(w_in, 0).sum(0)
    else:
        with np.errstate(all="ignore"):
            half = n_in * float(K["gaussian_positive_part"](np.float64(0.0), np.float64(math.sqrt(var_u))))
        in_pos, in_neg = np.full(n_rec, half), np.full(n_rec, -half)
    return LayerSums(pos, neg, square_sum, in_pos, in_neg)


class LayerDampening(NamedTuple):
    """Condition III for a layer: the dampening per neuron (the fill value where it has no positive
    solution), which neurons have one, the largest |gain balance| over those, and why the others have none."""

    dampening: np.ndarray
    per_neuron: np.ndarray  # bool: a positive dampening exists
    residual: float
    reason: str  # empty when every neuron has one


def layer_dampening(decay: float, threshold: float, sums: LayerSums, reset: str) -> LayerDampening:
    """Condition III per neuron. It cannot bind on a neuron without positive recurrent input (no positive
    feedback): such neurons get the layer's median feasible dampening (1 when no neuron is feasible)."""
    alpha, pos, neg = decay, sums.positive, sums.negative
    n_rec = len(pos)
    solved = condition_iii(alpha, threshold, pos, neg, reset)
    ok3 = np.isfinite(solved) & (solved > 0)
    fill = float(np.median(solved[ok3])) if ok3.any() else 1.0
    damp = np.where(ok3, solved, fill)
    reason = ""
    if not ok3.all():
        no_feedback = int((~ok3 & (pos <= 0)).sum())
        other = int((~ok3).sum()) - no_feedback
        reason = (f"{int((~ok3).sum())} of {n_rec} neurons have no positive dampening from Condition III ("
                  f"{no_feedback} have no positive recurrent weight sum: no positive feedback, so the "
                  f"condition cannot bind; {other} have no negative recurrent weight sum, which puts the "
                  f"solution at 0); they get "
                  f"{'the median feasible dampening' if ok3.any() else 'dampening 1'} {fill:.4g}")
    with np.errstate(all="ignore"):
        gain = K[f"gain_balance_{reset}"](alpha, threshold, pos, neg, solved)
    residual = float(np.nanmax(np.abs(np.where(ok3, gain, np.nan)))) if ok3.any() else float("nan")
    return LayerDampening(damp, ok3, residual, reason)
