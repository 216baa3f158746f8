"""lifstab: stable initialisation and surrogate gradients for spiking LIF networks.

The runtime imports no SymPy: numeric kernels are generated from ``derivations/`` into
``lifstab/_generated/``.
"""

from .lif import (
    LIF,
    RESETS,
    ALIFState,
    LIFParams,
    LIFState,
    RecurrentALIF,
    RecurrentLIF,
    alif_step,
    decay_from_tau,
    lif_step,
)
from .surrogates import FAMILIES, Surrogate, family_info, spike
from . import conditions
from .conditions import Recommendation, initialise_, recommend, stable_init_
from .edge_keeping import EdgeKeeper, attach_edge_keeper, detach_edge_keeper, edge_keeper_of, keep_edge_
from .recipe import RECIPE, TrainingRecipe, param_groups

__version__ = "0.1.0"

__all__ = [
    "FAMILIES", "Surrogate", "family_info", "spike",
    "RESETS", "LIFParams", "LIFState", "ALIFState", "lif_step", "alif_step", "decay_from_tau",
    "RecurrentLIF", "LIF", "RecurrentALIF",
    "conditions", "recommend", "Recommendation", "initialise_", "stable_init_",
    "EdgeKeeper", "keep_edge_", "attach_edge_keeper", "detach_edge_keeper", "edge_keeper_of",
    "RECIPE", "TrainingRecipe", "param_groups",
]
