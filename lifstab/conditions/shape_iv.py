"""Condition IV: the surrogate's shape (sharpness, or the tail of q_pseudo_spike) that makes the second
moment of a Jacobian row 1, solved exactly per neuron (the solver is described in :mod:`lifstab.conditions`;
docs/theory.md section 4), and the authors' random search, for comparison."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .. import expectations
from ..surrogates import family_info
from .common import K, _check_reset, _check_variant
from .dampening_iii import LayerSums, voltage_bounds

#: searched ranges: sharpness in [1e-4, 1e4]; tail - 1 in [1e-4, 1e4]
SHARPNESS_RANGE = (1e-4, 1e4)
TAIL_OFFSET_RANGE = (1e-4, 1e4)
_GRID = 17  # log-grid points for the bracket (one per half decade)
#: Condition IV for the tail is solved at this sharpness unless one is given
DEFAULT_TAIL_SHARPNESS = 1.0


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



class LayerShape(NamedTuple):
    """Condition IV for a layer: the sharpness per neuron, the tail (the layer's, and per neuron where it
    was solved for), the worst-case voltage range, the solver's result and the dampening it was solved at."""

    sharpness: np.ndarray
    tail: float | None
    tail_per_neuron: np.ndarray | None
    voltage_min: np.ndarray
    voltage_max: np.ndarray
    solution: SolveResult
    dampening: np.ndarray

    @property
    def residual(self) -> float:
        """The largest |residual| over neurons with a root (the smallest over all where none has)."""
        res = self.solution
        return float(np.max(np.abs(res.residual[res.feasible]))) if res.feasible.any() else float(
            np.min(np.abs(res.residual)))

    @property
    def reason(self) -> str:
        if not self.solution.reason:
            return ""
        return self.solution.reason + f"; E[SG^2] <= dampening^2 (dampening {np.mean(self.dampening):.3g})"


def layer_shape(family: str, reset: str, variant: str, detach_reset: bool, decay: float, threshold: float,
                sums: LayerSums, dampening: np.ndarray, tail: float | None = None) -> LayerShape:
    """Condition IV per neuron at ``dampening``: in sharpness (``tail`` fixed, for q_pseudo_spike) or, for
    q_pseudo_spike without ``tail``, in tail at sharpness :data:`DEFAULT_TAIL_SHARPNESS`."""
    y_min, y_max = voltage_bounds(decay, threshold, sums.positive, sums.negative, sums.input_positive,
                                  sums.input_negative, reset)
    common = (family, reset, variant, detach_reset, decay, threshold, sums.square, y_min, y_max, dampening)
    if family_info(family).has_tail and tail is None:
        res = condition_iv(*common, solve_for="tail", sharpness=DEFAULT_TAIL_SHARPNESS)
        layer_tail = float(np.mean(res.value[res.feasible])) if res.feasible.any() else None
        return LayerShape(np.full(len(dampening), DEFAULT_TAIL_SHARPNESS), layer_tail, res.value, y_min, y_max,
                          res, dampening)
    res = condition_iv(*common, tail=tail)
    return LayerShape(res.value, tail, None, y_min, y_max, res, dampening)
