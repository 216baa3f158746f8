"""Conditions I-IV (docs/theory.md section 4), each in a ``"paper"`` form (as the authors coded it) and an
``"exact"`` form (docs/theory.md section 6 lists where they differ).

Assumptions (the paper's): spikes Bernoulli(1/2), independent of the weights and of the voltage;
zero-mean input weights; stationarity. Conditions I and II are *solved* here from their balance
equations with ``sympy.solve``; III is the paper's gain equation solved for the dampening; IV is the
residual ``E[row of M squared] - 1`` of the Jacobian derived in :mod:`lifstab_derivations.jacobians`
(exact) or the authors' equation (paper), to be solved in sharpness or tail at run time.
"""

from __future__ import annotations

import sympy as sp

from . import jacobians as jac
from . import lif

alpha, theta = lif.alpha, lif.theta
n_in = sp.Symbol("n_in", positive=True)
n_rec = sp.Symbol("n_rec", positive=True)
mu_w = sp.Symbol("recurrent_mean", real=True)
var_w = sp.Symbol("recurrent_variance", real=True)
input_second_moment = sp.Symbol("input_second_moment", nonnegative=True)  # E[x^2]
input_weight_variance = sp.Symbol("input_weight_variance", nonnegative=True)  # Var(U)
positive_sum = sp.Symbol("positive_sum", nonnegative=True)  # P_i = sum_j max(W_ji, 0)
negative_sum = sp.Symbol("negative_sum", nonpositive=True)  # N_i = sum_j min(W_ji, 0)
gamma_sym = sp.Symbol("dampening", positive=True)
square_sum = sp.Symbol("recurrent_square_sum", nonnegative=True)  # sum_j W_ji^2 = (n - 1) E[W^2]
sg_mean = sp.Symbol("sg_mean", nonnegative=True)  # E[SG]
sg_square_mean = sp.Symbol("sg_square_mean", nonnegative=True)  # E[SG^2]
voltage_mean = sp.Symbol("voltage_mean", real=True)
voltage_square_mean = sp.Symbol("voltage_square_mean", nonnegative=True)
#: bounds of the weights' positive and negative parts (input and recurrent) for the voltage range
input_positive_sum = sp.Symbol("input_positive_sum", nonnegative=True)
input_negative_sum = sp.Symbol("input_negative_sum", nonpositive=True)

VARIANTS = ("paper", "exact")
SPIKE_RATE = sp.S.Half  # the paper's Bernoulli(1/2) spikes


# ---- Condition I: mean voltage at threshold ------------------------------------------------------

#: the authors' code uses the no-reset balance for multiplicative_1 (docs/theory.md section 6)
_PAPER_MEAN_UPDATE = {"multiplicative_1": "none"}


def mean_balance(reset: str, variant: str) -> sp.Eq:
    """E[v_t] = E[update] with E[v] = theta, E[z] = 1/2, E[I] = (n - 1) mu_W / 2, v and z independent."""
    update_name = _PAPER_MEAN_UPDATE.get(reset, reset) if variant == "paper" else reset
    update = sp.expand(lif.VOLTAGE_UPDATES[update_name])
    # the update is multilinear in (v, z, I), so independence lets each factor take its mean
    mean_current = (n_rec - 1) * mu_w * SPIKE_RATE
    expected = update.subs({lif.v: theta, lif.z: SPIKE_RATE, lif.I: mean_current}, simultaneous=True)
    return sp.Eq(theta, expected)


def condition_i(reset: str, variant: str) -> sp.Expr:
    """Recurrent weight mean mu_W that puts the mean voltage at threshold (Condition I)."""
    (solution,) = sp.solve(mean_balance(reset, variant), mu_w)
    return sp.factor(solution)


# ---- Condition II: recurrent current variance = input current variance ------------------------

def variance_balance(variant: str) -> sp.Eq:
    """Var(sum_j z_j W_ji) = Var(sum_k x_k U_ki) for independent z ~ Bernoulli(1/2), W ~ (mu_W, sigma_W^2),
    zero-mean U. ``"paper"``: the equation whose solution is the authors' coded formula (it counts
    E[z^2] as 1 and E[z]^2 as 1/2, losing a factor 2; docs/theory.md section 6)."""
    w_second = var_w + mu_w**2
    if variant == "paper":
        recurrent = (n_rec - 1) * (w_second - mu_w**2 / 2)
    else:
        recurrent = (n_rec - 1) * (SPIKE_RATE * w_second - (SPIKE_RATE * mu_w) ** 2)
    return sp.Eq(recurrent, n_in * input_second_moment * input_weight_variance)


def condition_ii(variant: str) -> sp.Expr:
    """Recurrent weight variance sigma_W^2 (Condition II); negative means infeasible."""
    (solution,) = sp.solve(variance_balance(variant), var_w)
    return sp.expand(solution)


# ---- Condition III: largest transition gain = 1 --------------------------------------------------

def _reset_threshold(reset: str) -> sp.Expr:
    """The threshold that the reset removes from the voltage floor (only the subtractive reset)."""
    return theta if reset == "subtractive" else sp.S.Zero


def gain_balance(reset: str) -> sp.Eq:
    """gamma_i P_i (N_i - theta) = (1 - alpha) N_i (theta = 0 without a subtractive reset, where it
    reads alpha + gamma_i P_i = 1)."""
    th = _reset_threshold(reset)
    if th == 0:
        return sp.Eq(alpha + gamma_sym * positive_sum, 1)
    return sp.Eq(gamma_sym * positive_sum * (negative_sum - th), (1 - alpha) * negative_sum)


def condition_iii(reset: str) -> sp.Expr:
    """Per-neuron dampening of Condition III (same in both variants)."""
    (solution,) = sp.solve(gain_balance(reset), gamma_sym)
    return solution


def voltage_bounds(reset: str) -> tuple[sp.Expr, sp.Expr]:
    """The paper's worst-case voltage range (y_min, y_max) of a neuron from its weights' sums."""
    y_max = (positive_sum + input_positive_sum) / (1 - alpha)
    y_min = (negative_sum + input_negative_sum - _reset_threshold(reset)) / (1 - alpha)
    return y_min, y_max


# ---- Condition IV: second moment of a Jacobian row = 1 -------------------------------------------

_PAPER_IV = {
    "subtractive": alpha**2 + (square_sum + theta**2) * sg_square_mean - 1,
    "multiplicative_1": alpha**2 + square_sum * sg_square_mean - 2,
    "multiplicative_2": alpha**2 / 2 + square_sum * sg_square_mean - 1,
    "none": alpha**2 + square_sum * sg_square_mean - 1,
}

#: (symbol, power) -> its expectation under the mean-field assumptions (powers >= 3 never occur)
_pre = sp.Symbol("pre_reset_voltage", real=True)


def _expect_monomial(powers: dict[sp.Symbol, int]) -> sp.Expr:
    out = sp.S.One
    for sym, k in powers.items():
        if k == 0:
            continue
        if sym == jac.z_i:
            out *= SPIKE_RATE  # z^k = z for a spike
        elif sym in (jac.sg_i, jac.sg_j):
            out *= {1: sg_mean, 2: sg_square_mean}[k]
        elif sym == jac.w_ji:
            out *= {2: square_sum}[k]  # summed over the n - 1 inputs j of the row
        elif sym in (jac.v_i, _pre):
            out *= {1: voltage_mean, 2: voltage_square_mean}[k]
        else:
            raise ValueError(f"no expectation rule for {sym}")
    return out


def _expect(expr: sp.Expr) -> sp.Expr:
    symbols = (jac.z_i, jac.sg_i, jac.sg_j, jac.w_ji, jac.v_i, _pre)
    poly = sp.Poly(sp.expand(expr), *symbols)
    return sp.expand(sum(c * _expect_monomial(dict(zip(symbols, p))) for p, c in poly.terms()))


def row_second_moment(reset: str, detached: bool) -> sp.Expr:
    """E[M_ii^2] + sum_j E[M_ij^2] from the derived Jacobian.

    Mean-field: z_i ~ Bernoulli(1/2); SG_i, SG_j, W_ji independent; the voltage v_i and the
    pre-reset voltage alpha v_i + I_i (only in attached multiplicative resets) are taken
    independent of SG_i and z_i with the voltage model's first two moments.
    """
    entries = jac.JACOBIANS[(reset, detached)]
    diagonal = entries.diagonal.subs(jac.I_i, _pre - alpha * jac.v_i)
    if reset == "multiplicative_1":
        # the pre-reset voltage alpha v_i + I_i is one quantity; keep it whole
        diagonal = sp.expand(diagonal).subs(jac.v_i, 0)
    return _expect(diagonal**2) + _expect(entries.off_diagonal**2)


def condition_iv(reset: str, variant: str, detached: bool = True) -> sp.Expr:
    """Residual of Condition IV (zero at the solution), linear in E[SG] and E[SG^2].

    ``"paper"``: the authors' equation (reset always detached); ``"exact"``: the derived row second
    moment minus 1, for the given ``detached``.
    """
    if variant == "paper":
        return _PAPER_IV[reset]
    return sp.expand(row_second_moment(reset, detached) - 1)


CONDITION_IV_ARGS = (alpha, theta, square_sum, sg_mean, sg_square_mean, voltage_mean, voltage_square_mean)


def gaussian_part_means() -> tuple[sp.Expr, sp.Expr]:
    """E[max(W, 0)] and E[min(W, 0)] for W ~ N(mean, std^2), by integration (expected P_i, N_i
    per input when only the weight statistics are known)."""
    w = sp.Symbol("w", real=True)
    m = sp.Symbol("mean", real=True)
    s = sp.Symbol("std", positive=True)
    density = sp.exp(-(w - m) ** 2 / (2 * s**2)) / (sp.sqrt(2 * sp.pi) * s)
    positive = sp.simplify(sp.integrate(w * density, (w, 0, sp.oo)))
    negative = sp.simplify(sp.integrate(w * density, (w, -sp.oo, 0)))
    # std = 0 (a degenerate Condition II) is the limit: the constant weight's own part
    s0 = sp.Symbol("std", nonnegative=True)
    return (sp.Piecewise((sp.Max(m, 0), sp.Eq(s0, 0)), (positive.subs(s, s0), True)),
            sp.Piecewise((sp.Min(m, 0), sp.Eq(s0, 0)), (negative.subs(s, s0), True)))


# ---- Condition I, exact form for resets whose voltage depends on the spike: the firing rate -------
#
# The mean balance above takes v and z independent. After a multiplicative reset they are not: the
# decayed voltage alpha v (1 - z) is the voltage *below* threshold, E[v (1 - z)] = E[v; v <= theta] is
# well below E[v]/2, and the simulated rate lands at 0.20-0.42 instead of 1/2. The exact form asks for
# what Condition I is for, a stationary firing rate (1/2 by default), of one neuron whose current is
# Gaussian: a quenched per-neuron offset (the weights are fixed) plus white noise over time. The voltage
# is then a Markov chain, v' = shift(v, z) + gain(v, z) I with z = H(v - theta), whose stationary law is
# computed at run time (lifstab/firing_rate.py); these are its symbolic pieces.

rate = sp.Symbol("rate", nonnegative=True)  # the population firing rate r = E[z]
#: E[r_j^2] over neurons: the per-neuron rates' second moment, which splits the recurrent current's
#: variance into a quenched part (r_j^2) and a temporal part (r_j (1 - r_j))
rate_square_mean = sp.Symbol("rate_square_mean", nonnegative=True)
input_mean = sp.Symbol("input_mean", real=True)  # E[x]
input_var = sp.Symbol("input_var", nonnegative=True)  # Var(x)


def rate_chain(reset: str) -> tuple[sp.Expr, sp.Expr]:
    """(shift, gain) of the voltage update with the reset spike taken from the same voltage:
    ``v_t = shift(v, z) + gain(v, z) I_t``, ``z = H(v - theta)`` (every update is affine in ``I``)."""
    update = lif.VOLTAGE_UPDATES[reset]
    gain = sp.diff(update, lif.I)
    assert sp.diff(gain, lif.I) == 0, f"the {reset} update is not affine in the current"
    return sp.expand(update.subs(lif.I, 0)), gain


def current_statistics() -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """(mean, quenched variance, temporal variance) of ``I_i = sum_k x_k U_ki + sum_j z_j W_ji`` over
    neurons and steps: x i.i.d. over time with mean/variance ``input_mean``/``input_var``, zero-mean U,
    W ~ (mu_W, sigma_W^2) independent of the spikes, neuron j firing at its own rate r_j (mean ``rate``,
    second moment ``rate_square_mean``). The time-average of I_i over the inputs' and spikes' noise
    differs between neurons (quenched: the variance over the weights of a term's mean over time); what
    varies over time is white (temporal: the mean over the weights of a term's variance over time).

    Derived with ``sympy.stats`` for one term of each kind (only the first two moments of x, U and W
    enter, so normal laws stand for any), then summed over the n_in inputs and the n_rec - 1 recurrent
    inputs, whose rates enter through ``rate`` (r_j) and ``rate_square_mean`` (r_j^2)."""
    from sympy import stats

    r, w, u = sp.Symbol("r", positive=True), sp.Symbol("w", real=True), sp.Symbol("u", real=True)
    s_w, s_u, s_x = (sp.Symbol(name, positive=True) for name in ("s_w", "s_u", "s_x"))
    x = stats.Normal("x", input_mean, s_x)
    U, W = stats.Normal("U", 0, s_u), stats.Normal("W", mu_w, s_w)
    z = stats.Bernoulli("z", r)
    variances = {s_w: sp.sqrt(var_w), s_u: sp.sqrt(input_weight_variance), s_x: sp.sqrt(input_var)}

    def over_rates(expr: sp.Expr) -> sp.Expr:  # a polynomial in r_j, averaged over the neurons j
        moments = {0: sp.S.One, 1: rate, 2: rate_square_mean}
        return sum(coeff * moments[k] for (k,), coeff in sp.Poly(sp.expand(expr), r).terms())

    mean = (n_rec - 1) * over_rates(stats.E(z * W))
    quenched = (n_in * stats.variance(stats.E(x * u).subs(u, U))
                + (n_rec - 1) * over_rates(stats.variance(stats.E(z * w).subs(w, W))))
    temporal = (n_in * stats.E(stats.variance(x * u).subs(u, U))
                + (n_rec - 1) * over_rates(stats.E(stats.variance(z * w).subs(w, W))))
    # the input and the recurrent parts, each factored (the form the kernels print)
    parts = (sp.expand(part.subs(variances)) for part in (mean, quenched, temporal))
    return tuple(n_in * sp.factor(part.coeff(n_in)) + sp.factor(part - n_in * part.coeff(n_in)) for part in parts)
