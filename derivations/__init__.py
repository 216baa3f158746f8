"""lifstab's single source of truth: every formula, in SymPy.

Import the expressions by name for notebooks and papers, e.g.
``from derivations import FAMILIES, surrogate``. ``derivations.codegen`` turns them into
``lifstab/_generated/``.
"""

from .surrogates import FAMILIES, SurrogateFamily, surrogate
from .symbols import beta, gamma, q, u

__all__ = ["FAMILIES", "SurrogateFamily", "surrogate", "u", "gamma", "beta", "q"]
