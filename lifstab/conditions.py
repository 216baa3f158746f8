"""Conditions I-IV at run time: one function per condition, exact solvers, ``recommend`` and the
initialisers (docs/theory.md section 4).

Every formula comes from the generated kernels (``derivations/conditions.py`` and
``derivations/expectations.py``); this module validates arguments, gathers the per-neuron
statistics of a layer and solves Condition IV.

*Condition I, two forms.* The closed form (the paper's mean balance, v and z independent) for the
subtractive and no-reset layers and for the paper variant; for the multiplicative resets the exact
variant solves the firing rate itself (:func:`conditions_i_and_ii`, :mod:`lifstab.firing_rate`), since
the closed form's independence fails there (measured rates 0.20-0.42 instead of 1/2).

*Solver for Condition IV.* The residual ``R = c0 + c1 E[SG] + c2 E[SG^2]`` (coefficients from the
generated kernels; the moments under the paper's worst-case uniform voltage) is solved per neuron
in ``x = log(sharpness)`` or ``x = log(tail - 1)``: a bracket is found on a log grid, then a
safeguarded Newton iteration (the generated derivatives in sharpness or tail; a bisection step
whenever Newton leaves the bracket) runs to ``|R| <= 1e-13``. Where ``R`` does not change sign on
the searched range, the neuron is reported infeasible with the reason, the grid point that
minimises ``|R|`` and its residual; no boundary value is returned silently.

*Two routes to the sharpness* (``sharpness_method``). ``"condition_iv"`` is the paper's route above.
It has no root in almost every realistic layer: its worst-case uniform voltage makes ``E[SG^2]``
tiny, and ``E[SG^2] <= dampening^2`` with Condition III's small dampening. ``"edge"`` sets the
sharpness at a margin times the critical sharpness of :func:`lifstab.stability.critical_sharpness` on
example inputs, with dampening 1 (``dampening_source="unit"``; ``"condition_iii"`` keeps Condition
III's). ``edge_method="replay"`` (default) measures that edge: the layer's own backward recursion
replayed on one forward pass for every sharpness, margin 1 (rho = 1 on the inputs). ``"dmft"``
predicts it without a backward pass, margin 2: on the quick digits networks (64 LIF units, threshold
1, tau 20, docs/guide/conditions.md) the first layer's measured rho at the predicted ``beta_c`` was
1.45-1.54 (dmft underestimates ``beta_c`` there about twofold, its inputs firing at about 0.002) and
the second layer's 1.00-1.01; at twice it 0.97-1.05 and 0.91-0.92. Trained (digits, 16 epochs, 10
seeds x 3 learning rates): replay x1 0.854 mean test accuracy, dmft x2 0.840, the default (Glorot)
initialisation 0.860, replay x2-x4 0.879-0.886 (docs/guide/conditions.md). With Condition
III's dampening (about 0.01) rho < 1 at every sharpness in 1e-3..1e3 (no edge; the gradient vanishes),
hence dampening 1 on this route. The predictor searches the sharpness only: for q_pseudo_spike the
tail stays fixed (the layer's, or ``tail``, default 2).
"""

from __future__ import annotations

import copy
import dataclasses
import math
import warnings
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import torch

from . import expectations
from ._generated import conditions_numpy as _k
from .lif import RESETS, RecurrentLIF
from .recipe import RECIPE, lift_rate_
from .surrogates import FAMILIES, Surrogate, family_info

K = _k.KERNELS
VARIANTS = ("paper", "exact")
#: searched ranges: sharpness in [1e-4, 1e4]; tail - 1 in [1e-4, 1e4]
SHARPNESS_RANGE = (1e-4, 1e4)
TAIL_OFFSET_RANGE = (1e-4, 1e4)
_GRID = 17  # log-grid points for the bracket (one per half decade)
#: Condition IV for the tail is solved at this sharpness unless one is given
DEFAULT_TAIL_SHARPNESS = 1.0
#: routes to the sharpness (module doc)
SHARPNESS_METHODS = ("edge", "condition_iv")
DAMPENING_SOURCES = ("unit", "condition_iii")
#: how the edge route finds the edge (a :data:`lifstab.stability.METHODS` name): "replay" measures it on
#: the example inputs (the layer's own backward recursion replayed for every sharpness on one forward pass);
#: "dmft" predicts it (module doc)
DEFAULT_EDGE_METHOD = "replay"
#: edge methods that measure (run the layer's backward recursion) rather than predict
MEASURED_EDGE_METHODS = ("replay",)
#: the edge route's sharpness is this many times the critical sharpness, per method when not given:
#: replay's edge is measured, so 1 (rho = 1 on the inputs, whatever their length); dmft underestimated the
#: edge of the quick digits networks' first layer about twofold (module doc), so 2
EDGE_MARGINS = {"replay": 1.0, "dmft": 2.0}
#: the margin of the default method
EDGE_MARGIN = EDGE_MARGINS[DEFAULT_EDGE_METHOD]


def edge_margin_for(method: str, margin: float | None = None) -> float:
    """``margin`` (validated), or the method's default (:data:`EDGE_MARGINS`, else 1)."""
    if margin is None:
        return EDGE_MARGINS.get(method, 1.0)
    return _check_float("edge_margin", margin, 0.0)
#: where :func:`stable_init_` takes the weights from: the layer as it is, or Conditions I-II
WEIGHT_SOURCES = ("keep", "conditions")
KEPT_WEIGHTS = ("the layer's own weights were kept (weights='keep'; Conditions I-II are reported, not applied: "
                "their weights saturated the layers in training, lifstab.recipe)")
#: the tail of q_pseudo_spike on the edge route when none is given
DEFAULT_EDGE_TAIL = 2.0
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
#: the largest |threshold| and |input_mean| accepted: Conditions I and II square them (and the recurrent mean,
#: of the threshold's scale), and float64 overflows at 1.8e308; measured: recommend overflowed at input_mean
#: 1e154 and threshold 1e300, and is finite at 1e150 (tests/test_conditions.py)
MAX_MAGNITUDE = 1e150


# ---- validation -----------------------------------------------------------------------------

def _check_int(name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name}={value!r} must be an integer >= {minimum}")
    return int(value)


def _check_float(name: str, value, low: float | None = None, high: float | None = None,
                 low_open: bool = True, high_open: bool = True) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}={value!r} must be a number") from None
    bad = not math.isfinite(x)
    if low is not None:
        bad |= x <= low if low_open else x < low
    if high is not None:
        bad |= x >= high if high_open else x > high
    if bad:
        lo = "(" if low_open else "["
        hi = ")" if high_open else "]"
        raise ValueError(f"{name}={value!r} must be finite and in {lo}{low}, {high}{hi}")
    return x


def _check_reset(reset: str) -> str:
    if reset not in RESETS:
        raise ValueError(f"reset={reset!r} is unknown; choose one of {list(RESETS)}")
    return reset


def _check_variant(variant: str) -> str:
    if variant not in VARIANTS:
        raise ValueError(f"variant={variant!r} must be one of {list(VARIANTS)}")
    return variant


def resolve_decay(tau=None, decay=None) -> float:
    """The decay alpha from exactly one of ``tau`` (steps, > 0) or ``decay`` (in (0, 1))."""
    if (tau is None) == (decay is None):
        raise ValueError("give exactly one of tau or decay")
    if tau is not None:
        decay = math.exp(-1.0 / _check_float("tau", tau, 0.0))
        if decay >= 1.0:
            raise ValueError(f"tau={tau!r} is too large: its decay exp(-1/tau) rounds to 1")
        return decay
    return _check_float("decay", decay, 0.0, 1.0)


# ---- Conditions I-III -----------------------------------------------------------------------

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
        from . import firing_rate

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


# ---- Condition IV ---------------------------------------------------------------------------

class SolveResult(NamedTuple):
    """Per-neuron solution of Condition IV in sharpness or tail."""

    value: np.ndarray  # the root, or where infeasible the searched value minimising |residual|
    residual: np.ndarray
    feasible: np.ndarray  # bool: a root exists in the searched range
    reason: str  # empty when every neuron is feasible


def _iv_form(variant: str, detach_reset: bool) -> str:
    return "paper" if variant == "paper" else ("exact_detached" if detach_reset else "exact_attached")


class _ConditionIV:
    """R(shape) = c0 + c1 E[SG] + c2 E[SG^2] for one layer, vectorised over neurons."""

    def __init__(self, family, reset, variant, detach_reset, decay, threshold, square_sum, y_min, y_max,
                 dampening, sharpness=None, tail=None):
        self.family, self.y_min, self.y_max, self.threshold = family, y_min, y_max, threshold
        self.dampening, self.sharpness, self.tail = dampening, sharpness, tail
        name = f"condition_iv_{reset}_{_iv_form(variant, detach_reset)}"
        v_mean, v_square = expectations.voltage_moments(y_min, y_max)
        args = (decay, threshold, square_sum, 0.0, 0.0, v_mean, v_square)
        self.c0 = K[name](*args)
        self.c1 = K[f"{name}_dsg_mean"](*args)
        self.c2 = K[f"{name}_dsg_square_mean"](*args)

    def __call__(self, sharpness, tail, derivative=None):
        def moment(m):
            return expectations.uniform_moment(self.family, m, self.y_min, self.y_max, self.threshold,
                                               self.dampening, sharpness, tail, derivative=derivative)

        out = (0.0 if derivative else self.c0) + self.c2 * moment(2)
        # E[SG] enters only the attached-reset forms; skip it (half the work) where its weight is 0
        return out + self.c1 * moment(1) if np.any(self.c1 != 0) else out


def _solve_log(residual, lo: float, hi: float, shape: tuple, tol: float = 1e-13, iterations: int = 100):
    """Vectorised root of ``residual(x) -> (R, dR/dx)`` for x in [log lo, log hi] (see module doc)."""
    grid = np.linspace(math.log(lo), math.log(hi), _GRID)
    values = np.stack([np.broadcast_to(residual(np.full(shape, g), need_derivative=False)[0], shape)
                       for g in grid])
    sign_change = np.signbit(values[:-1]) != np.signbit(values[1:])
    best = np.argmin(np.abs(values), axis=0)
    # a grid point already within tolerance is a root (e.g. the flat part of a rectangular SG's moment)
    on_grid = np.abs(np.take_along_axis(values, best[None], 0)[0]) <= tol
    bracketed = sign_change.any(axis=0) & ~on_grid
    feasible = bracketed | on_grid
    first = np.argmax(sign_change, axis=0)
    a = grid[first]
    b = grid[np.minimum(first + 1, _GRID - 1)]
    fa = np.take_along_axis(values, first[None], 0)[0]
    x = np.where(bracketed, (a + b) / 2, grid[best])
    active = bracketed.copy()
    r = np.take_along_axis(values, best[None], 0)[0]
    for _ in range(iterations):
        if not active.any():
            break
        idx = np.nonzero(active)[0]
        xa = x[idx]
        r_a, d_a = residual(xa, need_derivative=True, index=idx)
        r[idx] = r_a
        done = np.abs(r_a) <= tol
        # keep the bracket: the side whose residual has the sign of f(a) moves
        same = np.signbit(r_a) == np.signbit(fa[idx])
        a[idx] = np.where(same, xa, a[idx])
        fa[idx] = np.where(same, r_a, fa[idx])
        b[idx] = np.where(same, b[idx], xa)
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = xa - r_a / d_a
        lo_b, hi_b = np.minimum(a[idx], b[idx]), np.maximum(a[idx], b[idx])
        ok = np.isfinite(newton) & (newton > lo_b) & (newton < hi_b)
        step = np.where(ok, newton, (a[idx] + b[idx]) / 2)
        x[idx] = np.where(done, xa, step)
        stalled = np.abs(hi_b - lo_b) <= 1e-15 * np.maximum(1.0, np.abs(xa))
        active[idx] = ~(done | stalled)
    # final residual at the returned points
    r_final, _ = residual(x, need_derivative=False)
    return x, np.broadcast_to(r_final, shape).copy(), feasible


def condition_iv(family: str, reset: str, variant: str, detach_reset: bool, decay, threshold, square_sum,
                 y_min, y_max, dampening, *, solve_for: str = "sharpness", sharpness=None, tail=None) -> SolveResult:
    """Condition IV per neuron, solved exactly for ``solve_for="sharpness"`` (every family; needs
    ``tail`` for q_pseudo_spike) or ``"tail"`` (q_pseudo_spike; at ``sharpness``)."""
    info = family_info(family)
    if solve_for not in ("sharpness", "tail"):
        raise ValueError(f"solve_for={solve_for!r} must be 'sharpness' or 'tail'")
    if solve_for == "tail" and not info.has_tail:
        raise ValueError(f"solve_for='tail' needs a family with a tail; family={family!r} has none")
    if solve_for == "sharpness" and info.has_tail and tail is None:
        raise ValueError(f"tail is required to solve for sharpness with family={family!r}")
    if not info.has_tail and tail is not None:
        raise ValueError(f"tail={tail!r} given, but family={family!r} has no tail")
    arrays = np.broadcast_arrays(*(np.asarray(a, float) for a in (decay, square_sum, y_min, y_max, dampening)))
    shape = arrays[0].shape
    decay_a, square_a, y_min_a, y_max_a, damp_a = (a.ravel() for a in arrays)
    n = decay_a.size
    equation = _ConditionIV(family, _check_reset(reset), _check_variant(variant), detach_reset, decay_a,
                            float(threshold), square_a, y_min_a, y_max_a, damp_a)
    if solve_for == "sharpness":
        fixed_tail = None if tail is None else float(tail)

        def residual(x, need_derivative, index=None):
            sl = slice(None) if index is None else index
            sub = _subset(equation, sl)
            beta = np.exp(x)
            r = sub(beta, fixed_tail)
            d = sub(beta, fixed_tail, derivative="sharpness") * beta if need_derivative else None
            return r, d

        x, r, ok = _solve_log(residual, *SHARPNESS_RANGE, (n,))
        value = np.exp(x)
        searched = f"sharpness in [{SHARPNESS_RANGE[0]:g}, {SHARPNESS_RANGE[1]:g}]"
    else:
        beta = DEFAULT_TAIL_SHARPNESS if sharpness is None else float(sharpness)

        def residual(x, need_derivative, index=None):
            sl = slice(None) if index is None else index
            sub = _subset(equation, sl)
            q = 1 + np.exp(x)
            r = sub(beta, q)
            d = sub(beta, q, derivative="tail") * np.exp(x) if need_derivative else None
            return r, d

        x, r, ok = _solve_log(residual, *TAIL_OFFSET_RANGE, (n,))
        value = 1 + np.exp(x)
        searched = f"tail - 1 in [{TAIL_OFFSET_RANGE[0]:g}, {TAIL_OFFSET_RANGE[1]:g}]"
    reason = ""
    if not ok.all():
        reason = (f"Condition IV has no root for {int((~ok).sum())} of {n} neurons ({searched}): "
                  f"the second moment of a Jacobian row cannot reach 1 there; the value minimising "
                  f"|residual| is reported, with residual up to {np.nanmax(np.abs(r[~ok])):.3g}")
    return SolveResult(value.reshape(shape), r.reshape(shape), ok.reshape(shape), reason)


def _subset(equation: _ConditionIV, index):
    """The equation restricted to some neurons (the solver drops converged ones)."""
    if isinstance(index, slice):
        return equation
    sub = object.__new__(_ConditionIV)
    sub.family, sub.threshold = equation.family, equation.threshold
    for name in ("y_min", "y_max", "dampening", "c0", "c1", "c2"):
        value = getattr(equation, name)
        setattr(sub, name, value[index] if np.ndim(value) else value)
    return sub


def random_search_sharpness(family, reset, variant, detach_reset, decay, threshold, square_sum, y_min, y_max,
                            dampening, tail=None, samples: int = 100_000, low: float = 0.3, high: float = 1.6,
                            seed: int = 0, chunk: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """The authors' method, for comparison only: per neuron, ``samples`` uniform sharpness values in
    [low, high], keep the argmin of the squared residual. Returns (sharpness, residual)."""
    rng = np.random.default_rng(seed)
    arrays = np.broadcast_arrays(*(np.asarray(a, float) for a in (decay, square_sum, y_min, y_max, dampening)))
    decay_a, square_a, y_min_a, y_max_a, damp_a = (a.ravel() for a in arrays)
    n = decay_a.size
    best, best_r = np.empty(n), np.empty(n)
    for start in range(0, n, chunk):
        sl = slice(start, min(start + chunk, n))
        eq = _ConditionIV(family, reset, variant, detach_reset, decay_a[sl, None], float(threshold),
                          square_a[sl, None], y_min_a[sl, None], y_max_a[sl, None], damp_a[sl, None])
        beta = rng.uniform(low, high, size=(sl.stop - sl.start, samples))
        r = eq(beta, tail)
        pick = np.argmin(r**2, axis=1)
        best[sl] = beta[np.arange(len(pick)), pick]
        best_r[sl] = r[np.arange(len(pick)), pick]
    return best, best_r


# ---- the recommendation ---------------------------------------------------------------------

def _to_numpy(w, name: str, shape: tuple) -> np.ndarray:
    if isinstance(w, torch.Tensor):
        w = w.detach().cpu().double().numpy()
    w = np.asarray(w, dtype=float)
    if w.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {w.shape}")
    if not np.all(np.isfinite(w)):
        raise ValueError(f"{name} contains NaN or inf")
    return w


def input_statistics(inputs=None, input_mean=None, input_var=None) -> tuple[float, float]:
    """(E[x], Var x) from example ``inputs`` or given values; spikes Bernoulli(1/2) when neither."""
    if inputs is not None:
        if input_mean is not None or input_var is not None:
            raise ValueError("give inputs or input_mean/input_var, not both")
        try:
            x = inputs.detach().cpu().double().numpy() if isinstance(inputs, torch.Tensor) else np.asarray(inputs, float)
        except (TypeError, ValueError, RuntimeError, NotImplementedError):
            raise ValueError(f"inputs must be a tensor or array of numbers, got {type(inputs).__name__}") from None
        if x.size < 2 or not np.all(np.isfinite(x)):
            raise ValueError("inputs must hold at least 2 finite values")
        if abs(float(x.mean())) > MAX_MAGNITUDE:
            raise ValueError(f"inputs have mean {float(x.mean()):g}; |mean| must be <= {MAX_MAGNITUDE:g}")
        return float(x.mean()), float(x.var())
    mean = 0.5 if input_mean is None else _check_float("input_mean", input_mean, -MAX_MAGNITUDE, MAX_MAGNITUDE,
                                                            False, False)
    var = 0.25 if input_var is None else _check_float("input_var", input_var, 0.0, low_open=False)
    return mean, var


class EdgeChoice(NamedTuple):
    """The edge route's sharpness: ``margin`` times the critical sharpness, or, where rho does not
    cross 1 in the searched range (``feasible`` False, ``reason`` says which side), the end of the range
    closest to rho = 1 (the smallest sharpness when rho < 1 everywhere). ``critical_sharpness`` and
    ``rho`` are *measured* when ``method`` runs the layer's backward recursion (``"replay"``, see
    :data:`MEASURED_EDGE_METHODS`) and *predicted* otherwise (``"dmft"``): :attr:`kind` says which."""

    sharpness: float
    critical_sharpness: float | None
    margin: float
    rho: float  # rho at ``sharpness``, measured or predicted (``kind``)
    feasible: bool
    reason: str
    method: str
    tail: float | None = None  # q_pseudo_spike: the fixed tail the sharpness was chosen at

    @property
    def kind(self) -> str:
        """"measured" (the method ran a backward pass on the inputs) or "predicted"."""
        return "measured" if self.method in MEASURED_EDGE_METHODS else "predicted"

    @property
    def predicted_rho(self) -> float:
        """``rho`` under its former name, kept for older callers (measured, not predicted, for replay)."""
        return self.rho

    def to_json(self) -> dict:
        """The fields, ``kind``, and ``predicted_rho`` (the former key of ``rho``, kept for older readers)."""
        return {**self._asdict(), "kind": self.kind, "predicted_rho": self.rho}


@dataclass(frozen=True, eq=False)
class Recommendation:
    """Conditions I-IV for one layer. Arrays are per neuron; ``residuals`` and ``feasible`` are keyed
    by condition ``"I"`` .. ``"IV"`` (residuals: the largest |residual| over neurons)."""

    n_in: int
    n_rec: int
    decay: float
    threshold: float
    reset: str
    detach_reset: bool
    family: str
    variant: str
    input_mean: float
    input_var: float
    input_weight_variance: float
    recurrent_mean: float
    recurrent_std: float
    dampening: np.ndarray
    sharpness: np.ndarray
    tail: float | None
    tail_per_neuron: np.ndarray | None
    voltage_min: np.ndarray
    voltage_max: np.ndarray
    residuals: dict = field(default_factory=dict)
    feasible: dict = field(default_factory=dict)
    reasons: dict = field(default_factory=dict)
    from_weights: bool = False
    #: per neuron: Condition IV has a root
    iv_feasible: np.ndarray | None = None
    #: per neuron: Condition III has a positive dampening (elsewhere ``dampening`` holds the fill value)
    dampening_feasible: np.ndarray | None = None
    #: "condition_iv" (``sharpness``/``tail`` from Condition IV) or "edge" (``sharpness`` from ``edge``)
    sharpness_method: str = "condition_iv"
    #: the edge route's choice (None on the Condition IV route)
    edge: EdgeChoice | None = None
    #: the dampening the surrogate gets, per neuron (None: Condition III's ``dampening``)
    applied_dampening: np.ndarray | None = None
    #: Condition I's target firing rate, and its form ("closed_form" or "firing_rate")
    target_rate: float = TARGET_RATE
    condition_i_form: str = "closed_form"

    @property
    def surrogate_dampening(self) -> np.ndarray:
        """The dampening :meth:`surrogate` uses: Condition III's, or 1 on the edge route by default."""
        return self.dampening if self.applied_dampening is None else self.applied_dampening

    @property
    def dampening_mean(self) -> float:
        return float(np.nanmean(self.dampening)) if np.isfinite(self.dampening).any() else float("nan")

    @property
    def sharpness_mean(self) -> float | None:
        """Mean sharpness over neurons where Condition IV has a root (None where none has); on the
        edge route, the edge's sharpness (``sharpness`` keeps Condition IV's solution there)."""
        if self.sharpness_method == "edge":
            return float(self.edge.sharpness)
        if self.tail_per_neuron is not None:
            return float(np.mean(self.sharpness))
        ok = np.asarray(self.iv_feasible, dtype=bool)
        return float(np.mean(self.sharpness[ok])) if ok.any() else None

    def surrogate(self, fallback: Surrogate | None = None, dtype=torch.float64, device=None) -> Surrogate:
        """The recommended surrogate: per-neuron dampening and sharpness, the layer's tail.

        Where Condition IV has no root, the sharpness (or tail) of ``fallback`` (default: the
        family's default shape) is kept instead of the |residual| minimiser, with a warning. On the
        edge route: the edge's sharpness and :attr:`surrogate_dampening`.
        """
        damp = self.surrogate_dampening
        if not np.all(np.isfinite(damp)) or not np.all(damp > 0):  # recommend() fills these; a hand-made one may not
            raise ValueError(f"dampening must be finite and > 0 for every neuron: {self.reasons.get('III')}")
        has_tail = FAMILIES[self.family].has_tail
        if fallback is None or fallback.family != self.family:
            fallback = Surrogate(self.family, tail=DEFAULT_EDGE_TAIL if has_tail else None)
        if self.sharpness_method == "edge":
            return Surrogate(self.family, torch.as_tensor(damp, dtype=dtype, device=device),
                             float(self.edge.sharpness), tail=self.edge.tail)
        ok = np.asarray(self.iv_feasible, dtype=bool)
        sharpness, tail = self.sharpness, self.tail
        if self.tail_per_neuron is None and not ok.all():
            sharpness = np.where(ok, self.sharpness, _as_array(fallback.sharpness, self.n_rec))
        if has_tail and tail is None:
            tail = fallback.tail
        if not ok.all():
            warnings.warn(f"lifstab: {self.reasons.get('IV')}; those neurons keep sharpness/tail of {fallback!r}",
                          stacklevel=3)
        return Surrogate(self.family, torch.as_tensor(self.dampening, dtype=dtype, device=device),
                         torch.as_tensor(sharpness, dtype=dtype, device=device), tail=tail)

    def summary(self) -> str:
        lines = [
            f"lifstab conditions ({self.variant} variant): n_in={self.n_in}, n_rec={self.n_rec}, "
            f"decay={self.decay:.6g}, threshold={self.threshold:g}, reset={self.reset}"
            f"{' (detached)' if self.detach_reset else ''}, family={self.family}",
            f"  inputs: mean {self.input_mean:.4g}, variance {self.input_var:.4g}; input weight variance "
            f"{self.input_weight_variance:.4g}; per-neuron results from "
            f"{'the given weights' if self.from_weights else 'the recommended weight statistics'}",
            f"  I   recurrent weight mean      {self.recurrent_mean:.6g}  (target rate {self.target_rate:g}, "
            f"{self.condition_i_form.replace('_', ' ')})",
            f"  II  recurrent weight std       {self.recurrent_std:.6g}",
            f"  III dampening (mean)           {self.dampening_mean:.6g}  "
            f"[min {np.nanmin(self.dampening):.4g}, max {np.nanmax(self.dampening):.4g}]",
        ]
        if self.tail_per_neuron is not None:
            lines.append(f"  IV  tail (mean)                {self.tail:.6g}  at sharpness {self.sharpness.mean():.4g}")
        else:
            ok = np.asarray(self.iv_feasible, dtype=bool)
            s = float(np.mean(self.sharpness[ok])) if ok.any() else None
            kept = Surrogate(self.family, tail=DEFAULT_EDGE_TAIL if FAMILIES[self.family].has_tail else None).sharpness
            lines.append(f"  IV  sharpness (mean)           "
                         + (f"{s:.6g}" if s is not None else f"none: the surrogate keeps the family's default {kept:g}"))
        for key in ("I", "II", "III", "IV"):
            state = "ok" if self.feasible[key] else "INFEASIBLE"
            lines.append(f"  {key:<3} {state:<10} residual {self.residuals[key]:.3g}"
                         + (f"  ({self.reasons[key]})" if self.reasons.get(key) else ""))
        lines.append(f"  surrogate: {self.route_summary()}")
        lines.append("  training: this stability holds at initialisation only; the " + RECIPE.summary()
                     + " (lifstab.recipe, docs/long_horizon.md)")
        for key in ("weights", "rate", "keep_edge"):
            if self.reasons.get(key):
                lines.append(f"  {key}: {self.reasons[key]}")
        return "\n".join(lines)

    def route_summary(self) -> str:
        """Which route of ``stable_init_`` set the surrogate's shape, and rho there on the edge route
        (measured by replay, predicted by dmft)."""
        damp = self.surrogate_dampening
        d = f"dampening {'Condition III' if self.applied_dampening is None else 'unit'} (mean {np.mean(damp):.4g})"
        if self.sharpness_method != "edge":
            note = f"; edge route not used: {self.reasons['edge']}" if self.reasons.get("edge") else ""
            return (f"route condition_iv: sharpness from Condition IV "
                    f"({'has a root' if self.feasible['IV'] else 'no root'}), {d}{note}")
        e = self.edge
        crit = "none" if e.critical_sharpness is None else f"{e.critical_sharpness:.4g}"
        return (f"route edge: sharpness {e.sharpness:.4g} from the edge of stability ({e.method}: {e.kind} "
                f"beta_c {crit}, margin {e.margin:g}, {e.kind} rho {e.rho:.4g}"
                + ("" if e.feasible else f"; no edge: {e.reason}") + f"), {d}")

    def to_json(self) -> dict:
        return {
            "n_in": self.n_in, "n_rec": self.n_rec, "decay": self.decay, "threshold": self.threshold,
            "reset": self.reset, "detach_reset": self.detach_reset, "family": self.family,
            "variant": self.variant,
            "recurrent_mean": self.recurrent_mean, "recurrent_std": self.recurrent_std,
            "target_rate": self.target_rate, "condition_i_form": self.condition_i_form,
            "dampening": self.dampening_mean,
            "sharpness": self.sharpness_mean if (self.feasible["IV"] or self.tail_per_neuron is None
                                                 or self.sharpness_method == "edge") else None,
            "tail": self.tail,
            "feasible": {k: bool(v) for k, v in self.feasible.items()},
            "residuals": {k: float(v) for k, v in self.residuals.items()},
            "reasons": dict(self.reasons),
            "sharpness_method": self.sharpness_method,
            "surrogate_dampening": float(np.mean(self.surrogate_dampening)),
            "edge": None if self.edge is None else self.edge.to_json(),
        }


def recommend(n_in: int, n_rec: int, *, tau=None, decay=None, threshold, reset: str = "subtractive",
              detach_reset: bool = True, input_mean=None, input_var=None, inputs=None,
              family: str = "exponential", tail=None, w_in=None, w_rec=None, variant: str = "exact",
              input_weight_variance=None, iv_dampening=None, sharpness_method: str = "condition_iv",
              probe_inputs=None, dampening_source: str | None = None, edge_margin: float | None = None,
              edge_method: str = DEFAULT_EDGE_METHOD, target_rate=None) -> Recommendation:
    """Conditions I-IV for a layer (docs/theory.md section 4).

    Inputs ``x`` have mean/variance ``input_mean``/``input_var`` (or measured from ``inputs``;
    spikes Bernoulli(1/2) by default). The input weights are zero-mean with variance
    ``input_weight_variance``: measured from ``w_in`` when given, else Glorot's 2/(n_in + n_rec).
    I and II come from those statistics (:func:`conditions_i_and_ii`: the exact variant solves I for
    the firing rate ``target_rate`` for multiplicative resets); III and IV are per neuron, from ``w_in`` (n_in x n_rec) and
    ``w_rec`` (n_rec x n_rec; current = x @ w_in + z @ w_rec) when given, else from the expected
    sums under the recommended Gaussian weights. IV is solved in sharpness (``tail`` fixed, for
    q_pseudo_spike) or, for q_pseudo_spike without ``tail``, in tail at sharpness 1, with the
    dampening of Condition III (or ``iv_dampening`` when given: E[SG^2] <= dampening^2, so a small
    dampening can leave IV without a root).

    Condition III cannot bind on a neuron without positive recurrent input (no positive feedback):
    such neurons are reported (``dampening_feasible``, ``reasons["III"]``) and get the layer's median
    feasible dampening (1 when no neuron is feasible).

    ``sharpness_method="edge"`` (module doc) needs ``w_in``, ``w_rec`` and example inputs
    ``probe_inputs`` (``(T, B, n_in)``, ``T >= 16``; default ``inputs`` when it has that shape): the
    layer is rebuilt from them (no bias) and probed; Condition IV is still solved and reported.
    ``dampening_source`` is ``"unit"`` (default on the edge route) or ``"condition_iii"`` (the only
    choice on the Condition IV route).
    """
    n_in, n_rec = _check_int("n_in", n_in, 1), _check_int("n_rec", n_rec, 2)
    alpha = resolve_decay(tau, decay)
    threshold = _check_float("threshold", threshold, 0.0, MAX_MAGNITUDE, high_open=False)
    _check_reset(reset)
    _check_variant(variant)
    info = family_info(family)
    if sharpness_method not in SHARPNESS_METHODS:
        raise ValueError(f"sharpness_method={sharpness_method!r} must be one of {list(SHARPNESS_METHODS)}")
    if dampening_source is None:
        dampening_source = "unit" if sharpness_method == "edge" else "condition_iii"
    if dampening_source not in DAMPENING_SOURCES:
        raise ValueError(f"dampening_source={dampening_source!r} must be one of {list(DAMPENING_SOURCES)}")
    if sharpness_method == "condition_iv" and dampening_source != "condition_iii":
        raise ValueError("dampening_source='unit' needs sharpness_method='edge' (Condition IV is solved at "
                         "Condition III's dampening, or iv_dampening)")
    if sharpness_method == "edge":
        edge_margin = edge_margin_for(edge_method, edge_margin)
        if w_in is None or w_rec is None:
            raise ValueError("sharpness_method='edge' needs w_in and w_rec (the layer to probe)")
        probe_inputs = _probe_inputs(probe_inputs, inputs, n_in)
    if tail is not None:
        if not info.has_tail:
            raise ValueError(f"tail={tail!r} given, but family={family!r} has no tail")
        tail = _check_float("tail", tail, 1.0)
    mean_x, var_x = input_statistics(inputs, input_mean, input_var)
    second_x = var_x + mean_x**2
    if w_in is not None:
        w_in = _to_numpy(w_in, "w_in", (n_in, n_rec))
    if w_rec is not None:
        w_rec = _to_numpy(w_rec, "w_rec", (n_rec, n_rec))
        w_rec = w_rec * (1 - np.eye(n_rec))  # the diagonal never acts
    if input_weight_variance is None:
        var_u = float(w_in.var()) if w_in is not None else 2.0 / (n_in + n_rec)
    else:
        var_u = _check_float("input_weight_variance", input_weight_variance, 0.0, low_open=False)

    residuals, feasible, reasons = {}, {}, {}
    # Conditions I and II
    first = conditions_i_and_ii(n_in, n_rec, alpha, threshold, reset, variant, mean_x, var_x, var_u, target_rate)
    mu, var_w = first.recurrent_mean, first.recurrent_variance
    residuals["I"], feasible["I"] = first.residual, first.feasible
    if first.reason:
        reasons["I"] = first.reason
    feasible["II"] = var_w >= 0
    if not feasible["II"]:
        reasons["II"] = (f"the input current variance is too small for the recurrent mean {mu:.3g}: "
                         f"sigma_W^2 would be {var_w:.3g} < 0; std 0 (closest) is reported")
    std = math.sqrt(max(var_w, 0.0))
    residuals["II"] = abs(float(K[f"variance_balance_{variant}"](n_in, n_rec, second_x, var_u, mu, std**2)))

    # per-neuron sums for III and IV
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

    # Condition III
    solved = condition_iii(alpha, threshold, pos, neg, reset)
    ok3 = np.isfinite(solved) & (solved > 0)
    feasible["III"] = bool(ok3.all())
    fill = float(np.median(solved[ok3])) if ok3.any() else 1.0
    damp = np.where(ok3, solved, fill)
    if not feasible["III"]:
        no_feedback = int((~ok3 & (pos <= 0)).sum())
        other = int((~ok3).sum()) - no_feedback
        reasons["III"] = (f"{int((~ok3).sum())} of {n_rec} neurons have no positive dampening from Condition III ("
                          f"{no_feedback} have no positive recurrent weight sum: no positive feedback, so the "
                          f"condition cannot bind; {other} have no negative recurrent weight sum, which puts the "
                          f"solution at 0); they get "
                          f"{'the median feasible dampening' if ok3.any() else 'dampening 1'} {fill:.4g}")
    with np.errstate(all="ignore"):
        gain = K[f"gain_balance_{reset}"](alpha, threshold, pos, neg, solved)
    residuals["III"] = float(np.nanmax(np.abs(np.where(ok3, gain, np.nan)))) if ok3.any() else float("nan")

    # Condition IV
    y_min, y_max = voltage_bounds(alpha, threshold, pos, neg, in_pos, in_neg, reset)
    if iv_dampening is None:
        damp_iv = damp  # at the dampening the surrogate gets on this route
    else:
        damp_iv = np.full(n_rec, _check_float("iv_dampening", iv_dampening, 0.0))
    tail_per_neuron = None
    if info.has_tail and tail is None:
        res = condition_iv(family, reset, variant, detach_reset, alpha, threshold, square_sum, y_min, y_max,
                           damp_iv, solve_for="tail", sharpness=DEFAULT_TAIL_SHARPNESS)
        tail_per_neuron = res.value
        sharp = np.full(n_rec, DEFAULT_TAIL_SHARPNESS)
        layer_tail = float(np.mean(res.value[res.feasible])) if res.feasible.any() else None
    else:
        res = condition_iv(family, reset, variant, detach_reset, alpha, threshold, square_sum, y_min, y_max,
                           damp_iv, tail=tail)
        sharp = res.value
        layer_tail = tail
    feasible["IV"] = bool(res.feasible.all())
    residuals["IV"] = float(np.max(np.abs(res.residual[res.feasible]))) if res.feasible.any() else float(
        np.min(np.abs(res.residual)))
    if res.reason:
        reasons["IV"] = res.reason + (f"; E[SG^2] <= dampening^2 (dampening {np.mean(damp_iv):.3g})")
    rec = Recommendation(
        n_in=n_in, n_rec=n_rec, decay=alpha, threshold=threshold, reset=reset, detach_reset=bool(detach_reset),
        family=family, variant=variant, input_mean=mean_x, input_var=var_x, input_weight_variance=var_u,
        recurrent_mean=mu, recurrent_std=std, dampening=damp, sharpness=sharp, tail=layer_tail,
        tail_per_neuron=tail_per_neuron, voltage_min=y_min, voltage_max=y_max, residuals=residuals,
        feasible=feasible, reasons=reasons, from_weights=w_rec is not None, iv_feasible=res.feasible,
        dampening_feasible=ok3, target_rate=first.target_rate, condition_i_form=first.form,
    )
    if sharpness_method == "edge":
        edge_tail = (tail if tail is not None else DEFAULT_EDGE_TAIL) if info.has_tail else None
        layer = RecurrentLIF(n_in, n_rec, tau=-1.0 / math.log(alpha), threshold=threshold, reset=reset,
                             detach_reset=detach_reset, surrogate=Surrogate(family, tail=edge_tail), bias=False,
                             dtype=torch.float64)
        with torch.no_grad():
            layer.w_in.copy_(torch.as_tensor(w_in))
            layer.w_rec.copy_(torch.as_tensor(w_rec) * layer.rec_mask)
        rec = with_edge(rec, layer, probe_inputs, dampening_source, edge_margin, edge_method)
    return rec


def _probe_inputs(probe_inputs, inputs, n_in: int) -> torch.Tensor:
    """The edge route's example inputs ``(T, B, n_in)``: ``probe_inputs``, else ``inputs`` if shaped so."""
    x = inputs if probe_inputs is None else probe_inputs
    name = "inputs" if probe_inputs is None else "probe_inputs"
    if x is None:
        raise ValueError("sharpness_method='edge' needs example inputs: probe_inputs (T, B, n_in)")
    x = torch.as_tensor(x.detach() if isinstance(x, torch.Tensor) else np.asarray(x, float))
    if x.ndim != 3 or x.shape[-1] != n_in or x.shape[0] < 16:  # 16: the predictor's growth window
        raise ValueError(f"{name} must have shape (T >= 16, B, n_in={n_in}) for the edge route, got {tuple(x.shape)}")
    if not torch.all(torch.isfinite(x)):
        raise ValueError(f"{name} contains NaN or inf")
    return x


def edge_choice(layer: RecurrentLIF, x: torch.Tensor, margin: float | None = None,
                method: str = DEFAULT_EDGE_METHOD) -> EdgeChoice:
    """The edge route's sharpness for ``layer`` (its family, dampening and tail) driven by ``x``:
    ``margin`` (default :func:`edge_margin_for` the method) times the critical sharpness."""
    from .stability import SHARPNESS_RANGE, critical_sharpness, forward_probe, predicted_log_growth

    margin = edge_margin_for(method, margin)
    probe = forward_probe(layer, x)
    prediction = critical_sharpness(layer, x, method=method, probe=probe)
    low, high = SHARPNESS_RANGE
    if prediction.feasible:
        value = float(np.clip(margin * prediction.critical_sharpness, low, high))
    else:  # rho < 1 everywhere: the smallest sharpness gives the largest gradient; otherwise the largest
        value = low if prediction.reason.startswith("stable") else high
    log_rho = float(predicted_log_growth(layer, x, [value], method=method, probe=probe)[0])
    tail = layer.surrogate.tail if layer.surrogate.info.has_tail else None
    return EdgeChoice(value, prediction.critical_sharpness, float(margin), math.exp(log_rho), prediction.feasible,
                      prediction.reason, method, tail)


def with_edge(rec: Recommendation, layer: RecurrentLIF, x: torch.Tensor, dampening_source: str = "unit",
              margin: float | None = None, method: str = DEFAULT_EDGE_METHOD) -> Recommendation:
    """``rec`` on the edge route: ``layer`` (a copy is probed, with the dampening of
    ``dampening_source``) and inputs ``x`` set the sharpness (module doc)."""
    if dampening_source not in DAMPENING_SOURCES:
        raise ValueError(f"dampening_source={dampening_source!r} must be one of {list(DAMPENING_SOURCES)}")
    probe_layer = copy.deepcopy(layer).double()
    applied = np.ones(rec.n_rec) if dampening_source == "unit" else None
    damp = rec.dampening if applied is None else applied
    surrogate = probe_layer.surrogate
    if surrogate.family != rec.family:
        surrogate = Surrogate(rec.family, tail=DEFAULT_EDGE_TAIL if FAMILIES[rec.family].has_tail else None)
    probe_layer.surrogate = surrogate.replace(dampening=torch.as_tensor(damp, dtype=torch.float64))
    choice = edge_choice(probe_layer, torch.as_tensor(x, dtype=torch.float64), margin, method)
    reasons = dict(rec.reasons)
    if not choice.feasible:
        reasons["edge"] = f"no edge of stability in the searched sharpness range: {choice.reason}"
    return dataclasses.replace(rec, sharpness_method="edge", edge=choice, applied_dampening=applied, reasons=reasons)


# ---- initialisers ---------------------------------------------------------------------------

def _as_array(value, n: int) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().double().numpy()
    return np.broadcast_to(np.asarray(value, dtype=float), (n,))


def _layer_decay(layer: RecurrentLIF) -> float:
    return float(layer.decay.detach().double().mean())


def _layer_threshold(layer: RecurrentLIF) -> float:
    return float(layer.threshold.detach().double().mean())


def initialise_(layer: RecurrentLIF, recommendation: Recommendation, seed: int | None = None) -> RecurrentLIF:
    """Apply ``recommendation`` to ``layer`` in place: recurrent weights N(mean, std^2) with zero
    diagonal, input weights N(0, input_weight_variance), zero bias, and the recommended surrogate
    (per-neuron dampening and sharpness, the tail). Seeded and reproducible."""
    if not isinstance(layer, RecurrentLIF):
        raise ValueError(f"layer must be a lifstab.RecurrentLIF or RecurrentALIF, got {type(layer).__name__}")
    if not isinstance(recommendation, Recommendation):
        raise ValueError("recommendation must be a lifstab.conditions.Recommendation")
    if (layer.n_in, layer.n_rec) != (recommendation.n_in, recommendation.n_rec):
        raise ValueError(f"recommendation is for n_in={recommendation.n_in}, n_rec={recommendation.n_rec}; "
                         f"layer has n_in={layer.n_in}, n_rec={layer.n_rec}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise ValueError(f"seed must be a non-negative int or None, got {seed!r}")
    gen = torch.Generator(device="cpu")
    gen.manual_seed(seed) if seed is not None else gen.seed()
    with torch.no_grad():
        w_in = torch.randn(layer.w_in.shape, generator=gen, dtype=torch.float64) * math.sqrt(
            recommendation.input_weight_variance)
        layer.w_in.copy_(w_in.to(layer.w_in.dtype))
        if layer.w_rec is not None:
            w_rec = recommendation.recurrent_mean + recommendation.recurrent_std * torch.randn(
                layer.w_rec.shape, generator=gen, dtype=torch.float64)
            layer.w_rec.copy_(w_rec.to(layer.w_rec.dtype) * layer.rec_mask)
        if layer.bias is not None:
            layer.bias.zero_()
    layer.surrogate = recommendation.surrogate(layer.surrogate, dtype=layer.w_in.dtype, device=layer.w_in.device)
    return layer


def stable_init_(layer: RecurrentLIF, inputs=None, input_mean=None, input_var=None, family: str | None = None,
                 variant: str = "exact", seed: int | None = None, sharpness_method: str | None = None,
                 probe_inputs=None, dampening_source: str | None = None, edge_margin: float | None = None,
                 edge_method: str = DEFAULT_EDGE_METHOD, target_rate=None, weights: str = RECIPE.weights,
                 keep_edge: float | None = RECIPE.target_rho, min_rate: float | None = RECIPE.min_rate) -> Recommendation:
    """Recommend Conditions I-IV for ``layer`` (its decay, threshold, reset, family), set its surrogate
    and keep the edge of stability during training (:mod:`lifstab.recipe` gives the evidence).

    ``weights``: ``"keep"`` (default) keeps the layer's own weights (Conditions I-II are reported, not
    applied); ``"conditions"`` draws them from I and II (``target_rate``: Condition I's firing rate,
    :func:`conditions_i_and_ii`). III and IV are then solved per neuron on the layer's weights.
    ``keep_edge``: the measured rho that an :class:`lifstab.EdgeKeeper` attached to the layer holds during
    training (a forward pre-hook, :func:`lifstab.attach_edge_keeper`; ``reasons["keep_edge"]`` says what was
    attached); None attaches none. ``min_rate``: a layer firing below it on ``inputs`` (time-major
    ``(T, B, n_in)``) gets one bias offset that lifts its rate to it (:func:`lifstab.recipe.lift_rate_`;
    ``reasons["rate"]``); None never lifts.

    ``sharpness_method``: ``"edge"`` (module doc: the sharpness at ``edge_margin`` times the predicted
    critical sharpness of the initialised layer on ``probe_inputs``, default ``inputs``, shaped
    ``(T >= 16, B, n_in)``; dampening 1 unless ``dampening_source="condition_iii"``) or
    ``"condition_iv"`` (the paper's route). ``None`` (default) takes the edge route when such example
    inputs are given and the layer is a plain LIF with a detached reset, else Condition IV, and says
    why in ``reasons["edge"]``.

    ``layer`` may also be a snntorch, norse or spikingjelly layer, a ``(torch.nn.Linear, neuron)`` pair
    or a list of them, with ``inputs`` those of the first ``Linear`` (:mod:`lifstab.adapters`).
    """
    options = dict(locals())  # the arguments, passed on for a peer library's layer
    if not isinstance(layer, RecurrentLIF):
        from . import adapters
        if adapters.is_peer(layer):
            return adapters.stable_init_(**options)
        raise ValueError(f"layer must be a lifstab.RecurrentLIF or RecurrentALIF, got {type(layer).__name__}")
    if sharpness_method not in (None, *SHARPNESS_METHODS):
        raise ValueError(f"sharpness_method={sharpness_method!r} must be None or one of {list(SHARPNESS_METHODS)}")
    if weights not in WEIGHT_SOURCES:
        raise ValueError(f"weights={weights!r} must be one of {list(WEIGHT_SOURCES)}")
    if keep_edge is not None:
        from .edge_keeping import check_target_rho
        keep_edge = check_target_rho(keep_edge)
    family = layer.surrogate.family if family is None else family
    previous = layer.surrogate if layer.surrogate.family == family else None
    common = dict(decay=_layer_decay(layer), threshold=_layer_threshold(layer), reset=layer.reset,
                  detach_reset=layer.detach_reset, inputs=inputs, input_mean=input_mean, input_var=input_var,
                  family=family, variant=variant, target_rate=target_rate)
    method, why_not = sharpness_method, ""
    if method != "condition_iv":
        try:  # the edge route's requirements, checked before anything changes
            if type(layer).__name__ == "RecurrentALIF" or layer.w_rec is None or not layer.detach_reset:
                raise ValueError("layer: the edge predictor needs a recurrent RecurrentLIF with detach_reset=True")
            x = _probe_inputs(probe_inputs, inputs, layer.n_in)
            method = "edge"
        except ValueError as error:
            if method == "edge":
                raise
            method, why_not = "condition_iv", str(error)
    variance, lifted = None, None
    if weights == "conditions":
        first = recommend(layer.n_in, layer.n_rec, **common)
        with warnings.catch_warnings():  # the surrogate is replaced below, from the drawn weights
            warnings.simplefilter("ignore")
            initialise_(layer, first, seed=seed)  # weights from I and II
        variance = first.input_weight_variance
    rate_probe = probe_inputs if probe_inputs is not None else inputs
    if min_rate is not None and rate_probe is not None and torch.as_tensor(rate_probe).dim() == 3:
        rate_probe = torch.as_tensor(rate_probe, dtype=layer.w_in.dtype, device=layer.w_in.device)
        lifted = lift_rate_(layer, rate_probe, min_rate)
    final = recommend(layer.n_in, layer.n_rec, **common, w_in=layer.w_in,
                      w_rec=layer.recurrent_weight(), input_weight_variance=variance)
    if weights == "keep":
        final = dataclasses.replace(final, reasons={**final.reasons, "weights": KEPT_WEIGHTS})
    if lifted is not None:
        final = dataclasses.replace(final, reasons={**final.reasons, "rate": (
            f"the layer fired below min_rate={min_rate:g} on the inputs: its bias was raised by {lifted:.4g} "
            f"(shared by all neurons) to fire at that rate")})
    if method == "edge":
        if previous is not None and previous.info.has_tail:
            layer.surrogate = previous  # the edge is searched at the layer's tail
        elif previous is None:
            layer.surrogate = Surrogate(family, tail=DEFAULT_EDGE_TAIL if FAMILIES[family].has_tail else None)
        final = with_edge(final, layer, x, dampening_source or "unit", edge_margin, edge_method)
    else:
        if dampening_source not in (None, "condition_iii"):
            raise ValueError("dampening_source='unit' needs the edge route")
        if why_not:
            final = dataclasses.replace(final, reasons={**final.reasons, "edge": why_not})
    layer.surrogate = final.surrogate(previous, dtype=layer.w_in.dtype, device=layer.w_in.device)
    return _keep_edge(layer, final, keep_edge)


def _keep_edge(layer: RecurrentLIF, rec: Recommendation, target_rho: float | None) -> Recommendation:
    """Attach an edge keeper at ``target_rho`` where the layer supports one; say what was done."""
    from .edge_keeping import attach_edge_keeper, detach_edge_keeper

    detach_edge_keeper(layer)
    if target_rho is None:
        reason = "no edge keeper attached (keep_edge=None)"
    elif type(layer).__name__ == "RecurrentALIF" or layer.w_rec is None or not layer.detach_reset:
        reason = ("no edge keeper attached: keeping the edge needs a recurrent RecurrentLIF with "
                  "detach_reset=True")
    else:
        attach_edge_keeper(layer, target_rho, every=RECIPE.keep_every)
        reason = (f"an EdgeKeeper holds the measured rho at {target_rho:g} during training (every "
                  f"{RECIPE.keep_every} training forward passes; lifstab.detach_edge_keeper removes it)")
    return dataclasses.replace(rec, reasons={**rec.reasons, "keep_edge": reason})


__all__ = [
    "condition_i", "condition_ii", "condition_iii", "condition_iv", "voltage_bounds", "resolve_decay",
    "input_statistics", "recommend", "Recommendation", "SolveResult", "initialise_", "stable_init_",
    "random_search_sharpness", "VARIANTS", "SHARPNESS_METHODS", "DAMPENING_SOURCES", "EDGE_MARGIN", "EDGE_MARGINS",
    "DEFAULT_EDGE_METHOD", "edge_margin_for",
    "EdgeChoice", "edge_choice", "with_edge",
]
