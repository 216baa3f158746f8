"""Surrogate-gradient families (docs/theory.md section 2), defined once.

Each family is an even bump in the centred voltage ``u`` with peak ``SG(0) = gamma`` and area
``gamma / beta``. ``definition`` is the textbook formula; ``expr`` is an equal form chosen for
floating point (written in ``|u|`` so that no intermediate overflows) from which code is generated.
A test checks that both agree.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .symbols import beta, gamma, q, u


def _logistic(x: sp.Expr) -> sp.Expr:
    return 1 / (1 + sp.exp(-x))


@dataclass(frozen=True)
class SurrogateFamily:
    """One SG family: its name, the textbook definition and the generation form."""

    name: str
    definition: sp.Expr
    expr: sp.Expr
    has_tail: bool = False
    description: str = ""

    @property
    def parameters(self) -> tuple[sp.Symbol, ...]:
        """Arguments of the generated kernel, in order."""
        return (u, gamma, beta, q) if self.has_tail else (u, gamma, beta)


_a = sp.Abs(u)
_sig = _logistic(4 * beta * u)

FAMILIES: dict[str, SurrogateFamily] = {
    f.name: f
    for f in (
        SurrogateFamily(
            "triangular",
            gamma * sp.Max(1 - beta * _a, 0),
            gamma * sp.Max(1 - beta * _a, 0),
            description="gamma max(1 - beta |u|, 0)",
        ),
        SurrogateFamily(
            "exponential",
            gamma * sp.exp(-2 * beta * _a),
            gamma * sp.exp(-2 * beta * _a),
            description="gamma exp(-2 beta |u|)",
        ),
        SurrogateFamily(
            "gaussian",
            gamma * sp.exp(-sp.pi * (beta * u) ** 2),
            gamma * sp.exp(-sp.pi * (beta * u) ** 2),
            description="gamma exp(-pi (beta u)^2)",
        ),
        SurrogateFamily(
            "sigmoid",
            4 * gamma * _sig * (1 - _sig),
            # e^{-x} / (1 + e^{-x})^2 with x = 4 beta |u| >= 0 never overflows
            4 * gamma * sp.exp(-4 * beta * _a) / (1 + sp.exp(-4 * beta * _a)) ** 2,
            description="4 gamma s(4 beta u)(1 - s(4 beta u)), s the logistic function",
        ),
        SurrogateFamily(
            "fast_sigmoid",
            gamma / (1 + 2 * beta * _a) ** 2,
            gamma / (1 + 2 * beta * _a) ** 2,
            description="gamma / (1 + 2 beta |u|)^2",
        ),
        SurrogateFamily(
            "rectangular",
            gamma * sp.Piecewise((1, 2 * beta * _a < 1), (0, True)),
            sp.Piecewise((gamma, 2 * beta * _a < 1), (0, True)),
            description="gamma 1[2 beta |u| < 1]",
        ),
        SurrogateFamily(
            "q_pseudo_spike",
            gamma * (1 + 2 * beta * _a / (q - 1)) ** (-q),
            gamma * (1 + 2 * beta * _a / (q - 1)) ** (-q),
            has_tail=True,
            description="gamma (1 + 2 beta |u| / (q - 1))^(-q), q > 1",
        ),
    )
}


def surrogate(name: str) -> sp.Expr:
    """The SymPy expression SG(u) of the family ``name``."""
    try:
        return FAMILIES[name].expr
    except KeyError:
        raise ValueError(f"family={name!r} is not one of {sorted(FAMILIES)}") from None
