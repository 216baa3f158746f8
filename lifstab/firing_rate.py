"""Condition I's exact form: the recurrent mean at which a layer fires at a target rate.

The paper's Condition I puts the mean voltage at threshold with v and z independent. After a
multiplicative reset they are not (derivations/conditions.py explains), and layers initialised by the
closed form fire at 0.20-0.42 instead of 1/2. Here one neuron's voltage is a Markov chain,
``v_t = shift(v, z) + gain(v, z) I_t`` with ``z = H(v - theta)`` (generated ``rate_chain_*`` kernels), driven
by a Gaussian current: a quenched offset per neuron, ``N(0, quenched variance)``, plus white noise over time
(generated ``current_*`` kernels). Its stationary law is computed on a grid (a cell-to-cell transition
matrix from the Gaussian CDF, threshold on a cell edge, one linear solve), averaged over the quenched
offsets by Gauss-Hermite quadrature. The rate is a deterministic, smooth function of the recurrent mean,
whose root is found by Brent's method; the per-neuron rates' spread feeds back into the split of the
recurrent current's variance (quenched r_j^2, temporal r_j (1 - r_j)), solved to a fixed point.

Measured (python -m lifstab_experiments.verification.conditions_i_ii: 200-neuron layers, Bernoulli(1/2) inputs, tau 2-20,
threshold 0.01-1, four networks averaged): multiplicative_2 fires at 0.53-0.54 (closed form 0.25-0.43),
multiplicative_1 at 0.49 for its 0.475 target (closed form 0.11-0.26). The chain leaves out correlations
between neurons; the rest of the gap is theirs.
"""

from __future__ import annotations

import functools
import math
from typing import NamedTuple

import numpy as np
from numpy.polynomial.hermite_e import hermegauss
from scipy import optimize, special

from ._generated import conditions_numpy as _conditions

K = _conditions.KERNELS

#: grid cells of the voltage chain, and Gauss-Hermite nodes over the quenched offset. Measured at the
#: solutions for 200-neuron layers (tau 2-20, threshold 0.01-1): the rate there on a 300-cell, 96-node
#: grid differs by <= 2.1e-3; 12 nodes were 0.018 off (the per-neuron rate is steep in the offset)
CELLS = 80
QUENCHED_NODES = 48
#: the first grid spans this many stationary standard deviations beyond the voltage's rough range
GRID_WIDTH = 8.0
#: the fallback fixed point in E[r_j^2]: iterations and tolerance
FIXED_POINT_ITERATIONS, FIXED_POINT_TOLERANCE = 12, 1e-6
#: the fixed point is accepted when E[r_j^2] moves less than this in its last update: the grid makes the
#: rate rough at the 1e-3 level (measured on 800-960-neuron multiplicative_1 layers), so a tighter fixed
#: point need not exist
SPLIT_ROUGHNESS = 1e-2
#: stationary mass below which the refined grid drops a cell at either end
TAIL_MASS = 1e-10


class NoStationaryLaw(ArithmeticError):
    """The voltage chain has no unique stationary law: with temporal noise far below its cells' width (none when
    input_var is 0 and the recurrent spikes' variance is gone) the discretised chain is deterministic and may hold
    several closed cycles (the linear system is singular, or so near it that the solve gives NaN)."""


def _edges(low: np.ndarray, high: np.ndarray, threshold: float, cells: int) -> np.ndarray:
    """Cell edges (nodes, cells + 1) over [low, high] per node, the threshold on an edge (so that every
    cell spikes or not)."""
    below = np.clip(np.round(cells * (threshold - low) / (high - low)), 2, cells - 2).astype(int)
    return np.stack([np.concatenate([np.linspace(lo, threshold, b + 1), np.linspace(threshold, hi, cells - b + 1)[1:]])
                     for lo, hi, b in zip(low, high, below)])


def _stationary(reset: str, decay: float, threshold: float, mean: np.ndarray, noise_std: float,
                edges: np.ndarray) -> np.ndarray:
    """Stationary probability of each cell (nodes, cells) of the chain with current ``N(mean, noise_std^2)``
    (one mean per node)."""
    centres = 0.5 * (edges[:, 1:] + edges[:, :-1])
    spikes = (centres > threshold).astype(float)
    shift = np.broadcast_to(K[f"rate_chain_shift_{reset}"](centres, spikes, decay, threshold), centres.shape)
    gain = np.broadcast_to(K[f"rate_chain_gain_{reset}"](centres, spikes, decay, threshold), centres.shape)
    loc = shift + gain * mean[:, None]
    scale = np.maximum(np.abs(gain) * noise_std, 1e-300)  # gain 0: a point mass at the shift
    with np.errstate(over="ignore"):  # a point mass: +-inf, whose CDF is exact
        inner = special.ndtr((edges[:, None, 1:-1] - loc[:, :, None]) / scale[:, :, None])
    nodes, cells = loc.shape
    cdf = np.concatenate([np.zeros((nodes, cells, 1)), inner, np.ones((nodes, cells, 1))], axis=2)
    transition = np.diff(cdf, axis=2)  # [node, from, to]; the end cells take the tails
    system = np.swapaxes(transition, 1, 2) - np.eye(cells)
    system[:, -1, :] = 1.0  # replace one (redundant) balance equation by the normalisation
    rhs = np.zeros((nodes, cells, 1))
    rhs[:, -1] = 1.0
    try:
        law = np.linalg.solve(system, rhs)[..., 0]
    except np.linalg.LinAlgError:
        law = np.full((nodes, cells), np.nan)
    if not np.all(np.isfinite(law)):  # singular, or so close to it that the solve gives NaN
        raise NoStationaryLaw(f"the voltage chain has no unique stationary law on its grid (temporal noise std "
                              f"{noise_std:.3g}, cells up to {np.diff(edges).max():.3g} wide: the discretised chain is "
                              "deterministic, with several cycles)")
    return np.clip(law, 0.0, None)


def _node_means(mean: float, quenched_variance: float, nodes: int):
    offsets, weights = hermegauss(nodes)
    return mean + math.sqrt(max(quenched_variance, 0.0)) * offsets, weights / weights.sum()


def node_grid(reset: str, decay: float, threshold: float, mean: float, quenched_variance: float,
              temporal_variance: float, cells: int = CELLS, nodes: int = QUENCHED_NODES) -> np.ndarray:
    """Cell edges (nodes, cells + 1) that hold each node's stationary law: a wide first grid, then the
    same number of cells over the range where its mass lies (when that is under half the first)."""
    m, _ = _node_means(mean, quenched_variance, nodes)
    noise_std = math.sqrt(max(temporal_variance, 0.0))
    spread = noise_std / math.sqrt(1.0 - decay**2)
    far = m / (1.0 - decay)  # where the voltage settles without a reset
    width = np.maximum(GRID_WIDTH * spread, 1e-9 * np.maximum(1.0, np.maximum(abs(threshold), np.abs(far))))
    low = np.minimum(np.minimum(0.0, threshold), np.minimum(m, far)) - width - abs(threshold)
    high = np.maximum(threshold, np.maximum(m, far)) + width
    edges = _edges(low, high, threshold, cells)
    cdf = np.cumsum(_stationary(reset, decay, threshold, m, noise_std, edges), axis=1)
    first = np.maximum((cdf < TAIL_MASS).sum(axis=1) - 2, 0)
    last = np.minimum((cdf < 1.0 - TAIL_MASS).sum(axis=1) + 3, cells)
    rows = np.arange(nodes)
    low2, high2 = edges[rows, first], edges[rows, last]
    refine = (low2 < threshold) & (threshold < high2) & (high2 - low2 < 0.5 * (high - low))
    return _edges(np.where(refine, low2, low), np.where(refine, high2, high), threshold, cells)


def node_rates(reset: str, decay: float, threshold: float, mean: float, quenched_variance: float,
               temporal_variance: float, cells: int = CELLS, nodes: int = QUENCHED_NODES,
               grid: np.ndarray | None = None):
    """Stationary firing rate at each quenched-offset node, and the nodes' quadrature weights. ``grid``:
    the cell edges (:func:`node_grid`), fixed by the caller so that the rate is a continuous function of
    the current's statistics (a grid rebuilt at every call jumps when its cells move)."""
    if grid is None:
        grid = node_grid(reset, decay, threshold, mean, quenched_variance, temporal_variance, cells, nodes)
    m, weights = _node_means(mean, quenched_variance, grid.shape[0])
    p = _stationary(reset, decay, threshold, m, math.sqrt(max(temporal_variance, 0.0)), grid)
    return (p * (0.5 * (grid[:, 1:] + grid[:, :-1]) > threshold)).sum(axis=1), weights


class RateSolution(NamedTuple):
    """Condition I (exact, firing-rate form) with Condition II (exact) at its recurrent mean."""

    recurrent_mean: float
    recurrent_variance: float  # Condition II at that mean; negative: II cannot be met (0 was simulated)
    rate: float  # the chain's stationary rate at the solution
    rate_square_mean: float  # E[r_j^2] over neurons, at the fixed point
    converged: bool
    reason: str = ""  # why not converged, where the solver knows


def _statistics(n_in, n_rec, input_mean, input_var, input_weight_variance, mu, target, square_mean):
    """Current mean, quenched and temporal variance at recurrent mean ``mu`` (Condition II's variance)."""
    second = input_var + input_mean**2
    var_w = float(K["condition_ii_exact"](n_in, n_rec, second, input_weight_variance, mu))
    args = (n_in, n_rec, input_mean, input_var, input_weight_variance, mu, max(var_w, 0.0), target, square_mean)
    return (float(K["current_mean"](*args)), float(K["current_quenched_variance"](*args)),
            float(K["current_temporal_variance"](*args)), var_w)


def _population(reset, decay, threshold, n_in, n_rec, input_mean, input_var, input_weight_variance, target,
                mu, square_mean, grid=None):
    """(rate, E[r_j^2], Condition II's variance) of the chain at recurrent mean ``mu`` (on ``grid``)."""
    mean, quenched, temporal, var_w = _statistics(n_in, n_rec, input_mean, input_var, input_weight_variance, mu,
                                                  target, square_mean)
    rates, weights = node_rates(reset, decay, threshold, mean, quenched, temporal, grid=grid)
    return float(weights @ rates), float(weights @ rates**2), var_w


def _bracket(excess, low: float, high: float, tries: int = 60) -> tuple[float, float] | None:
    """Widen ``[low, high]`` geometrically until ``excess`` (increasing: the rate grows with the mean
    current) changes sign across it; None when it never does."""
    f_low, f_high = excess(low), excess(high)
    for _ in range(tries):
        if f_low <= 0 <= f_high:
            return low, high
        width = high - low
        if f_low > 0:
            low, f_low = low - 2 * width, excess(low - 2 * width)
        if f_high < 0:
            high, f_high = high + 2 * width, excess(high + 2 * width)
    return None


@functools.lru_cache(maxsize=256)
def solve_recurrent_mean(reset: str, n_in: int, n_rec: int, decay: float, threshold: float, input_mean: float,
                         input_var: float, input_weight_variance: float, target_rate: float,
                         start: float) -> RateSolution:
    """The recurrent mean whose layer fires at ``target_rate`` (arguments validated by the caller;
    ``start``: a first guess, e.g. the closed form); not converged, with the reason, where the voltage chain
    has no unique stationary law on its grid (:class:`NoStationaryLaw`)."""
    try:
        return _solve(reset, n_in, n_rec, decay, threshold, input_mean, input_var, input_weight_variance,
                      target_rate, start)
    except NoStationaryLaw as err:
        return RateSolution(start, float("nan"), float("nan"), target_rate**2, False, str(err))


def _solve(reset: str, n_in: int, n_rec: int, decay: float, threshold: float, input_mean: float, input_var: float,
           input_weight_variance: float, target_rate: float, start: float) -> RateSolution:
    """:func:`solve_recurrent_mean`'s work.

    Two unknowns, the mean and the rates' second moment E[r_j^2] (which sets the variance split), and two
    equations, rate = target and E[r_j^2] = its value under the chain: first the rate alone is bracketed
    and solved by Brent's method at E[r_j^2] = target^2 (Bernoulli spikes of equal rate), then both
    together by MINPACK's hybrid method (``scipy.optimize.root``) from there."""
    args = (reset, decay, threshold, n_in, n_rec, input_mean, input_var, input_weight_variance, target_rate)
    square_mean = target_rate**2

    def excess(m):
        return _population(*args, m, square_mean)[0] - target_rate

    mean, quenched, temporal, _ = _statistics(n_in, n_rec, input_mean, input_var, input_weight_variance, start,
                                              target_rate, square_mean)
    # one unit: the current's standard deviation, in recurrent mean
    unit = math.sqrt(quenched + temporal + threshold**2) / ((n_rec - 1) * target_rate)
    bracket = _bracket(excess, start - unit, start + unit)
    if bracket is None:
        return RateSolution(start, float("nan"), float("nan"), square_mean, False)
    # a first approximation only: the joint solve below refines it, on a grid fixed here
    mu = optimize.brentq(excess, *bracket, xtol=1e-3 * unit)
    grid = node_grid(reset, decay, threshold, *_statistics(n_in, n_rec, input_mean, input_var,
                                                           input_weight_variance, mu, target_rate, square_mean)[:3])

    def population(m, square):
        return _population(*args, m, square, grid=grid)

    def equations(x):
        rate, square, _ = population(mu + unit * x[0], x[1])
        return [rate - target_rate, square - x[1]]

    try:
        solution = optimize.root(equations, [0.0, population(mu, square_mean)[1]], method="hybr",
                                 options={"xtol": 1e-8})
    except NoStationaryLaw:  # a step to E[r_j^2] >= rate (impossible: r_j <= 1) leaves no temporal noise
        solution = None
    # MINPACK's success means its steps became small, not that the equations hold: check them
    if solution is not None and solution.success and np.all(np.abs(solution.fun) <= [1e-9, FIXED_POINT_TOLERANCE]):
        mu, square_mean = mu + unit * solution.x[0], float(solution.x[1])
        rate, _, var_w = population(mu, square_mean)
        return RateSolution(mu, var_w, rate, square_mean, True)
    # where it stalls (the discretised rate is only piecewise smooth in E[r_j^2]): the fixed point
    return _fixed_point(population, target_rate, mu, unit, population(mu, square_mean)[1])


def _fixed_point(population, target_rate: float, mu: float, unit: float, square_mean: float) -> RateSolution:
    """:func:`_solve`'s fallback: the fixed point in E[r_j^2] of ``population(mean, E[r_j^2]) -> (rate,
    E[r_j^2], variance)``, the rate solved by Brent's method at each (it moves the mean little), from
    ``mu`` and ``square_mean``; ``unit`` is the current's standard deviation in recurrent mean."""
    change, used = float("inf"), square_mean
    for _ in range(FIXED_POINT_ITERATIONS):
        def excess_at(m, square=square_mean):
            return population(m, square)[0] - target_rate

        bracket = _bracket(excess_at, mu - 0.25 * unit, mu + 0.25 * unit)
        if bracket is None:
            return RateSolution(mu, float("nan"), float("nan"), square_mean, False)
        mu = optimize.brentq(excess_at, *bracket, xtol=1e-13 * unit, rtol=1e-13)
        new = population(mu, square_mean)[1]
        change, used = abs(new - square_mean), square_mean
        square_mean = new
        if change <= FIXED_POINT_TOLERANCE:
            break
    # the rate is exact at the E[r_j^2] it was solved with; accept that E[r_j^2] when it is within the
    # grid's roughness of its own update (measured: 1e-2 in E[r_j^2] moves the rate by <= 1e-3)
    rate, _, var_w = population(mu, used)
    return RateSolution(mu, var_w, rate, used, change <= SPLIT_ROUGHNESS)
