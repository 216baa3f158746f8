"""Moments E[SG^m] (m = 1, 2) of every SG family under the voltage models of docs/theory.md section 5.

Write ``SG(u) = gamma f(beta |u|)`` with ``f`` the family's shape (peak 1) and ``u = v - theta``.

**Uniform voltage** v ~ U[y_min, y_max]: with ``a = beta (y_min - theta)``, ``b = beta (y_max - theta)``
and the primitive ``F_m(X) = int_0^X f^m`` (X >= 0),
``E[SG^m] = gamma^m (S(b) - S(a)) / (b - a)``, ``S(x) = sign(x) F_m(|x|)``. ``F_m`` is obtained
by ``sympy.integrate`` (:func:`derived_primitive`); the kernels use an equal floating-point form
(:data:`STABLE_PRIMITIVES`: ``F_m`` and its tail ``T_m = F_m(oo) - F_m``, written with expm1,
log1p, tanh, erfc so that nothing cancels or overflows); a test checks both are equal. An interval
on one side of the threshold uses ``T_m(|near|) - T_m(|far|)`` (no cancellation of two values near
``F_m(oo)``); an interval shorter than ``1e-6`` in ``beta u`` uses the midpoint value (its limit),
which also covers ``y_min == y_max``.

**Gaussian voltage** v ~ N(mean, std^2): closed forms for the exponential, gaussian, rectangular and
triangular families. :func:`derived_gaussian_moment` derives them with ``sympy.integrate`` (the two
halves u > 0 and u < 0 of ``int gamma^m f^m(beta |u|) N(u; mean - theta, std^2) du``); the triangular
family's kernel is that integral itself (term by term, :func:`_polynomial_times_normal`). SymPy's
results for the other three are sums of ``exp(.) erfc(.)`` products that overflow or cancel in
floating point, so the kernels print an equal form (:func:`gaussian_moment`: the exponential's with
``erfcx``, the gaussian's and rectangular's halves summed), checked equal to the derived integral to
30 digits (tests/test_derivations.py). The sigmoid, fast_sigmoid and q_pseudo_spike families have no
closed form (``sympy.integrate`` of ``sech^2``, ``1/(1 + |x|)^2`` or ``(1 + |x|/(q-1))^-q`` against a
normal density returns an unevaluated integral: the antiderivatives are not elementary nor erf-type);
for them the generator writes the integrand ``gamma^m f^m(beta t) p(t)`` on t = |u| >= 0, with ``p``
the folded normal density, and ``lifstab.expectations`` integrates it with a fixed composite
Gauss-Legendre rule (geometric panels at the lower end for sharp surrogates, uniform panels over
the bulk of ``p``; see that module).
"""

from __future__ import annotations

from typing import NamedTuple

import sympy as sp
from sympy.codegen.cfunctions import expm1, log1p

from .lif import theta
from .symbols import beta, gamma, q, u
from .surrogates import FAMILIES

#: voltage-model symbols
y_min = sp.Symbol("y_min", real=True)
y_max = sp.Symbol("y_max", real=True)
mean = sp.Symbol("mean", real=True)
std = sp.Symbol("std", positive=True)
#: t = |u| >= 0 (integration variable of the Gaussian quadrature); X >= 0 the primitive's argument
t = sp.Symbol("t", nonnegative=True)
X = sp.Symbol("X", nonnegative=True)
m_sym = sp.Symbol("m", positive=True)

MOMENTS = (1, 2)
#: below this width of [a, b] (in units of beta u) the uniform mean is the midpoint value
DEGENERATE_WIDTH = sp.Rational(1, 10**6)


class erfcx(sp.Function):
    """Scaled complementary error function ``exp(x^2) erfc(x)`` (no overflow for large x)."""

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        x = self.args[0]
        return 2 * x * erfcx(x) - 2 / sp.sqrt(sp.pi)

    def _eval_rewrite_as_erfc(self, x, **kwargs):
        return sp.exp(x**2) * sp.erfc(x)

    def _eval_evalf(self, prec):
        return self.rewrite(sp.erfc)._eval_evalf(prec)


def shape(family: str, m: int = 1) -> sp.Expr:
    """``f(X)^m``: the family's SG with gamma = beta = 1 at ``|u| = X >= 0``, as a Piecewise."""
    f = FAMILIES[family].expr.subs({gamma: 1, beta: 1}).subs(u, X)
    return (f ** m).rewrite(sp.Piecewise)


def derived_primitive(family: str, m: int) -> sp.Expr:
    """``F_m(X) = int_0^X f^m`` by ``sympy.integrate``."""
    w = sp.Symbol("w", nonnegative=True)
    return sp.integrate(shape(family, m).subs(X, w), (w, 0, X))


class Primitive(NamedTuple):
    """``F_m(X)`` and its tail ``T_m(X) = F_m(oo) - F_m(X)``, in floating-point-safe forms."""

    head: sp.Expr
    tail: sp.Expr


def _stable_primitives() -> dict[tuple[str, int], Primitive]:
    out = {}
    for m in MOMENTS:
        k = sp.Integer(m)
        e = sp.exp(-4 * X)  # sigmoid forms are written in exp(-4X) <= 1
        th = sp.tanh(2 * X)
        qpow = sp.exp((1 - k * q) * log1p(2 * X / (q - 1)))
        qscale = (q - 1) / (2 * (k * q - 1))
        out[("triangular", m)] = Primitive(
            sp.Piecewise(((1 - (1 - X) ** (k + 1)) / (k + 1), X < 1), (1 / (k + 1), True)),
            sp.Piecewise(((1 - X) ** (k + 1) / (k + 1), X < 1), (0, True)),
        )
        out[("exponential", m)] = Primitive(-expm1(-2 * k * X) / (2 * k), sp.exp(-2 * k * X) / (2 * k))
        out[("gaussian", m)] = Primitive(
            sp.erf(sp.sqrt(k * sp.pi) * X) / (2 * sp.sqrt(k)), sp.erfc(sp.sqrt(k * sp.pi) * X) / (2 * sp.sqrt(k))
        )
        out[("sigmoid", m)] = (
            Primitive(th / 2, e / (1 + e)) if m == 1
            else Primitive((th - th**3 / 3) / 2, 2 * e**2 * (1 + e / 3) / (1 + e) ** 3)
        )
        out[("fast_sigmoid", m)] = (
            Primitive(X / (1 + 2 * X), 1 / (2 * (1 + 2 * X))) if m == 1
            else Primitive(X * (4 * X**2 + 6 * X + 3) / (3 * (1 + 2 * X) ** 3), 1 / (6 * (1 + 2 * X) ** 3))
        )
        out[("rectangular", m)] = Primitive(
            sp.Piecewise((X, X < sp.S.Half), (sp.S.Half, True)),
            sp.Piecewise((sp.S.Half - X, X < sp.S.Half), (0, True)),
        )
        out[("q_pseudo_spike", m)] = Primitive(-qscale * expm1((1 - k * q) * log1p(2 * X / (q - 1))), qscale * qpow)
    return out


#: (family, m) -> F_m and T_m in the forms the kernels use (tests check them against the integral)
STABLE_PRIMITIVES: dict[tuple[str, int], Primitive] = _stable_primitives()


def uniform_moment(family: str, m: int) -> sp.Expr:
    """E[SG^m] for v ~ U[y_min, y_max] (y_min <= y_max), piecewise in the position of the threshold."""
    head, tail = STABLE_PRIMITIVES[(family, m)]
    a, b = beta * (y_min - theta), beta * (y_max - theta)
    F = lambda x: head.subs(X, x)  # noqa: E731
    T = lambda x: tail.subs(X, x)  # noqa: E731
    integral = sp.Piecewise(
        (T(-b) - T(-a), b <= 0),  # interval below the threshold
        (T(a) - T(b), a >= 0),  # interval above the threshold
        (F(-a) + F(b), True),  # interval containing the threshold
    )
    width = sp.Mul(beta, y_max - y_min, evaluate=False)  # b - a without cancelling theta
    midpoint = shape(family, m).subs(X, sp.Abs(beta * ((y_min + y_max) / 2 - theta)))
    return gamma**m * sp.Piecewise((midpoint, width < DEGENERATE_WIDTH), (integral / width, True))


def uniform_moment_definition(family: str, m: int) -> sp.Expr:
    """The defining integral ``1/(y_max - y_min) int SG(v - theta)^m dv`` (unevaluated)."""
    v = sp.Symbol("v", real=True)
    sg = FAMILIES[family].definition.subs(u, v - theta)
    return sp.Integral(sg**m, (v, y_min, y_max)) / (y_max - y_min)


def uniform_voltage_moments() -> tuple[sp.Expr, sp.Expr]:
    """E[v] and E[v^2] for v ~ U[y_min, y_max] (used by Condition IV with an attached reset)."""
    v = sp.Symbol("v", real=True)
    first, second = (sp.integrate(v**k, (v, y_min, y_max)) / (y_max - y_min) for k in (1, 2))
    return sp.factor(sp.simplify(first)), sp.factor(sp.simplify(second))


# ---- Gaussian voltage -------------------------------------------------------------------------

def _normal_pdf(x: sp.Expr) -> sp.Expr:
    return sp.exp(-x**2 / 2) / sp.sqrt(2 * sp.pi)


def _polynomial_times_normal(poly: sp.Expr, lo: sp.Expr, hi: sp.Expr) -> sp.Expr:
    """``int_lo^hi poly(u) N(u; mean - theta, std^2) du`` for a polynomial ``poly`` in ``u``, term by term
    in the standardised variable (SymPy integrates ``x^k exp(-x^2/2)`` in closed form)."""
    x = sp.Symbol("x", real=True)
    shift = mean - theta
    expanded = sp.Poly(sp.expand(poly.subs(u, shift + std * x)), x)
    lo_x, hi_x = (lo - shift) / std, (hi - shift) / std
    total = 0
    for (k,), coeff in expanded.terms():
        total += coeff * sp.integrate(x**k * _normal_pdf(x), (x, lo_x, hi_x))
    return total


def _exp_abs_normal(c: sp.Expr) -> sp.Expr:
    """``E[exp(-c |u|)]`` for u ~ N(mean - theta, std^2), in erfcx form (finite for every c, std)."""
    out = 0
    for shift in (mean - theta, theta - mean):  # u > 0 and u < 0 halves
        r = (c * std - shift / std) / sp.sqrt(2)
        out += sp.Piecewise(
            (sp.exp(-shift**2 / (2 * std**2)) * erfcx(r) / 2, r >= 0),
            (sp.exp(c**2 * std**2 / 2 - c * shift) * sp.erfc(r) / 2, True),
        )
    return out


def _gaussian_closed_forms(family: str, m: int) -> sp.Expr | None:
    k = sp.Integer(m)
    shift = mean - theta
    if family == "exponential":
        return gamma**m * _exp_abs_normal(2 * k * beta)
    if family == "gaussian":
        c = sp.pi * k * beta**2
        return gamma**m * sp.exp(-c * shift**2 / (1 + 2 * c * std**2)) / sp.sqrt(1 + 2 * c * std**2)
    if family == "rectangular":
        h = 1 / (2 * beta)
        d = sp.Abs(shift)
        return gamma**m * (sp.erfc((d - h) / (std * sp.sqrt(2))) - sp.erfc((d + h) / (std * sp.sqrt(2)))) / 2
    if family == "triangular":
        up = _polynomial_times_normal((1 - beta * u) ** m, 0, 1 / beta)
        down = _polynomial_times_normal((1 + beta * u) ** m, -1 / beta, 0)
        return gamma**m * (up + down)
    return None


#: families with a closed-form Gaussian-voltage moment
GAUSSIAN_CLOSED_FAMILIES = ("triangular", "exponential", "gaussian", "rectangular")
#: of those, the ones whose kernel prints an equal rewritten form of the derived integral (module doc)
GAUSSIAN_REWRITTEN_FAMILIES = ("exponential", "gaussian", "rectangular")


def derived_gaussian_moment(family: str, m: int) -> sp.Expr:
    """E[SG^m] for v ~ N(mean, std^2) by ``sympy.integrate`` over u = v - theta, in two halves (the
    shape is a function of |u|). Slow (seconds per family): tests and the LaTeX export use it, the
    kernels use the equal :func:`gaussian_moment`."""
    if family not in GAUSSIAN_REWRITTEN_FAMILIES:  # triangular: its kernel is the integral itself
        raise ValueError(f"family={family!r}: one of {GAUSSIAN_REWRITTEN_FAMILIES} (module doc)")
    s = sp.Symbol("s", real=True)
    density = sp.exp(-(s - (mean - theta)) ** 2 / (2 * std**2)) / (sp.sqrt(2 * sp.pi) * std)
    f = shape(family, m)
    above = sp.integrate(f.subs(X, beta * s) * density, (s, 0, sp.oo), conds="none")
    below = sp.integrate(f.subs(X, -beta * s) * density, (s, -sp.oo, 0), conds="none")
    return gamma**m * (above + below)


def gaussian_moment(family: str, m: int) -> sp.Expr:
    """Closed-form E[SG^m] for v ~ N(mean, std^2); ``ValueError`` for families that have none."""
    expr = _gaussian_closed_forms(family, m)
    if expr is None:
        raise ValueError(f"family={family!r} has no closed-form Gaussian moment; use gaussian_integrand")
    return expr


def gaussian_integrand(family: str, m: int) -> sp.Expr:
    """``gamma^m f^m(beta t) (N(t; mu, s) + N(-t; mu, s))`` on t = |u| >= 0, mu = mean - theta: its
    integral over t in [0, oo) is E[SG^m] for v ~ N(mean, std^2)."""
    shift = mean - theta
    folded = (_normal_pdf((t - shift) / std) + _normal_pdf((t + shift) / std)) / std
    return gamma**m * shape(family, m).subs(X, beta * t) * folded


def gaussian_moment_definition(family: str, m: int) -> sp.Expr:
    """The defining integral ``int SG(v - theta)^m N(v; mean, std^2) dv`` (unevaluated)."""
    v = sp.Symbol("v", real=True)
    sg = FAMILIES[family].definition.subs(u, v - theta)
    return sp.Integral(sg**m * _normal_pdf((v - mean) / std) / std, (v, -sp.oo, sp.oo))


def parameters(family: str) -> tuple[sp.Symbol, ...]:
    """SG-shape arguments of a family's kernels, in order."""
    return (gamma, beta, q) if FAMILIES[family].has_tail else (gamma, beta)


def shape_symbols(family: str) -> tuple[sp.Symbol, ...]:
    """Symbols the solvers may differentiate in: sharpness, and tail for tailed families."""
    return (beta, q) if FAMILIES[family].has_tail else (beta,)
