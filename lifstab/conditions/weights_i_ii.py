"""Conditions I and II: the recurrent weights' mean and variance, in the closed form of the paper's mean
balance or, for the multiplicative resets (and any reset given a target rate), the firing-rate form of
Condition I (:mod:`lifstab.firing_rate`; docs/theory.md section 4)."""

from __future__ import annotations

import math
from typing import NamedTuple

from .common import K, MAX_MAGNITUDE, _check_float, _check_int, _check_reset, _check_variant

#: Condition I's target firing rate: 1/2, the Bernoulli(1/2) spikes that Conditions II-IV assume. A
#: multiplicative_1 spike zeroes the next voltage, so that neuron never fires twice in a row and 1/2 is its
#: supremum, reached only as the mean current grows without bound; its default aims at 0.475 instead
#: (spike variance r (1 - r) = 0.2494, 99.75% of the 1/4 that II-IV assume).
TARGET_RATE = 0.5
DEFAULT_TARGET_RATES = {"multiplicative_1": 0.475}
#: resets whose exact Condition I is solved for the firing rate (lifstab.firing_rate): their voltage
#: depends on the spike, which the closed form's independence ignores. For the others the closed form is
#: kept: the rate form agrees with it (tests/test_firing_rate.py: to 4e-3 relative in the mean, the grid's accuracy).
RATE_SOLVED_RESETS = ("multiplicative_1", "multiplicative_2")


def condition_i(n_rec: int, decay: float, threshold: float, reset: str = "subtractive",
                variant: str = "exact") -> float:
    """Condition I in closed form: the recurrent weight mean that puts the mean voltage at threshold with
    v and z independent (for the multiplicative resets the exact variant of :func:`recommend` solves
    the firing rate instead: :func:`conditions_i_and_ii`)."""
    n_rec = _check_int("n_rec", n_rec, 2)
    decay = _check_float("decay", decay, 0.0, 1.0)
    threshold = _check_float("threshold", threshold, 0.0)
    return float(K[f"condition_i_{_check_reset(reset)}_{_check_variant(variant)}"](n_rec, decay, threshold))


def condition_ii(n_in: int, n_rec: int, input_second_moment: float, input_weight_variance: float,
                 recurrent_mean: float, variant: str = "exact") -> float:
    """Condition II: the recurrent weight variance; negative when the condition cannot be met."""
    n_in, n_rec = _check_int("n_in", n_in, 1), _check_int("n_rec", n_rec, 2)
    second = _check_float("input_second_moment", input_second_moment, 0.0, low_open=False)
    var_u = _check_float("input_weight_variance", input_weight_variance, 0.0, low_open=False)
    return float(K[f"condition_ii_{_check_variant(variant)}"](n_in, n_rec, second, var_u, float(recurrent_mean)))


def default_target_rate(reset: str) -> float:
    """Condition I's default firing rate for ``reset`` (:data:`TARGET_RATE`, 0.475 for multiplicative_1)."""
    return DEFAULT_TARGET_RATES.get(_check_reset(reset), TARGET_RATE)


def _check_target_rate(target_rate, reset: str) -> float:
    if target_rate is None:
        return default_target_rate(reset)
    high = 0.5 if reset == "multiplicative_1" else 1.0  # multiplicative_1 never fires twice in a row
    return _check_float("target_rate", target_rate, 0.0, high)


class ConditionsIAndII(NamedTuple):
    """Conditions I and II for a layer: the recurrent weights' mean and variance."""

    recurrent_mean: float
    recurrent_variance: float  # negative: Condition II cannot be met
    target_rate: float
    form: str  # "closed_form" (the mean balance) or "firing_rate" (lifstab.firing_rate)
    residual: float  # |mean balance| or |chain rate - target|
    feasible: bool
    reason: str


def conditions_i_and_ii(n_in: int, n_rec: int, decay: float, threshold: float, reset: str = "subtractive",
                        variant: str = "exact", input_mean: float = 0.5, input_var: float = 0.25,
                        input_weight_variance: float | None = None, target_rate=None) -> ConditionsIAndII:
    """Conditions I and II together. The exact variant solves I for the firing rate ``target_rate``
    (default :func:`default_target_rate`) for the multiplicative resets, and for any reset when
    ``target_rate`` is given (:mod:`lifstab.firing_rate`); otherwise I is the closed form of the mean
    balance (the only form of the paper variant, whose target is 1/2)."""
    n_in, n_rec = _check_int("n_in", n_in, 1), _check_int("n_rec", n_rec, 2)
    decay = _check_float("decay", decay, 0.0, 1.0)
    threshold = _check_float("threshold", threshold, 0.0, MAX_MAGNITUDE, high_open=False)
    reset, variant = _check_reset(reset), _check_variant(variant)
    mean_x = _check_float("input_mean", input_mean, -MAX_MAGNITUDE, MAX_MAGNITUDE, False, False)
    var_x = _check_float("input_var", input_var, 0.0, low_open=False)
    var_u = (2.0 / (n_in + n_rec) if input_weight_variance is None
             else _check_float("input_weight_variance", input_weight_variance, 0.0, low_open=False))
    if variant == "paper" and target_rate is not None:
        raise ValueError("target_rate needs variant='exact' (the paper's Condition I targets 1/2 in closed form)")
    # the paper's closed form aims at 1/2 for every reset
    target = TARGET_RATE if variant == "paper" else _check_target_rate(target_rate, reset)
    closed = float(K[f"condition_i_{reset}_{variant}"](n_rec, decay, threshold))
    second_x = var_x + mean_x**2
    if variant == "exact" and (reset in RATE_SOLVED_RESETS or target_rate is not None):
        from .. import firing_rate

        sol = firing_rate.solve_recurrent_mean(reset, n_in, n_rec, decay, threshold, mean_x, var_x, var_u,
                                               target, closed)
        mu = float(sol.recurrent_mean)
        residual = abs(sol.rate - target) if math.isfinite(sol.rate) else float("inf")
        feasible = sol.converged and residual <= 1e-6
        reason = "" if feasible else (f"the firing-rate solve did not converge (rate {sol.rate:.4g} at mean {mu:.4g}"
                                      f" for target {target:g}){': ' + sol.reason if sol.reason else ''}")
        form = "firing_rate"
    else:
        mu = closed
        residual = abs(float(K[f"mean_balance_{reset}_{variant}"](n_rec, decay, threshold, mu)))
        feasible, reason, form = True, "", "closed_form"
    var_w = float(K[f"condition_ii_{variant}"](n_in, n_rec, second_x, var_u, mu))
    return ConditionsIAndII(mu, var_w, target, form, residual, feasible, reason)
