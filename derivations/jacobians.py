"""One-step LIF Jacobians dv_t/dv_{t-1}, derived from the voltage updates (docs/theory.md section 3).

Nothing here is typed in: each entry is ``sympy.diff`` of :data:`lifstab_derivations.lif.VOLTAGE_UPDATES`
with ``z = H(v - theta)`` whose derivative is the surrogate ``SG(v - theta)``. The current of
neuron i is ``I_i = W_ji z_j + c`` (``c``: everything that does not depend on neuron j). A detached
reset means the ``z`` inside the reset term is a constant (stop-gradient); the recurrent current
keeps its gradient either way.

``JACOBIANS[(reset, detached)]`` is a :class:`JacobianEntries` (diagonal, off-diagonal), in the
symbols below: ``z_i`` (previous spike of i), ``SG_i``, ``SG_j``, ``W_ji``, ``v_i`` (previous
voltage of i) and ``I_i`` (current of i).
"""

from __future__ import annotations

from typing import NamedTuple

import sympy as sp

from . import lif

alpha, theta = lif.alpha, lif.theta
v_i = sp.Symbol("v_i", real=True)
v_j = sp.Symbol("v_j", real=True)
z_i = sp.Symbol("z_i", real=True)
sg_i = sp.Symbol("SG_i", nonnegative=True)
sg_j = sp.Symbol("SG_j", nonnegative=True)
w_ji = sp.Symbol("W_ji", real=True)
I_i = sp.Symbol("I_i", real=True)
_other = sp.Symbol("c", real=True)  # the part of I_i that does not come from neuron j


class SurrogateDerivative(sp.Function):
    """SG(x): the backward pass of the spike function, an opaque even bump."""


class Spike(sp.Function):
    """H(x) forward; its derivative is defined to be the surrogate gradient SG(x)."""

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return SurrogateDerivative(self.args[0])


class JacobianEntries(NamedTuple):
    """Entry (i, i) and entry (i, j != i) of M = dv_t / dv_{t-1}."""

    diagonal: sp.Expr
    off_diagonal: sp.Expr


def derive_jacobian(reset: str, detached: bool) -> JacobianEntries:
    """Differentiate the ``reset`` update; ``detached``: the reset's z is a stop-gradient constant."""
    spike_i, spike_j = Spike(v_i - theta), Spike(v_j - theta)
    reset_spike = z_i if detached else spike_i
    update = lif.VOLTAGE_UPDATES[reset].subs(
        {lif.v: v_i, lif.I: w_ji * spike_j + _other, lif.z: reset_spike}, simultaneous=True
    )
    names = {
        SurrogateDerivative(v_i - theta): sg_i, SurrogateDerivative(v_j - theta): sg_j,
        spike_i: z_i,
    }

    def tidy(expr: sp.Expr) -> sp.Expr:
        # back to the table's symbols: z_j enters only through I_i = W_ji z_j + c
        expr = expr.subs(names).subs(_other, I_i - w_ji * spike_j)
        return sp.expand(expr)

    return JacobianEntries(tidy(sp.diff(update, v_i)), tidy(sp.diff(update, v_j)))


#: (reset, detached) -> Jacobian entries, for every reset variant
JACOBIANS: dict[tuple[str, bool], JacobianEntries] = {
    (reset, detached): derive_jacobian(reset, detached)
    for reset in lif.RESETS
    for detached in (False, True)
}
