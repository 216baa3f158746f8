"""lifstab's single source of truth: every formula, in SymPy.

Import the expressions by name for notebooks and papers, e.g.
``from lifstab_derivations import FAMILIES, surrogate, JACOBIANS, condition_iv``. ``lifstab_derivations.codegen``
turns them into ``lifstab/_generated/``; ``lifstab_derivations.latex`` renders them as LaTeX.
"""

from .conditions import condition_i, condition_ii, condition_iii, condition_iv, voltage_bounds
from .expectations import STABLE_PRIMITIVES, gaussian_integrand, gaussian_moment, uniform_moment
from .jacobians import JACOBIANS, derive_jacobian
from .surrogates import FAMILIES, SurrogateFamily, surrogate
from .symbols import beta, gamma, q, u

__all__ = [
    "FAMILIES", "SurrogateFamily", "surrogate", "u", "gamma", "beta", "q",
    "JACOBIANS", "derive_jacobian",
    "STABLE_PRIMITIVES", "uniform_moment", "gaussian_moment", "gaussian_integrand",
    "condition_i", "condition_ii", "condition_iii", "condition_iv", "voltage_bounds",
]
